import Announcer
import ArgumentParser

/// Hidden test helper: writes raw Ethernet frames (hex) on an interface with `pcap_inject`,
/// e.g. malformed frames for the announcer's namespace tests.
struct AnnounceInjectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "announce-inject",
        abstract: "Send raw Ethernet frames given in hex (test helper).",
        shouldDisplay: false
    )

    @Option(name: .long, help: "Interface to send on.")
    var interface: String

    @Option(name: .long, help: "How many times to send each frame.")
    var count: Int = 1

    @Argument(help: "Frames as hex strings (spaces and colons ignored).")
    var frames: [String]

    func validate() throws {
        guard (1...10_000).contains(count) else { throw ValidationError("--count must be 1...10000") }
        for frame in frames where AnnounceInjectCommand.bytes(frame) == nil {
            throw ValidationError("'\(frame)' is not an even number of hex digits")
        }
    }

    func run() throws {
        let injector = try FrameInjector(interface: interface)
        defer { injector.close() }
        for _ in 0..<count {
            for frame in frames { try injector.send(Self.bytes(frame)!) }
        }
        print("sent \(count * frames.count) frames")
    }

    static func bytes(_ text: String) -> [UInt8]? {
        let digits = Array(text.filter { $0 != " " && $0 != ":" })
        guard digits.count % 2 == 0, !digits.isEmpty else { return nil }
        var bytes: [UInt8] = []
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let byte = UInt8(String(digits[index...index + 1]), radix: 16) else { return nil }
            bytes.append(byte)
        }
        return bytes
    }
}
