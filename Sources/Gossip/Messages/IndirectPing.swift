public import MsgPack

/// A request to probe `node` on the sender's behalf (memberlist `indirectPingReq`, type 1).
///
/// The helper pings the target with its own sequence number and relays the ack with the
/// requester's `seqNo`; with `nack` set it answers a nack when no ack came within its probe
/// timeout (Lifeguard's check of the requester's own health).
public struct IndirectPing: GossipMessageBody {
    public static let messageType = MessageType.indirectPing

    public var seqNo: UInt32
    public var target: [UInt8]
    public var port: UInt16
    public var node: String
    public var nack: Bool
    public var sourceAddr: [UInt8]
    public var sourcePort: UInt16
    public var sourceNode: String

    public init(
        seqNo: UInt32,
        target: [UInt8],
        port: UInt16,
        node: String,
        nack: Bool,
        sourceAddr: [UInt8] = [],
        sourcePort: UInt16 = 0,
        sourceNode: String = ""
    ) {
        self.seqNo = seqNo
        self.target = target
        self.port = port
        self.node = node
        self.nack = nack
        self.sourceAddr = sourceAddr
        self.sourcePort = sourcePort
        self.sourceNode = sourceNode
    }

    public func encodeBody(into writer: inout MsgPackWriter) {
        let omitted = (sourceAddr.isEmpty ? 1 : 0) + (sourceNode.isEmpty ? 1 : 0) + (sourcePort == 0 ? 1 : 0)
        writer.writeMapHeader(8 - omitted)
        writer.writeString("Nack")
        writer.write(nack)
        writer.writeString("Node")
        writer.writeString(node)
        writer.writeString("Port")
        writer.writeUnsigned(UInt64(port))
        writer.writeString("SeqNo")
        writer.writeUnsigned(UInt64(seqNo))
        writeSource(into: &writer, addr: sourceAddr, node: sourceNode, port: sourcePort)
        writer.writeString("Target")
        writer.writeRaw(target)
    }

    public init(from reader: inout MsgPackReader) throws(MsgPackDecodeError) {
        self.init(seqNo: 0, target: [], port: 0, node: "", nack: false)
        let fields = ["SeqNo", "Target", "Port", "Node", "Nack", "SourceAddr", "SourcePort", "SourceNode"]
        try reader.readStruct(fields: fields) { (key, reader) throws(MsgPackDecodeError) -> Bool in
            switch key {
            case "SeqNo": seqNo = try reader.readUnsigned()
            case "Target": target = try reader.readRaw() ?? []
            case "Port": port = try reader.readUnsigned()
            case "Node": node = try reader.readString()
            case "Nack": nack = try reader.readBool()
            case "SourceAddr": sourceAddr = try reader.readRaw() ?? []
            case "SourcePort": sourcePort = try reader.readUnsigned()
            case "SourceNode": sourceNode = try reader.readString()
            default: return false
            }
            return true
        }
    }
}
