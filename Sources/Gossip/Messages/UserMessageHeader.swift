public import MsgPack

/// The header of a reliable (stream) user message (memberlist `userMsgHeader`): type 8,
/// this map, then `userMsgLen` raw bytes. Packet user messages have no header: type 8 is
/// followed directly by the data.
public struct UserMessageHeader: GossipMessageBody {
    public static let messageType = MessageType.user

    public var userMsgLen: Int

    public init(userMsgLen: Int) { self.userMsgLen = userMsgLen }

    public func encodeBody(into writer: inout MsgPackWriter) {
        writer.writeMapHeader(1)
        writer.writeString("UserMsgLen")
        writer.writeSigned(Int64(userMsgLen))
    }

    public init(from reader: inout MsgPackReader) throws(MsgPackDecodeError) {
        self.init(userMsgLen: 0)
        try reader.readStruct(fields: ["UserMsgLen"]) { (key, reader) throws(MsgPackDecodeError) -> Bool in
            guard key == "UserMsgLen" else { return false }
            userMsgLen = try reader.readSigned()
            return true
        }
    }
}
