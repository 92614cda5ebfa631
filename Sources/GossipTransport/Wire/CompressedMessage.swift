import MsgPack

/// memberlist's `compress` message (type 9): msgpack `{Algo: u8, Buf: []byte}` with Algo 0
/// = LZW (util.go `compressPayload`). Packets use it only when it makes the payload shorter;
/// streams always use it when compression is enabled.
public enum CompressedMessage {
    static let lzwAlgorithm: UInt64 = 0

    /// Why a compress message could not be unpacked.
    public enum DecodeError: Error, Hashable, Sendable {
        case msgpack(MsgPackDecodeError)
        case notAMap
        case unknownAlgorithm(UInt64)
        case lzw(LZW.DecodeError)
    }

    /// `09` + msgpack {Algo: 0, Buf: LZW(payload)} with go-msgpack's sorted keys.
    public static func encode(_ payload: [UInt8]) -> [UInt8] {
        var writer = MsgPackWriter(capacity: payload.count + 16)
        writer.bytes.append(MessageTypeByte.compress)
        writer.writeMapHeader(2)
        writer.writeString("Algo")
        writer.writeUnsigned(lzwAlgorithm)
        writer.writeString("Buf")
        writer.writeBytes(LZW.compress(payload))
        return writer.bytes
    }

    /// Reads the msgpack body at `reader` and returns the decompressed payload.
    public static func decode(reader: inout MsgPackReader, limit: Int) throws(DecodeError) -> [UInt8] {
        let value: MsgPackValue
        do { value = try reader.readValue() } catch { throw .msgpack(error) }
        var algorithm: UInt64 = 0
        var buffer: [UInt8] = []
        switch value {
        case .map:
            if case .uint(let number)? = value["Algo"] { algorithm = number } else if value["Algo"] != nil, value["Algo"] != .nil {
                throw .notAMap
            }
            if case .raw(let raw)? = value["Buf"] { buffer = raw }
        case .array(let fields):
            // go-msgpack also accepts a struct as an array, read in declaration order (Algo, Buf).
            if fields.count > 0, case .uint(let number) = fields[0] { algorithm = number }
            if fields.count > 1, case .raw(let raw) = fields[1] { buffer = raw }
        default:
            throw .notAMap
        }
        guard algorithm == lzwAlgorithm else { throw .unknownAlgorithm(algorithm) }
        do { return try LZW.decompress(buffer, limit: limit) } catch { throw .lzw(error) }
    }
}

/// The framing type bytes this module writes and reads (memberlist net.go `messageType`).
enum MessageTypeByte {
    static let compound: UInt8 = 7
    static let user: UInt8 = 8
    static let compress: UInt8 = 9
    static let encrypt: UInt8 = 10
    static let hasCrc: UInt8 = 12
    static let hasLabel: UInt8 = 244
}
