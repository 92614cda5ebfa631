import MsgPack

/// memberlist's stream (TCP) framing (net.go `rawSendMsgStream`, `readStream`,
/// `encryptLocalState`, `decryptRemoteState`).
///
/// A connection carries one message each way: the dialer's request (push/pull, ping, user
/// message) and, for push/pull and ping, the responder's reply. Send: message → LZW
/// `compress` (always, when compression is on) → `0a` + u32 BE length + AES-GCM blob whose
/// additional data is those 5 header bytes (+ label) → label header (dialer only, v0.3+).
/// Receive reverses it; plaintext messages are parsed far enough to know where they end,
/// because memberlist never length-prefixes an unencrypted stream.
public struct GossipStreamCodec: Sendable {
    public var configuration: GossipWireConfiguration

    /// The largest encrypted frame accepted (memberlist `maxPushStateBytes`, 20 MiB).
    public static let maximumFrame = 20 * 1024 * 1024
    /// The most node states accepted in one push/pull (memberlist ≥ 0.6 limit).
    public static let maximumPushPullNodes = 1 << 20

    public init(configuration: GossipWireConfiguration) {
        self.configuration = configuration
    }

    /// Frames one stream message. `dialer`: write the label header (only the dialer does).
    public func encode(_ message: [UInt8], dialer: Bool) throws -> [UInt8] {
        var payload = message
        if configuration.compression {
            payload = CompressedMessage.encode(payload)
        }
        if let keyring = configuration.keyring, configuration.verifyOutgoing {
            let length = PacketEncryption.encryptedLength(configuration.encryptionVersion, inputLength: payload.count)
            let header: [UInt8] = [
                MessageTypeByte.encrypt, UInt8(length >> 24), UInt8((length >> 16) & 0xFF), UInt8((length >> 8) & 0xFF),
                UInt8(length & 0xFF),
            ]
            payload = try header + PacketEncryption.encrypt(
                payload, key: keyring.primaryKey, version: configuration.encryptionVersion,
                additionalData: header + configuration.label)
        }
        return dialer ? PacketLabel.add(configuration.label, to: payload) : payload
    }

    /// Decodes one stream message from the start of `buffer`.
    /// - Parameter dialerSide: whether the bytes come from the dialer (who sends the label header).
    /// - Returns: the plain message (type byte + body) and the bytes it used, or nil when more
    ///   bytes are needed. At end of stream, a nil means the peer sent a truncated message.
    public func decode(_ buffer: [UInt8], fromDialer dialerSide: Bool) throws(PacketDecodeError) -> (message: [UInt8], consumed: Int)? {
        var bytes = ArraySlice(buffer)
        var additionalData = configuration.label
        if dialerSide, !configuration.label.isEmpty || bytes.first == MessageTypeByte.hasLabel {
            if bytes.first == MessageTypeByte.hasLabel, bytes.count < 2 { return nil }
            if bytes.first == MessageTypeByte.hasLabel, bytes.count < 2 + Int(bytes[bytes.startIndex + 1]) { return nil }
            let codec = GossipPacketCodec(configuration: configuration)
            additionalData = try codec.checkLabel(&bytes)
        }
        guard let first = bytes.first else { return nil }
        if first == MessageTypeByte.encrypt {
            guard let keyring = configuration.keyring else { throw .decrypt(.noKeyMatched) }
            guard bytes.count >= 5 else { return nil }
            let start = bytes.startIndex
            let header = Array(bytes[start..<(start + 5)])
            let length = Int(header[1]) << 24 | Int(header[2]) << 16 | Int(header[3]) << 8 | Int(header[4])
            guard length <= Self.maximumFrame else { throw .streamTooLarge(length) }
            guard bytes.count >= 5 + length else { return nil }
            let blob = bytes[(start + 5)..<(start + 5 + length)]
            let plain: [UInt8]
            do {
                plain = try PacketEncryption.decrypt(blob, keyring: keyring, additionalData: header + additionalData)
            } catch { throw .decrypt(error) }
            let message = try unwrapCompletePlaintext(plain)
            return (message, bytes.startIndex + 5 + length - buffer.startIndex)
        }
        if configuration.keyring != nil, configuration.verifyIncoming { throw .notEncrypted }
        guard let (message, used) = try unwrapPlaintext(Array(bytes)) else { return nil }
        return (message, bytes.startIndex - buffer.startIndex + used)
    }

