public import MsgPack

/// A stream responder's report that it could not read the request (memberlist `errResp`,
/// type 13), for example "Encryption is configured but remote state is not encrypted".
public struct ErrorResponse: GossipMessageBody {
    public static let messageType = MessageType.err

    public var error: String

    public init(error: String) { self.error = error }

    public func encodeBody(into writer: inout MsgPackWriter) {
        writer.writeMapHeader(1)
        writer.writeString("Error")
        writer.writeString(error)
    }

    public init(from reader: inout MsgPackReader) throws(MsgPackDecodeError) {
        self.init(error: "")
        try reader.readStruct(fields: ["Error"]) { (key, reader) throws(MsgPackDecodeError) -> Bool in
            guard key == "Error" else { return false }
            error = try reader.readString()
            return true
        }
    }
}
