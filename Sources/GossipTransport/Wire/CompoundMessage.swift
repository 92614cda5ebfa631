/// memberlist's compound message (type 7, util.go `makeCompoundMessage`): `07`, a part
/// count byte, one big-endian u16 length per part, then the parts back to back. Each part
/// is a whole message with its own type byte.
public enum CompoundMessage {
    /// The most parts one compound may carry. memberlist v0.2.2 computes `count*2` in 8 bits,
    /// so 128+ parts are misparsed there; 127 keeps every release safe.
    public static let maxParts = 127

    /// Why a compound body could not be split.
    public enum DecodeError: Error, Hashable, Sendable {
        case missingCount
        case truncatedLengths
    }

    /// Frames `parts` (1…127 non-empty messages, each < 64 KiB) as one compound message.
    public static func encode(_ parts: [[UInt8]]) -> [UInt8] {
        precondition(parts.count <= maxParts && parts.allSatisfy { !$0.isEmpty && $0.count <= 0xFFFF })
        var out: [UInt8] = [7, UInt8(parts.count)]
        out.reserveCapacity(2 + parts.count * 2 + parts.reduce(0) { $0 + $1.count })
        for part in parts {
            out.append(UInt8(part.count >> 8))
            out.append(UInt8(part.count & 0xFF))
        }
        for part in parts { out += part }
        return out
    }

    /// Splits a compound *body* (the bytes after the 07 type byte). Complete parts are
    /// returned; `truncated` counts trailing parts cut short (memberlist logs and drops them).
    public static func decode(body: ArraySlice<UInt8>) throws(DecodeError) -> (parts: [ArraySlice<UInt8>], truncated: Int) {
        guard let count = body.first.map(Int.init) else { throw .missingCount }
        var index = body.startIndex + 1
        guard body.endIndex - index >= count * 2 else { throw .truncatedLengths }
        var lengths: [Int] = []
        lengths.reserveCapacity(count)
        for _ in 0..<count {
            lengths.append(Int(body[index]) << 8 | Int(body[index + 1]))
            index += 2
        }
        var parts: [ArraySlice<UInt8>] = []
        for (position, length) in lengths.enumerated() {
            guard body.endIndex - index >= length else { return (parts, count - position) }
            parts.append(body[index..<(index + length)])
            index += length
        }
        return (parts, 0)
    }
}
