public import MsgPack

/// A direct probe (memberlist `ping`, type 0), over UDP or as the TCP fallback ping.
///
/// `node` names the intended target so that a restarted process with another name at the
/// same address does not answer for the old one; "" means anyone. The Source fields
/// (omitempty) tell the target where to send the ack.
public struct Ping: GossipMessageBody {
    public static let messageType = MessageType.ping

    public var seqNo: UInt32
    public var node: String
    public var sourceAddr: [UInt8]
    public var sourcePort: UInt16
    public var sourceNode: String

    public init(seqNo: UInt32, node: String, sourceAddr: [UInt8] = [], sourcePort: UInt16 = 0, sourceNode: String = "")
    {
        self.seqNo = seqNo
        self.node = node
        self.sourceAddr = sourceAddr
        self.sourcePort = sourcePort
        self.sourceNode = sourceNode
    }

    public func encodeBody(into writer: inout MsgPackWriter) {
        let omitted = (sourceAddr.isEmpty ? 1 : 0) + (sourceNode.isEmpty ? 1 : 0) + (sourcePort == 0 ? 1 : 0)
        writer.writeMapHeader(5 - omitted)
        writer.writeString("Node")
        writer.writeString(node)
        writer.writeString("SeqNo")
        writer.writeUnsigned(UInt64(seqNo))
        writeSource(into: &writer, addr: sourceAddr, node: sourceNode, port: sourcePort)
    }

    public init(from reader: inout MsgPackReader) throws(MsgPackDecodeError) {
        self.init(seqNo: 0, node: "")
        try reader.readStruct(fields: ["SeqNo", "Node", "SourceAddr", "SourcePort", "SourceNode"]) {
            (key, reader) throws(MsgPackDecodeError) -> Bool in
            switch key {
            case "SeqNo": seqNo = try reader.readUnsigned()
            case "Node": node = try reader.readString()
            case "SourceAddr": sourceAddr = try reader.readRaw() ?? []
            case "SourcePort": sourcePort = try reader.readUnsigned()
            case "SourceNode": sourceNode = try reader.readString()
            default: return false
            }
            return true
        }
    }
}

/// Writes the omitempty Source fields shared by ping and indirect ping, in sorted key order.
func writeSource(into writer: inout MsgPackWriter, addr: [UInt8], node: String, port: UInt16) {
    if !addr.isEmpty {
        writer.writeString("SourceAddr")
        writer.writeRaw(addr)
    }
    if !node.isEmpty {
        writer.writeString("SourceNode")
        writer.writeString(node)
    }
    if port != 0 {
        writer.writeString("SourcePort")
        writer.writeUnsigned(UInt64(port))
    }
}
