public import MsgPack

/// A helper's report that the target of an indirect ping did not answer in time
/// (memberlist `nackResp`, type 11). It carries the requester's sequence number.
public struct Nack: GossipMessageBody {
    public static let messageType = MessageType.nack

    public var seqNo: UInt32

    public init(seqNo: UInt32) { self.seqNo = seqNo }

    public func encodeBody(into writer: inout MsgPackWriter) {
        writer.writeMapHeader(1)
        writer.writeString("SeqNo")
        writer.writeUnsigned(UInt64(seqNo))
    }

    public init(from reader: inout MsgPackReader) throws(MsgPackDecodeError) {
        self.init(seqNo: 0)
        try reader.readStruct(fields: ["SeqNo"]) { (key, reader) throws(MsgPackDecodeError) -> Bool in
            guard key == "SeqNo" else { return false }
            seqNo = try reader.readUnsigned()
            return true
        }
    }
}
