public import MsgPack

/// The answer to a ping (memberlist `ackResp`, type 2), matched by `seqNo` alone because a
/// relayed ack comes from the helper, not from the probed node.
///
/// `payload` is opaque ping-delegate data; nil and empty are distinct on the wire (0xc0 vs
/// 0xa0) and both are kept.
public struct Ack: GossipMessageBody {
    public static let messageType = MessageType.ack

    public var seqNo: UInt32
    public var payload: [UInt8]?

    public init(seqNo: UInt32, payload: [UInt8]? = nil) {
        self.seqNo = seqNo
        self.payload = payload
    }

    public func encodeBody(into writer: inout MsgPackWriter) {
        writer.writeMapHeader(2)
        writer.writeString("Payload")
        writer.writeBytes(payload)
        writer.writeString("SeqNo")
        writer.writeUnsigned(UInt64(seqNo))
    }

    public init(from reader: inout MsgPackReader) throws(MsgPackDecodeError) {
        self.init(seqNo: 0)
        try reader.readStruct(fields: ["SeqNo", "Payload"]) { (key, reader) throws(MsgPackDecodeError) -> Bool in
            switch key {
            case "SeqNo": seqNo = try reader.readUnsigned()
            case "Payload": payload = try reader.readRaw()
            default: return false
            }
            return true
        }
    }
}
