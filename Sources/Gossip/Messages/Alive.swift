public import MsgPack

/// A statement that `node` is alive at `incarnation` (memberlist `alive`, type 4). It doubles
/// as the join announcement, the refutation of a suspicion and the metadata update.
public struct Alive: GossipMessageBody {
    public static let messageType = MessageType.alive

    public var incarnation: UInt32
    public var node: String
    /// Raw IP bytes, 4 or 16 long.
    public var addr: [UInt8]
    public var port: UInt16
    /// Application metadata (≤ 512 bytes in memberlist); nil and empty are kept distinct.
    public var meta: [UInt8]?
    /// [PMin, PMax, PCur, DMin, DMax, DCur]; always send six bytes.
    public var vsn: [UInt8]

    public init(incarnation: UInt32, node: String, addr: [UInt8], port: UInt16, meta: [UInt8]?, vsn: [UInt8]) {
        self.incarnation = incarnation
        self.node = node
        self.addr = addr
        self.port = port
        self.meta = meta
        self.vsn = vsn
    }

    public func encodeBody(into writer: inout MsgPackWriter) {
        writer.writeMapHeader(6)
        writer.writeString("Addr")
        writer.writeRaw(addr)
        writer.writeString("Incarnation")
        writer.writeUnsigned(UInt64(incarnation))
        writer.writeString("Meta")
        writer.writeBytes(meta)
        writer.writeString("Node")
        writer.writeString(node)
        writer.writeString("Port")
        writer.writeUnsigned(UInt64(port))
        writer.writeString("Vsn")
        writer.writeRaw(vsn)
    }

    public init(from reader: inout MsgPackReader) throws(MsgPackDecodeError) {
        self.init(incarnation: 0, node: "", addr: [], port: 0, meta: nil, vsn: [])
        let fields = ["Incarnation", "Node", "Addr", "Port", "Meta", "Vsn"]
        try reader.readStruct(fields: fields) { (key, reader) throws(MsgPackDecodeError) -> Bool in
            switch key {
            case "Incarnation": incarnation = try reader.readUnsigned()
            case "Node": node = try reader.readString()
            case "Addr": addr = try reader.readRaw() ?? []
            case "Port": port = try reader.readUnsigned()
            case "Meta": meta = try reader.readRaw()
            case "Vsn": vsn = try readVsn(&reader)
            default: return false
            }
            return true
        }
    }
}

/// Reads a Go `[]uint8` field, which go-msgpack writes as raw bytes but also accepts as an
/// array of small integers.
func readVsn(_ reader: inout MsgPackReader) throws(MsgPackDecodeError) -> [UInt8] {
    let marker = try reader.peek()
    guard (0x90...0x9f).contains(marker) || marker == 0xdc || marker == 0xdd else { return try reader.readRaw() ?? [] }
    let count = try reader.readArrayHeader()
    var result: [UInt8] = []
    for _ in 0..<count { result.append(try reader.readUnsigned()) }
    return result
}