    /// A decrypted payload is complete by construction: incompleteness is an error.
    private func unwrapCompletePlaintext(_ plain: [UInt8]) throws(PacketDecodeError) -> [UInt8] {
        guard let (message, _) = try unwrapPlaintext(plain) else { throw .truncatedStream }
        return message
    }

    /// Decompresses if needed and finds the end of the message; nil = need more bytes.
    private func unwrapPlaintext(_ bytes: [UInt8]) throws(PacketDecodeError) -> (message: [UInt8], consumed: Int)? {
        guard let first = bytes.first else { return nil }
        if first == MessageTypeByte.compress {
            var reader = MsgPackReader(bytes, offset: 1)
            let inner: [UInt8]
            do {
                inner = try CompressedMessage.decode(reader: &reader, limit: configuration.maximumDecompressedSize)
            } catch {
                if case .msgpack(let error) = error, Self.meansTruncated(error) { return nil }
                throw .compressed(error)
            }
            guard let length = try Self.messageLength(inner) else { throw .truncatedStream }
            return (Array(inner.prefix(length)), reader.offset)
        }
        guard let length = try Self.messageLength(bytes) else { return nil }
        return (Array(bytes.prefix(length)), length)
    }

    /// The length of the stream message at the start of `bytes` (type byte included), or
    /// nil if it is not complete yet. Push/pull: header, `Nodes` node states, then
    /// `UserStateLen` raw bytes; user: header then `UserMsgLen` raw bytes; ping, ack, err:
    /// one msgpack value.
    static func messageLength(_ bytes: [UInt8]) throws(PacketDecodeError) -> Int? {
        guard let type = bytes.first else { return nil }
        var reader = MsgPackReader(bytes, offset: 1)
        do {
            switch type {
            case 6:
                let header = try reader.readValue()
                let nodes = Self.integer(header["Nodes"])
                let userState = Self.integer(header["UserStateLen"])
                guard nodes >= 0, nodes <= maximumPushPullNodes, userState >= 0, userState <= maximumFrame else {
                    throw PacketDecodeError.streamTooLarge(max(nodes, userState))
                }
                for _ in 0..<nodes { try reader.skipValue() }
                guard reader.remaining >= userState else { return nil }
                return reader.offset + userState
            case MessageTypeByte.user:
                let header = try reader.readValue()
                let length = Self.integer(header["UserMsgLen"])
                guard length >= 0, length <= maximumFrame else { throw PacketDecodeError.streamTooLarge(length) }
                guard reader.remaining >= length else { return nil }
                return reader.offset + length
            default:
                try reader.skipValue()
                return reader.offset
            }
        } catch let error as MsgPackDecodeError {
            if Self.meansTruncated(error) { return nil }
            throw .streamMsgPack(error)
        } catch let error as PacketDecodeError {
            throw error
        } catch {
            throw .truncatedStream
        }
    }

    /// On a stream, a value that runs past the received bytes only means "not yet arrived".
    static func meansTruncated(_ error: MsgPackDecodeError) -> Bool {
        switch error.reason {
        case .truncated, .lengthTooLarge: return true
        default: return false
        }
    }

    private static func integer(_ value: MsgPackValue?) -> Int {
        switch value {
        case .uint(let number)?: return number <= UInt64(Int.max) ? Int(number) : Int.max
        case .int?: return -1
        default: return 0
        }
    }
}
