import GossipTransport
import SwiftLBTestKit
import Testing

@Suite("memberlist packet framing")
struct PacketCodecTests {
    @Test("decrypts Go's version-1 encrypted ack (AES-128)")
    func goEncryptedAckV1() throws {
        let codec = GossipPacketCodec(configuration: .init(keyring: try GossipKeyring(keys: [WireVectors.key128])))
        let packet = try codec.decodePacket(WireVectors.encryptedAckV1)
        #expect(packet.messages == [WireVectors.ackSeq1])
    }

    @Test("decrypts Go's version-0 padded packet (AES-256) and checks its CRC")
    func goEncryptedSuspectV0() throws {
        let codec = GossipPacketCodec(configuration: .init(keyring: try GossipKeyring(keys: [WireVectors.key256])))
        let packet = try codec.decodePacket(WireVectors.encryptedSuspectV0)
        #expect(packet.messages.count == 1)
        #expect(packet.messages[0].first == 3)
        #expect(packet.messages[0].count == 33)
    }

    @Test("decrypts the labelled packet of memberlist v0.5.0 (label is the AD)")
    func labelledEncrypted() throws {
        let keyring = try GossipKeyring(keys: [WireVectors.key128])
        let codec = GossipPacketCodec(configuration: .init(keyring: keyring, label: Array("prod".utf8)))
        #expect(try codec.decodePacket(WireVectors.labelledEncryptedAck).messages == [WireVectors.ackSeq1])
        let wrongLabel = GossipPacketCodec(configuration: .init(keyring: keyring, label: Array("test".utf8)))
        #expect(throws: PacketDecodeError.label(.mismatch(received: Array("prod".utf8)))) {
            try wrongLabel.decodePacket(WireVectors.labelledEncryptedAck)
        }
        let noLabel = GossipPacketCodec(configuration: .init(keyring: keyring))
        #expect(throws: PacketDecodeError.self) { try noLabel.decodePacket(WireVectors.labelledEncryptedAck) }
    }

    @Test("a second keyring key decrypts; a wrong key is an undecryptable drop")
    func keyring() throws {
        let other = [UInt8](repeating: 9, count: 16)
        let rotated = GossipPacketCodec(configuration: .init(keyring: try GossipKeyring(keys: [other, WireVectors.key128])))
        #expect(try rotated.decodePacket(WireVectors.encryptedAckV1).messages == [WireVectors.ackSeq1])
        let wrong = GossipPacketCodec(configuration: .init(keyring: try GossipKeyring(keys: [other])))
        do {
            _ = try wrong.decodePacket(WireVectors.encryptedAckV1)
            Issue.record("decrypted with the wrong key")
        } catch {
            #expect(error == .decrypt(.noKeyMatched))
            #expect(error.isUndecryptable)
        }
    }

    @Test("without verify-incoming, plaintext is accepted by an encrypting node")
    func verifyIncomingOff() throws {
        let keyring = try GossipKeyring(keys: [WireVectors.key128])
        let strict = GossipPacketCodec(configuration: .init(keyring: keyring))
        #expect(throws: PacketDecodeError.self) { try strict.decodePacket(WireVectors.ackSeq1) }
        let lenient = GossipPacketCodec(configuration: .init(keyring: keyring, verifyIncoming: false))
        #expect(try lenient.decodePacket(WireVectors.ackSeq1).messages == [WireVectors.ackSeq1])
    }

    @Test("reads Go's CRC'd leave and rejects a flipped bit")
    func crc() throws {
        let codec = GossipPacketCodec(configuration: .init())
        let packet = try codec.decodePacket(WireVectors.crcLeave)
        #expect(packet.messages == [Array(WireVectors.crcLeave.dropFirst(5))])
        var corrupted = WireVectors.crcLeave
        corrupted[20] ^= 1
        #expect(throws: PacketDecodeError.self) { try codec.decodePacket(corrupted) }
        // Our CRC matches Go's for the same payload.
        let encoded = try GossipPacketCodec(configuration: .init(compression: false))
            .encodePacket([Array(WireVectors.crcLeave.dropFirst(5))], checksum: true)
        #expect(encoded == WireVectors.crcLeave)
    }

    @Test("every combination of compound, compression, CRC, encryption and label round-trips")
    func roundTripMatrix() throws {
        var random = SeededRandomNumberGenerator(seed: 3)
        let keys: [[UInt8]] = [16, 24, 32].map { length in (0..<length).map { _ in UInt8.random(in: 0...255, using: &random) } }
        let messages: [[UInt8]] = [
            WireVectors.ackSeq1,
            Array(WireVectors.crcLeave.dropFirst(5)),
            [8] + Array(String(repeating: "user payload ", count: 40).utf8),
        ]
        for key in keys {
            for version in [PacketEncryption.Version.paddedV0, .unpaddedV1] {
                for label in [[], Array("prod".utf8)] {
                    for compression in [false, true] {
                        for checksum in [false, true] {
                            let configuration = GossipWireConfiguration(
                                keyring: try GossipKeyring(keys: [key]), encryptionVersion: version, label: label,
                                compression: compression)
                            let codec = GossipPacketCodec(configuration: configuration)
                            for parts in [[messages[0]], messages] {
                                let datagram = try codec.encodePacket(parts, checksum: checksum)
                                #expect(try codec.decodePacket(datagram).messages == parts)
                            }
                        }
                    }
                }
            }
        }
    }

    @Test("compression is kept only when it makes the packet shorter")
    func compressionOnlyWhenShorter() throws {
        let codec = GossipPacketCodec(configuration: .init())
        #expect(try codec.encodePacket([WireVectors.ackSeq1], checksum: false) == WireVectors.ackSeq1)
        let big = [8] + [UInt8](repeating: 0x41, count: 1000)
        let encoded = try codec.encodePacket([big], checksum: false)
        #expect(encoded.first == 9)
        #expect(encoded.count < big.count)
    }

    @Test("truncated compound parts are dropped and counted")
    func truncatedCompound() throws {
        var compound = CompoundMessage.encode([WireVectors.ackSeq1, WireVectors.ackSeq1])
        compound.removeLast(3)
        let packet = try GossipPacketCodec(configuration: .init()).decodePacket(compound)
        #expect(packet.messages == [WireVectors.ackSeq1])
        #expect(packet.truncatedParts == 1)
    }

    @Test("random and mutated datagrams never trap")
    func fuzzish() throws {
        var random = SeededRandomNumberGenerator(seed: 11)
        let keyring = try GossipKeyring(keys: [WireVectors.key128])
        let codecs = [
            GossipPacketCodec(configuration: .init()),
            GossipPacketCodec(configuration: .init(keyring: keyring, verifyIncoming: false)),
        ]
        let seeds = [WireVectors.crcLeave, WireVectors.encryptedAckV1, WireVectors.compressedUserStream, CompoundMessage.encode([WireVectors.ackSeq1])]
        for _ in 0..<3000 {
            var bytes = seeds[Int.random(in: 0..<seeds.count, using: &random)]
            for _ in 0..<Int.random(in: 1...4, using: &random) where !bytes.isEmpty {
                bytes[Int.random(in: 0..<bytes.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
            }
            if Bool.random(using: &random) { bytes = Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &random))) }
            for codec in codecs { _ = try? codec.decodePacket(bytes) }
        }
    }
}

