import Testing

/// `--busy-poll-microseconds` means the same on `swiftlb announce` and `swiftlb speaker`, and
/// an out-of-range value stops either before it touches the network or the API server.
@Suite(.timeLimit(.minutes(1))) struct BusyPollFlagTests {
    @Test(arguments: [
        ["announce", "--interface", "lo", "--ip", "192.0.2.10"],
        ["speaker", "--node-name", "node-a", "--kubeconfig", "/nonexistent/kubeconfig"],
    ])
    func outOfRangeWindowIsRefusedWithTheFlagsName(command: [String]) throws {
        let outcome = try ConfigValidateRunner.run(command + ["--busy-poll-microseconds", "20000"])
        #expect(outcome.status == 64, "usage error, not a crash or a start: \(outcome.standardError)")
        #expect(outcome.standardError.contains("--busy-poll-microseconds must be between 0 and 10000 (got 20000)"))
    }

    @Test func bothCommandsDocumentTheFlag() throws {
        for command in ["announce", "speaker"] {
            let help = try ConfigValidateRunner.run([command, "--help"])
            #expect(help.status == 0)
            #expect(help.standardOutput.contains("--busy-poll-microseconds"), "\(command) --help")
            // On by default, at the window the benchmark measures (Scripts/bench/arp).
            #expect(help.standardOutput.contains("(default: 100)"), "\(command) --help")
        }
    }
}
