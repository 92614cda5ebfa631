/// memberlist's packet (UDP) pipeline, both ways (net.go `rawSendMsgPacket`,
/// `ingestPacket`, `handleCommand`, `handleCompound`, `handleCompressed`).
///
/// Send: message(s) → compound if several → LZW `compress` if shorter → `hasCrc` if the
/// recipient speaks protocol ≥ 5 → AES-GCM → label. Receive does the reverse and returns the
/// plain messages (type byte + body), with compound and compress parts flattened.
public struct GossipPacketCodec: Sendable {
    public var configuration: GossipWireConfiguration

    /// Compound/compress nesting accepted on receive. memberlist never nests, but accepts it.
    static let maximumNesting = 4

    public init(configuration: GossipWireConfiguration) {
        self.configuration = configuration
    }

    /// The result of decoding one datagram.
    public struct DecodedPacket: Sendable, Hashable {
        /// The messages, each starting with its type byte, in order.
        public var messages: [[UInt8]]
        /// Compound parts that were cut short and dropped.
        public var truncatedParts: Int
    }

    /// Frames one datagram holding `messages` (each a whole message with its type byte).
    /// - Parameter checksum: add the `hasCrc` header (recipient's PMax ≥ 5 and known).
    public func encodePacket(_ messages: [[UInt8]], checksum: Bool) throws -> [UInt8] {
        precondition(!messages.isEmpty)
        var payload = messages.count == 1 ? messages[0] : CompoundMessage.encode(messages)
        if configuration.compression {
            let compressed = CompressedMessage.encode(payload)
            if compressed.count < payload.count { payload = compressed }
        }
        if checksum {
            let crc = CRC32.checksum(payload)
            payload = [MessageTypeByte.hasCrc, UInt8(crc >> 24), UInt8((crc >> 16) & 0xFF), UInt8((crc >> 8) & 0xFF), UInt8(crc & 0xFF)] + payload
        }
        if let keyring = configuration.keyring, configuration.verifyOutgoing {
            payload = try PacketEncryption.encrypt(
                payload, key: keyring.primaryKey, version: configuration.encryptionVersion,
                additionalData: configuration.label)
        }
        return PacketLabel.add(configuration.label, to: payload)
    }

    /// Decodes one datagram into its messages. Never traps.
    public func decodePacket(_ datagram: some Collection<UInt8>) throws(PacketDecodeError) -> DecodedPacket {
        var bytes = ArraySlice(Array(datagram))
        guard !bytes.isEmpty else { throw .empty }
        let additionalData = try checkLabel(&bytes)
        if let keyring = configuration.keyring {
            do {
                bytes = ArraySlice(try PacketEncryption.decrypt(bytes, keyring: keyring, additionalData: additionalData))
            } catch {
                // memberlist treats undecryptable input as plaintext unless verify-incoming is set.
                if configuration.verifyIncoming { throw .decrypt(error) }
            }
        }
        if bytes.count >= 5, bytes.first == MessageTypeByte.hasCrc {
            let start = bytes.startIndex
            let expected = UInt32(bytes[start + 1]) << 24 | UInt32(bytes[start + 2]) << 16 | UInt32(bytes[start + 3]) << 8 | UInt32(bytes[start + 4])
            let actual = CRC32.checksum(bytes[(start + 5)...])
            guard expected == actual else { throw .checksumMismatch(expected: expected, actual: actual) }
            bytes = bytes[(start + 5)...]
        }
        var packet = DecodedPacket(messages: [], truncatedParts: 0)
        try flatten(bytes, depth: 0, into: &packet)
        return packet
    }

    /// Strips the label header and checks it; returns the GCM additional data.
    func checkLabel(_ bytes: inout ArraySlice<UInt8>) throws(PacketDecodeError) -> [UInt8] {
        let received: [UInt8]
        do { (received, bytes) = try PacketLabel.strip(bytes) } catch { throw .label(error) }
        if configuration.skipInboundLabelCheck {
            guard received.isEmpty else { throw .label(.mismatch(received: received)) }
            return configuration.label
        }
        guard received == configuration.label else { throw .label(.mismatch(received: received)) }
        return received
    }

    private func flatten(_ message: ArraySlice<UInt8>, depth: Int, into packet: inout DecodedPacket) throws(PacketDecodeError) {
        guard let type = message.first else { throw .emptyPart }
        guard depth <= Self.maximumNesting else { throw .nestedTooDeep }
        switch type {
        case MessageTypeByte.compound:
            let split: (parts: [ArraySlice<UInt8>], truncated: Int)
            do { split = try CompoundMessage.decode(body: message.dropFirst()) } catch { throw .compound(error) }
            packet.truncatedParts += split.truncated
            for part in split.parts {
                try flatten(part, depth: depth + 1, into: &packet)
            }
        case MessageTypeByte.compress:
            var reader = MsgPackReader(Array(message.dropFirst()))
            let inner: [UInt8]
            do {
                inner = try CompressedMessage.decode(reader: &reader, limit: configuration.maximumDecompressedSize)
            } catch { throw .compressed(error) }
            try flatten(ArraySlice(inner), depth: depth + 1, into: &packet)
        case MessageTypeByte.hasCrc, MessageTypeByte.encrypt, MessageTypeByte.hasLabel:
            throw .misplacedFraming(type)
        default:
            packet.messages.append(Array(message))
        }
    }
}

import MsgPack
