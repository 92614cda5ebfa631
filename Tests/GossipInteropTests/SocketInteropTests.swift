import Foundation
import Gossip
import GossipTransport
import NIOCore
import Testing

/// Wire-level interop of the framing and sockets alone against real Go memberlist v0.2.2:
/// a hand-driven Swift socket joins a Go seed by push/pull, answers its UDP probes, and
/// exchanges user messages both ways — plain and encrypted with MetalLB's key derivation.
@Suite("GossipSocket against a Go memberlist peer", .serialized)
struct SocketInteropTests {
    static let secret = Array("0123456789abcdefghijkl".utf8)

    /// Writes a MetalLB-style secret directory (`<dir>/secretkey`) and returns its path.
    static func secretDirectory(_ secret: [UInt8]) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("slb-gossip-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Data(secret).write(to: directory.appendingPathComponent("secretkey"))
        return directory.path
    }

    /// The first inbound item `match` accepts, within `timeout`.
    static func next<T: Sendable>(
        _ socket: GossipSocket, _ what: String, timeout: Duration = .seconds(10),
        match: @escaping @Sendable (InboundTraffic) -> T?
    ) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                for await traffic in socket.inbound {
                    if let found = match(traffic) { return found }
                }
                return nil
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let found = try await group.next() ?? nil else {
                throw WaitTimedOut(what: what, seen: [])
            }
            return found
        }
    }

    static func goPeer(name: String, meta: String, secretPath: String?) throws -> PeerProcess {
        let port = Binaries.freePort()
        var arguments = ["-name", name, "-bind", "127.0.0.1:\(port)", "-meta", meta]
        if let secretPath { arguments += ["-secret-key-path", secretPath] }
        return try PeerProcess(name: name, port: port, executable: try Binaries.goPeer(), arguments: arguments)
    }

    @Test(
        "push/pull join, UDP probes and user messages both ways",
        .timeLimit(.minutes(1)), arguments: [false, true])
    func joinsGoSeed(encrypted: Bool) async throws {
        let secretPath = encrypted ? try Self.secretDirectory(Self.secret) : nil
        let go = try Self.goPeer(name: "go1", meta: "go-meta", secretPath: secretPath)
        try await go.expect("ready") { $0.event == "ready" }
        let keyring = encrypted ? try GossipKeyring(keys: [MetalLBSecretKey.derive(fromSecret: Self.secret)!]) : nil
        let socket = try await GossipSocket.bind(host: "127.0.0.1", port: 0, wire: .init(keyring: keyring))
        defer { Task { await socket.close() } }
        let myPort = UInt16(socket.localAddress.port!)

        // 1. Join by push/pull over TCP (Go compresses its reply; encrypted when keyed).
        let me = PushNodeState(
            name: "swift1", addr: [127, 0, 0, 1], port: myPort, meta: Array("swift-meta".utf8), incarnation: 1,
            state: MemberState.alive.rawValue, vsn: [1, 5, 2, 0, 0, 0])
        let request = PushPull(join: true, nodes: [me], userState: Array("swift-state".utf8)).encoded()
        let seed = try SocketAddress(ipAddress: "127.0.0.1", port: go.port)
        let reply = try #require(try await socket.exchange(request, with: seed, timeout: .seconds(5)))
        #expect(reply.first == MessageType.pushPull.rawValue)
        let (remote, _) = try PushPull.decode(body: Array(reply.dropFirst()))
        #expect(remote.join)
        let goEntry = try #require(remote.nodes.first { $0.name == "go1" })
        #expect(goEntry.meta == Array("go-meta".utf8))
        #expect(goEntry.port == UInt16(go.port))
        #expect(remote.userState == Array("state-of-go1".utf8))
        let joined = try await go.expect("join", of: "swift1")
        #expect(joined.meta == "swift-meta")
        #expect(joined.addr == "127.0.0.1:\(myPort)")
        try await go.expect("merged user state") { $0.event == "state" && $0.data == "swift-state" }

        // 2. Go probes its new member over UDP; answer like memberlist (ack to SourceAddr:SourcePort).
        let ping = try await Self.next(socket, "a UDP ping from Go") { traffic -> Ping? in
            guard case .packet(let messages, _) = traffic else { return nil }
            for case .ping(let ping) in messages where ping.node == "swift1" { return ping }
            return nil
        }
        #expect(ping.sourceNode == "go1")
        let ackTo = try SocketAddress(ipAddress: "127.0.0.1", port: Int(ping.sourcePort))
        socket.sendPacket([Ack(seqNo: ping.seqNo).encoded()], to: ackTo, checksum: false)

        // 3. User messages Go → Swift: best effort (UDP) and reliable (TCP).
        go.command("user swift1 hello-udp")
        let udpText = try await Self.next(socket, "a UDP user message") { traffic -> String? in
            guard case .packet(let messages, _) = traffic else { return nil }
            for case .user(let bytes) in messages { return String(decoding: bytes, as: UTF8.self) }
            return nil
        }
        #expect(udpText == "hello-udp")
        go.command("reliable swift1 hello-tcp")
        let streamRequest = try await Self.next(socket, "a TCP user message") { traffic -> [UInt8]? in
            guard case .stream(let stream) = traffic else { return nil }
            stream.close()
            return stream.request.first == MessageType.user.rawValue ? stream.request : nil
        }
        var reader = MsgPackReaderShim(streamRequest)
        #expect(reader.userPayload() == Array("hello-tcp".utf8))

        // 4. User messages Swift → Go: a CRC'd UDP packet and a TCP stream.
        socket.sendPacket([[MessageType.user.rawValue] + Array("from-swift-udp".utf8)], to: seed, checksum: true)
        try await go.expect("UDP user message from Swift") { $0.event == "user" && $0.data == "from-swift-udp" }
        let text = Array("from-swift-tcp".utf8)
        let userStream = UserMessageHeader(userMsgLen: text.count).encoded() + text
        _ = try await socket.exchange(userStream, with: seed, timeout: .seconds(5), expectReply: false)
        try await go.expect("TCP user message from Swift") { $0.event == "user" && $0.data == "from-swift-tcp" }

        let counters = socket.counters
        #expect(counters.packetsIn >= 2)
        #expect(counters.droppedMalformed == 0)
        #expect(counters.droppedUndecryptable == 0)
        go.terminate()
        try await go.expect("exit") { $0.event == "exited" }
    }

    @Test("a wrong key or no key never joins, and the drop is counted", .timeLimit(.minutes(1)))
    func wrongKey() async throws {
        let go = try Self.goPeer(name: "go1", meta: "", secretPath: try Self.secretDirectory(Self.secret))
        try await go.expect("ready") { $0.event == "ready" }
        let seed = try SocketAddress(ipAddress: "127.0.0.1", port: go.port)
        let wrong = try GossipKeyring(keys: [MetalLBSecretKey.derive(fromSecret: Array("another-secret".utf8))!])
        for (name, keyring) in [("wrongkey", Optional(wrong)), ("nokey", nil)] {
            let socket = try await GossipSocket.bind(host: "127.0.0.1", port: 0, wire: .init(keyring: keyring))
            let me = PushNodeState(
                name: name, addr: [127, 0, 0, 1], port: UInt16(socket.localAddress.port!), meta: nil, incarnation: 1,
                state: 0, vsn: [1, 5, 2, 0, 0, 0])
            // Go cannot read the request and answers with an encrypted error we cannot read.
            await #expect(throws: (any Error).self) {
                _ = try await socket.exchange(PushPull(join: true, nodes: [me]).encoded(), with: seed, timeout: .seconds(3))
            }
            #expect(socket.counters.droppedUndecryptable + socket.counters.droppedMalformed >= 1)
            await socket.close()
        }
        // The Go seed never saw either node join.
        go.command("members")
        let members = try await go.expect("members listing") { $0.event == "members" }
        _ = members
        #expect(!go.log.events.contains { $0.event == "join" && ($0.node == "wrongkey" || $0.node == "nokey") })
        go.crash()
    }
}

/// Reads a user stream request (type 8, {UserMsgLen}, payload) with the core's decoders.
struct MsgPackReaderShim {
    let bytes: [UInt8]
    init(_ bytes: [UInt8]) { self.bytes = bytes }
    mutating func userPayload() -> [UInt8]? {
        guard bytes.first == MessageType.user.rawValue,
            let header = try? UserMessageHeader(body: Array(bytes.dropFirst()))
        else { return nil }
        return Array(bytes.suffix(header.userMsgLen))
    }
}
