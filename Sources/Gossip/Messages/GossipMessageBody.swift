public import MsgPack

/// A memberlist message whose body is one msgpack-encoded Go struct.
///
/// Encoders write the struct's fields as a map with keys in ascending byte order of the Go
/// field names, which is what go-msgpack produces, so the output is byte-identical to a Go
/// peer's (checked against vectors generated from memberlist v0.2.2 itself).
public protocol GossipMessageBody: Sendable, Hashable {
    /// The type byte that precedes the body.
    static var messageType: MessageType { get }
    /// Writes the msgpack body (without the type byte).
    func encodeBody(into writer: inout MsgPackWriter)
    /// Reads the msgpack body (without the type byte).
    init(from reader: inout MsgPackReader) throws(MsgPackDecodeError)
}

extension GossipMessageBody {
    /// The full message: type byte followed by the msgpack body.
    public func encoded() -> [UInt8] {
        var writer = MsgPackWriter()
        writer.bytes.append(Self.messageType.rawValue)
        encodeBody(into: &writer)
        return writer.bytes
    }

    /// Decodes a body that fills `bytes` exactly (trailing bytes are ignored, as Go does).
    public init(body bytes: [UInt8]) throws(MsgPackDecodeError) {
        var reader = MsgPackReader(bytes)
        try self.init(from: &reader)
    }
}
