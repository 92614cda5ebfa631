public import MsgPack

/// A declaration that `node` failed (memberlist `dead`, type 5). With `from == node` it is a
/// graceful leave and receivers mark the node left rather than dead.
public struct Dead: GossipMessageBody {
    public static let messageType = MessageType.dead

    public var incarnation: UInt32
    public var node: String
    public var from: String

    public init(incarnation: UInt32, node: String, from: String) {
        self.incarnation = incarnation
        self.node = node
        self.from = from
    }

    public func encodeBody(into writer: inout MsgPackWriter) {
        writer.writeMapHeader(3)
        writer.writeString("From")
        writer.writeString(from)
        writer.writeString("Incarnation")
        writer.writeUnsigned(UInt64(incarnation))
        writer.writeString("Node")
        writer.writeString(node)
    }

    public init(from reader: inout MsgPackReader) throws(MsgPackDecodeError) {
        self.init(incarnation: 0, node: "", from: "")
        try reader.readStruct(fields: ["Incarnation", "Node", "From"]) {
            (key, reader) throws(MsgPackDecodeError) -> Bool in
            switch key {
            case "Incarnation": incarnation = try reader.readUnsigned()
            case "Node": node = try reader.readString()
            case "From": from = try reader.readString()
            default: return false
            }
            return true
        }
    }
}
