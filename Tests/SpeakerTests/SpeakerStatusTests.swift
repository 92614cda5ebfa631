import Addressing
import ClusterModel
import Gossip
import GossipTransport
import Hummingbird
import Kube
import KubeFake
import Logging
import Observability
import Testing
@testable import Speaker

/// `/status` of a running speaker, and `swiftlb status --speaker` printing it.
extension SpeakerInProcessTests {
    @Test(.timeLimit(.minutes(1))) func statusCommandShowsARunningSpeakersView() async throws {
        let (first, second) = Fixture.rankedPair()
        try await cluster(endpointNode: second) { client, clients in
            let announcer = RecordingAnnouncer()
            let speaker = Speaker(settings: settings(node: second), client: clients.watches, eventClient: clients.events, announcer: announcer)
            let run = Task { try await speaker.run() }
            defer { run.cancel() }
            let ip = self.ip
            await announcer.waitUntil { $0[ip] != nil }

            let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
            let metrics = SpeakerMetrics(node: second)
            let app = MetricsEndpoint.application(
                host: "127.0.0.1", port: 0, registry: metrics.registry, health: HealthState(),
                hooks: .init(status: { await speaker.statusReport().json() }), logger: Logger(label: "test"),
                onListening: { portSink.yield($0) })
            let serving = Task { try await app.run() }
            defer { serving.cancel() }
            var listening = ports.makeAsyncIterator()
            let port = try #require(await listening.next())

            var report = await speaker.statusReport()
            #expect(report.node == second && report.synced)
            #expect(report.addresses == [SpeakerStatusReport.Entry(
                ip: Fixture.ip, service: "default/web", pool: "lan", owner: second, candidates: [second], announcedHere: true)])
            var outcome = try await SwiftLBProcess.run(["status", "--speaker", "http://127.0.0.1:\(port)"])
            #expect(outcome.status == 0, "\(outcome.standardError)")
            var row = try #require(outcome.standardOutput.split(separator: "\n").first { $0.hasPrefix("\(Fixture.ip) ") })
            #expect(row.contains("default/web") && row.contains("lan") && row.hasSuffix("announces"))

            // The member that hashes first joins: this node is a candidate but not elected.
            let speakerAddress = try #require(await speaker.gossipAddress())
            let other = try await GossipNode.bind(
                name: first, host: "127.0.0.1", port: 0, meta: nil, settings: .fast, wire: GossipWireConfiguration())
            await other.start(joining: [speakerAddress])
            await announcer.waitUntil { $0[ip] == nil }
            report = await speaker.statusReport()
            #expect(report.members == [first, second].sorted())
            let entry = try #require(report.addresses.first)
            #expect(entry.candidates == [first, second] && entry.owner == first && !entry.announcedHere)
            #expect(entry.reason == "notOwner" && entry.why == "not elected")
            outcome = try await SwiftLBProcess.run(["status", "--speaker", "127.0.0.1:\(port)"])
            #expect(outcome.status == 0, "\(outcome.standardError)")
            row = try #require(outcome.standardOutput.split(separator: "\n").first { $0.hasPrefix("\(Fixture.ip) ") })
            #expect(row.contains("\(first) \(second)"), "candidates in election order")
            #expect(row.contains("no: not elected (candidate #2; \(first) hashes first)"))

            await other.shutdown()
            serving.cancel()
            run.cancel()
            _ = try? await run.value
        }
    }

    @Test func statusAgainstNothingListeningFailsClearly() async throws {
        let outcome = try await SwiftLBProcess.run(["status", "--speaker", "http://127.0.0.1:9"])
        #expect(outcome.status == 1)
        #expect(outcome.standardError.contains("127.0.0.1:9/status"))
    }
}
