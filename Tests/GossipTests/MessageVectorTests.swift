import Foundation
import Gossip
import MsgPack
import Testing

/// Byte equality, both ways, with encodings produced by memberlist v0.2.2's own `encode`
/// (Vectors/generate.sh writes Vectors/vectors.txt from Debian's Go sources).
@Suite struct MessageVectorTests {
    static let vectors: [String: [UInt8]] = {
        guard let url = Bundle.module.url(forResource: "vectors", withExtension: "txt"),
            let text = try? String(contentsOf: url, encoding: .utf8)
        else { return [:] }
        var result: [String: [UInt8]] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: " ")
            guard parts.count == 2 else { continue }
            result[String(parts[0])] = hexBytes(String(parts[1]))
        }
        return result
    }()

    static func hexBytes(_ hex: String) -> [UInt8] {
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            bytes.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        return bytes
    }

    static let loopback: [UInt8] = [127, 0, 0, 1]
    static let mapped: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 0, 7]
    static let vsn: [UInt8] = [1, 5, 2, 0, 0, 0]
    static let long = String(repeating: "n", count: 40)

    static let messages: [(String, GossipMessage)] = [
        ("ping", .ping(Ping(seqNo: 2, node: "go2", sourceAddr: loopback, sourcePort: 7001, sourceNode: "go1"))),
        ("ping-bare", .ping(Ping(seqNo: .max, node: ""))),
        (
            "indirect-ping",
            .indirectPing(
                IndirectPing(
                    seqNo: 5,
                    target: loopback,
                    port: 7003,
                    node: "go3",
                    nack: true,
                    sourceAddr: loopback,
                    sourcePort: 7001,
                    sourceNode: "go1"
                )
            )
        ),
        (
            "indirect-ping-v6",
            .indirectPing(IndirectPing(seqNo: 300, target: mapped, port: 65535, node: long, nack: false))
        ),
        ("ack", .ack(Ack(seqNo: 2))),
        ("ack-payload", .ack(Ack(seqNo: 70000, payload: Array("coordinates".utf8)))),
        ("ack-empty-payload", .ack(Ack(seqNo: 128, payload: []))),
        ("nack", .nack(Nack(seqNo: 8))),
        ("err", .err(ErrorResponse(error: "Encryption is configured but remote state is not encrypted"))),
        ("suspect", .suspect(Suspect(incarnation: 1, node: "go3", from: "go1"))),
        ("suspect-big", .suspect(Suspect(incarnation: 65536, node: long, from: "x"))),
        ("alive", .alive(Alive(incarnation: 1, node: "go2", addr: loopback, port: 7002, meta: nil, vsn: vsn))),
        (
            "alive-meta",
            .alive(Alive(incarnation: 255, node: "speaker-a", addr: mapped, port: 7946, meta: [1, 2, 3], vsn: vsn))
        ),
        (
            "alive-bigmeta",
            .alive(
                Alive(
                    incarnation: 256,
                    node: "n",
                    addr: loopback,
                    port: 127,
                    meta: Array(repeating: 0x6d, count: 300),
                    vsn: vsn
                )
            )
        ),
        ("dead", .dead(Dead(incarnation: 1, node: "go2", from: "go2"))),
        ("dead-max", .dead(Dead(incarnation: .max, node: "a", from: "b"))),
    ]

    @Test func vectorsWereLoaded() {
        #expect(Self.vectors.count >= 22)
    }

    @Test(arguments: messages)
    func encodesLikeGo(name: String, message: GossipMessage) throws {
        let expected = try #require(Self.vectors[name])
        #expect(message.encoded() == expected)
    }

    @Test(arguments: messages)
    func decodesGoBytes(name: String, message: GossipMessage) throws {
        let bytes = try #require(Self.vectors[name])
        #expect(try GossipMessage(decoding: bytes) == message)
    }

    @Test(arguments: messages)
    func everyTruncatedPrefixFailsCleanly(name: String, message: GossipMessage) {
        let bytes = message.encoded()
        for length in 0..<bytes.count {
            #expect(throws: GossipMessage.DecodeError.self) { try GossipMessage(decoding: Array(bytes.prefix(length))) }
        }
    }

    @Test func pushPullHeadersMatchGo() throws {
        let small = PushPullHeader(nodes: 1, userStateLen: 0, join: true)
        let big = PushPullHeader(nodes: 200, userStateLen: 70000, join: false)
        #expect(small.encoded() == Self.vectors["pushpull-header"])
        #expect(big.encoded() == Self.vectors["pushpull-header-big"])
        #expect(try PushPullHeader(body: Array(try #require(Self.vectors["pushpull-header-big"]).dropFirst())) == big)
    }

    @Test func nodeStatesMatchGo() throws {
        let alive = PushNodeState(
            name: "go2",
            addr: Self.loopback,
            port: 7002,
            meta: nil,
            incarnation: 1,
            state: 0,
            vsn: Self.vsn
        )
        let left = PushNodeState(
            name: "go9",
            addr: Self.mapped,
            port: 7946,
            meta: Array("x".utf8),
            incarnation: 12,
            state: 3,
            vsn: Self.vsn
        )
        for (state, name) in [(alive, "push-node-state"), (left, "push-node-state-left")] {
            let expected = Array(try #require(Self.vectors[name]).dropFirst())
            var writer = MsgPackWriter()
            state.encode(into: &writer)
            #expect(writer.bytes == expected)
            var reader = MsgPackReader(expected)
            #expect(try PushNodeState(from: &reader) == state)
        }
    }

    @Test func userHeaderAndCompressMatchGo() throws {
        #expect(UserMessageHeader(userMsgLen: 14).encoded() == Self.vectors["user-header"])
        #expect(Compress(buf: [0, 1, 2, 3]).encoded() == Self.vectors["compress"])
        #expect(
            try Compress(body: Array(try #require(Self.vectors["compress"]).dropFirst()))
                == Compress(buf: [0, 1, 2, 3])
        )
    }

    /// The captured push/pull join request from memberlist-wire.md section 11.
    @Test func pushPullJoinRequestCapture() throws {
        let capture = Self.hexBytes(
            "0683a44a6f696ec3a54e6f64657301ac5573657253746174654c656e0087a441646472a47f000001ab496e6361726e6174696f6e01a44d657461c0a44e616d65a3676f32a4506f7274cd1b5aa5537461746500a356736ea6010502000000"
        )
        let message = PushPull(
            join: true,
            nodes: [
                PushNodeState(
                    name: "go2",
                    addr: Self.loopback,
                    port: 7002,
                    meta: nil,
                    incarnation: 1,
                    state: 0,
                    vsn: Self.vsn
                )
            ]
        )
        #expect(message.encoded() == capture)
        let (decoded, consumed) = try PushPull.decode(body: Array(capture.dropFirst()))
        #expect(decoded == message)
        #expect(consumed == capture.count - 1)
        for length in 1..<(capture.count - 1) {
            #expect(throws: MsgPackDecodeError.self) { try PushPull.decode(body: Array(capture[1...length])) }
        }
    }

    @Test func pushPullCarriesUserState() throws {
        let message = PushPull(join: false, nodes: [], userState: [9, 8, 7])
        let (decoded, consumed) = try PushPull.decode(body: Array(message.encoded().dropFirst()) + [0xff])
        #expect(decoded == message)
        #expect(consumed == message.encoded().count - 1)
    }

    @Test func framingTypesAreNotPlainMessages() {
        for type: UInt8 in [6, 7, 9, 10, 12, 244, 14, 200] {
            #expect(throws: GossipMessage.DecodeError.unexpectedType(type)) {
                try GossipMessage(decoding: [type, 0x80])
            }
        }
        #expect(throws: GossipMessage.DecodeError.empty) { try GossipMessage(decoding: []) }
    }

    @Test func userPacketIsRawBytes() throws {
        #expect(try GossipMessage(decoding: [8, 1, 2]) == .user([1, 2]))
        #expect(GossipMessage.user([1, 2]).encoded() == [8, 1, 2])
    }
}
