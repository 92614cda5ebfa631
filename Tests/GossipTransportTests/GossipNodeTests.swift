import Gossip
import GossipTransport
import NIOCore
import Testing

/// Two in-process `GossipNode`s on loopback, driven by real UDP/TCP sockets and clocks. The
/// `lan` profile: under a loaded CI machine `fast` may suspect a member before its leave arrives.
@Suite("GossipNode on loopback", .serialized)
struct GossipNodeTests {
    /// The first event `match` accepts, within `timeout`.
    static func next(
        _ node: GossipNode, timeout: Duration = .seconds(10), _ match: @escaping @Sendable (MemberEvent) -> Bool
    ) async throws -> MemberEvent? {
        try await withThrowingTaskGroup(of: MemberEvent?.self) { group in
            group.addTask {
                for await event in node.events where match(event) { return event }
                return nil
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            return try await group.next() ?? nil
        }
    }

    @Test("joinAndWait returns once the seeds' member lists are merged, or their push/pull failed", .timeLimit(.minutes(1)))
    func joinAndWaitReturnsWithTheMergedClusterInPlace() async throws {
        let loopback: [UInt8] = [127, 0, 0, 1]
        let a = try await GossipNode.bind(name: "a", host: "127.0.0.1", port: 0, meta: nil, settings: .lan, wire: GossipWireConfiguration())
        let b = try await GossipNode.bind(name: "b", host: "127.0.0.1", port: 0, meta: nil, settings: .lan, wire: GossipWireConfiguration())
        let c = try await GossipNode.bind(name: "c", host: "127.0.0.1", port: 0, meta: nil, settings: .lan, wire: GossipWireConfiguration())
        // A port nobody listens on: its push/pull is refused at once.
        let closed = try await GossipNode.bind(name: "closed", host: "127.0.0.1", port: 0, meta: nil, settings: .lan, wire: GossipWireConfiguration())
        let closedAddress = NodeAddress(ip: loopback, port: UInt16(closed.localAddress.port!))
        await closed.shutdown()
        await a.start(joining: [])
        await b.start(joining: [NodeAddress(ip: loopback, port: UInt16(a.localAddress.port!))])
        _ = try await Self.next(a) { if case .join(let member) = $0 { member.name == "b" } else { false } }
        await c.start(joining: [])

        let merged = await c.joinAndWait(seeds: [NodeAddress(ip: loopback, port: UInt16(a.localAddress.port!)), closedAddress])
        #expect(merged == 1, "a answered, the closed port did not")
        // No event was awaited: the list a knew (a and b) is in c's members on return.
        let alive = await c.members.filter { $0.state == .alive }.map(\.name).sorted()
        #expect(alive == ["a", "b", "c"])
        #expect(await c.joinAndWait(seeds: [closedAddress]) == 0)

        for node in [a, b, c] { await node.shutdown() }
    }

    @Test(
        "two members join, exchange user messages, and leave gracefully; labels and keys both ways",
        .timeLimit(.minutes(1)), arguments: [false, true])
    func joinAndLeave(secured: Bool) async throws {
        let key = MetalLBSecretKey.derive(fromSecret: Array("node-test-secret".utf8))!
        let wire = secured
            ? GossipWireConfiguration(keyring: try GossipKeyring(keys: [key]), label: Array("swiftlb".utf8))
            : GossipWireConfiguration()
        let (messages, sink) = AsyncStream.makeStream(of: [UInt8].self)
        let a = try await GossipNode.bind(
            name: "a", host: "127.0.0.1", port: 0, meta: Array("meta-a".utf8), settings: .lan, wire: wire)
        let b = try await GossipNode.bind(
            name: "b", host: "127.0.0.1", port: 0, meta: Array("meta-b".utf8), settings: .lan, wire: wire,
            application: GossipApplication(receiveUserMessage: { sink.yield($0) }))
        await a.start(joining: [])
        await b.start(joining: [NodeAddress(ip: [127, 0, 0, 1], port: UInt16(a.localAddress.port!))])

        let joinedAtA = try await Self.next(a) { if case .join(let member) = $0 { member.name == "b" } else { false } }
        #expect(joinedAtA?.member.meta == Array("meta-b".utf8))
        let joinedAtB = try await Self.next(b) { if case .join(let member) = $0 { member.name == "a" } else { false } }
        #expect(joinedAtB?.member.meta == Array("meta-a".utf8))

        let bAddress = await b.localMember.address
        try await a.sendUserMessage(Array("over-udp".utf8), to: bAddress)
        try await a.sendReliableUserMessage(Array("over-tcp".utf8), to: bAddress)
        var received: Set<String> = []
        for await message in messages {
            received.insert(String(decoding: message, as: UTF8.self))
            if received.count == 2 { break }
        }
        #expect(received == ["over-udp", "over-tcp"])

        await b.leave(timeout: .seconds(1))
        await b.shutdown()
        let left = try await Self.next(a) { if case .leave(let member) = $0 { member.name == "b" } else { false } }
        #expect(left != nil)
        #expect(a.counters.droppedMalformed == 0)
        #expect(a.counters.droppedUndecryptable == 0)
        await a.shutdown()
    }
}
