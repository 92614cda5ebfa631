public import MsgPack

/// A compressed wrapper (memberlist `compress`, type 9): `buf` is the LZW-compressed
/// (algorithm 0, LSB order, literal width 8) encoding of a whole message. Compression itself
/// is done by the transport.
public struct Compress: GossipMessageBody {
    public static let messageType = MessageType.compress

    /// The only algorithm memberlist knows.
    public static let lzw: UInt8 = 0

    public var algo: UInt8
    public var buf: [UInt8]

    public init(algo: UInt8 = Compress.lzw, buf: [UInt8]) {
        self.algo = algo
        self.buf = buf
    }

    public func encodeBody(into writer: inout MsgPackWriter) {
        writer.writeMapHeader(2)
        writer.writeString("Algo")
        writer.writeUnsigned(UInt64(algo))
        writer.writeString("Buf")
        writer.writeRaw(buf)
    }

    public init(from reader: inout MsgPackReader) throws(MsgPackDecodeError) {
        self.init(buf: [])
        try reader.readStruct(fields: ["Algo", "Buf"]) { (key, reader) throws(MsgPackDecodeError) -> Bool in
            switch key {
            case "Algo": algo = try reader.readUnsigned()
            case "Buf": buf = try reader.readRaw() ?? []
            default: return false
            }
            return true
        }
    }
}