@Suite("memberlist stream framing")
struct StreamCodecTests {
    @Test("decodes Go's compressed user stream, also when it arrives byte by byte")
    func goCompressedStream() throws {
        let codec = GossipStreamCodec(configuration: .init())
        let stream = WireVectors.compressedUserStream
        for cut in 0..<stream.count {
            #expect(try codec.decode(Array(stream.prefix(cut)), fromDialer: true) == nil)
        }
        let decoded = try #require(try codec.decode(stream, fromDialer: true))
        #expect(decoded.message == WireVectors.userStreamPlain)
        #expect(decoded.consumed == stream.count)
        #expect(try codec.encode(WireVectors.userStreamPlain, dialer: true) == stream)
    }

    @Test("plaintext push/pull ends after its node states and user state")
    func plaintextPushPull() throws {
        let joinRequest = hex(
            "06 83 a4 4a 6f 69 6e c3 a5 4e 6f 64 65 73 01 ac 55 73 65 72 53 74 61 74 65 4c 65 6e 00 87 a4 41 64 64 72 a4 7f 00 00 01 ab 49 6e 63 61 72 6e 61 74 69 6f 6e 01 a4 4d 65 74 61 c0 a4 4e 61 6d 65 a3 67 6f 32 a4 50 6f 72 74 cd 1b 5a a5 53 74 61 74 65 00 a3 56 73 6e a6 01 05 02 00 00 00"
        )
        let codec = GossipStreamCodec(configuration: .init(compression: false))
        #expect(try codec.decode(Array(joinRequest.dropLast()), fromDialer: true) == nil)
        let decoded = try #require(try codec.decode(joinRequest + [0xff], fromDialer: true))
        #expect(decoded.message == joinRequest)
        #expect(decoded.consumed == joinRequest.count)
    }

