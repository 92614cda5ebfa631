import ArgumentParser
import Dispatch
import Foundation
import KubeFake
import Logging

/// `swiftlb fake-apiserver`: runs KubeFake until SIGTERM or SIGINT, for the lab and for
/// out-of-process tests (fault injection through `POST /_fake/faults`).
struct FakeAPIServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fake-apiserver",
        abstract: "Serve a Kubernetes API server fake (KubeFake) for tests and the lab."
    )

    @Option(name: .long, help: "Address and port to listen on, e.g. 127.0.0.1:6443 (port 0 picks one).")
    var listen: String = "127.0.0.1:0"

    @Option(name: .long, help: "Bearer token clients must send (none: no authentication).")
    var token: String?

    @Flag(name: .long, help: "Serve HTTPS with a self-signed certificate (its CA goes into the kubeconfig).")
    var tls = false

    @Option(name: .customLong("kubeconfig-out"), help: "Write a kubeconfig for this server to this path.")
    var kubeconfigOut: String?

    @Option(name: .customLong("history"), help: "Watch history size; older resourceVersions get 410 Gone.")
    var historyLimit = 1000

    @Option(name: .customLong("bookmark-interval"), help: "Seconds between watch BOOKMARK events.")
    var bookmarkSeconds = 5.0

    @Option(name: .customLong("state-file"),
            help: "Load objects and the resourceVersion counter from this file if it exists; save every write to it.")
    var stateFile: String?

    func run() async throws {
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]),
              (0...65535).contains(port)
        else {
            throw ValidationError("--listen must be ADDRESS:PORT, got \"\(listen)\"")
        }
        var host = String(listen[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        let logger = Logger(label: "swiftlb.fake-apiserver")
        let server = try await KubeFakeServer.start(
            host: host.isEmpty ? "0.0.0.0" : host, port: port, token: token, tls: tls, historyLimit: historyLimit,
            bookmarkInterval: .milliseconds(Int64(bookmarkSeconds * 1000)), logger: logger,
            stateFile: stateFile)
        if let kubeconfigOut { try server.writeKubeconfig(to: kubeconfigOut) }
        // One line on stdout so scripts can learn the address of a port-0 listener.
        FileHandle.standardOutput.write(Data("fake-apiserver listening on \(server.url)\n".utf8))
        let signal = await Self.waitForTerminationSignal()
        logger.info("shutting down", metadata: ["signal": "\(signal)"])
        await server.shutdown()
    }

    /// Suspends until SIGTERM or SIGINT arrives; returns its number.
    static func waitForTerminationSignal() async -> Int32 {
        let (signals, continuation) = AsyncStream.makeStream(of: Int32.self)
        var sources: [any DispatchSourceSignal] = []
        for number in [SIGTERM, SIGINT] {
            Foundation.signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { continuation.yield(number) }
            source.resume()
            sources.append(source)
        }
        var iterator = signals.makeAsyncIterator()
        let received = await iterator.next() ?? SIGTERM
        for source in sources { source.cancel() }
        return received
    }
}