    @Test("encrypted streams round-trip with and without labels; the header is the AD")
    func encryptedStreams() throws {
        let keyring = try GossipKeyring(keys: [WireVectors.key256])
        for label in [[], Array("prod".utf8)] {
            let codec = GossipStreamCodec(configuration: .init(keyring: keyring, label: label))
            let framed = try codec.encode(WireVectors.userStreamPlain, dialer: true)
            #expect(framed.starts(with: label.isEmpty ? [10] : [0xf4, 4] + label + [10]))
            #expect(try codec.decode(Array(framed.dropLast()), fromDialer: true) == nil)
            let decoded = try #require(try codec.decode(framed, fromDialer: true))
            #expect(decoded.message == WireVectors.userStreamPlain)
            let reply = try codec.encode(WireVectors.ackSeq1, dialer: false)
            #expect(try codec.decode(reply, fromDialer: false)?.message == WireVectors.ackSeq1)
            // Tampering with the length header breaks authentication.
            var tampered = framed
            tampered[label.isEmpty ? 4 : 10] &+= 0
            tampered[tampered.count - 1] ^= 0x80
            #expect(throws: PacketDecodeError.self) { try codec.decode(tampered, fromDialer: true) }
        }
        let plainCodec = GossipStreamCodec(configuration: .init(keyring: keyring))
        #expect(throws: PacketDecodeError.notEncrypted) { try plainCodec.decode(WireVectors.ackSeq1, fromDialer: true) }
    }
}

@Suite("MetalLB memberlist key")
struct MetalLBKeyTests {
    @Test("short secrets are padded with SHA-256 of nothing; long ones are truncated")
    func derivation() throws {
        let secret = Array("0123456789abcdefghijkl".utf8)  // 22 bytes, as MetalLB generates
        let key = try #require(MetalLBSecretKey.derive(fromSecret: secret))
        #expect(key.count == 32)
        #expect(Array(key.prefix(22)) == secret)
        #expect(Array(key.suffix(10)) == hex("e3 b0 c4 42 98 fc 1c 14 9a fb"))
        let long = Array(0..<40).map { UInt8($0) }
        #expect(MetalLBSecretKey.derive(fromSecret: long) == Array(long.prefix(32)))
        #expect(MetalLBSecretKey.derive(fromSecret: [UInt8]()) == nil)
    }

    @Test("keys of 16, 24 and 32 bytes are accepted, others rejected")
    func keyLengths() {
        for length in [16, 24, 32] { #expect(throws: Never.self) { try GossipKeyring(keys: [[UInt8](repeating: 1, count: length)]) } }
        for length in [0, 15, 31, 33] { #expect(throws: GossipKeyring.InvalidKeyLength.self) { try GossipKeyring(keys: [[UInt8](repeating: 1, count: length)]) } }
    }
}
