/// Writes msgpack exactly as hashicorp/go-msgpack 0.5.5 does with a zero-value
/// `codec.MsgpackHandle` (memberlist util.go `encode`).
///
/// - Integers are written by value, not by declared width: non-negative values use the
///   smallest of positive fixint, uint8, uint16, uint32, uint64 (go-msgpack `encodeUint`;
///   signed Go ints go through `encodeInt`, which hands non-negative values to it).
/// - Strings and byte slices use the old-spec raw markers (fixraw, 0xda, 0xdb), never str8
///   or bin, because `WriteExt` is false.
/// - A nil Go slice is msgpack nil (0xc0).
/// - Go structs become maps keyed by field name; message types write their keys sorted.
public struct MsgPackWriter: Sendable {
    /// The bytes written so far.
    public var bytes: [UInt8]

    public init(capacity: Int = 64) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    public mutating func writeNil() { bytes.append(MsgPackMarker.nilValue) }

    public mutating func write(_ value: Bool) {
        bytes.append(value ? MsgPackMarker.trueValue : MsgPackMarker.falseValue)
    }

    /// Writes a non-negative integer in its smallest form (go-msgpack `encodeUint`).
    public mutating func writeUnsigned(_ value: UInt64) {
        switch value {
        case 0...0x7f: bytes.append(UInt8(value))
        case 0x80...0xff: bytes.append(contentsOf: [MsgPackMarker.uint8, UInt8(value)])
        case 0x100...0xffff:
            bytes.append(MsgPackMarker.uint16)
            appendBigEndian(UInt16(value))
        case 0x1_0000...0xffff_ffff:
            bytes.append(MsgPackMarker.uint32)
            appendBigEndian(UInt32(value))
        default:
            bytes.append(MsgPackMarker.uint64)
            appendBigEndian(value)
        }
    }

    /// Writes a signed integer (go-msgpack `encodeInt`): non-negative values exactly as
    /// `writeUnsigned`, negative ones as negative fixint or the smallest int8…int64.
    public mutating func writeSigned(_ value: Int64) {
        switch value {
        case 0...: writeUnsigned(UInt64(value))
        case -32..<0: bytes.append(UInt8(bitPattern: Int8(value)))
        case Int64(Int8.min) ..< -32: bytes.append(contentsOf: [MsgPackMarker.int8, UInt8(bitPattern: Int8(value))])
        case Int64(Int16.min)..<Int64(Int8.min):
            bytes.append(MsgPackMarker.int16)
            appendBigEndian(UInt16(bitPattern: Int16(value)))
        case Int64(Int32.min)..<Int64(Int16.min):
            bytes.append(MsgPackMarker.int32)
            appendBigEndian(UInt32(bitPattern: Int32(value)))
        default:
            bytes.append(MsgPackMarker.int64)
            appendBigEndian(UInt64(bitPattern: value))
        }
    }

    /// Writes a Go string or non-nil byte slice with the old-spec raw markers.
    public mutating func writeRaw(_ raw: some Collection<UInt8>) {
        let count = raw.count
        switch count {
        case 0..<32: bytes.append(0xa0 | UInt8(count))
        case 32..<0x1_0000:
            bytes.append(MsgPackMarker.raw16)
            appendBigEndian(UInt16(count))
        default:
            bytes.append(MsgPackMarker.raw32)
            appendBigEndian(UInt32(truncatingIfNeeded: count))
        }
        bytes.append(contentsOf: raw)
    }

    /// Writes a Go string.
    public mutating func writeString(_ text: String) { writeRaw(Array(text.utf8)) }

    /// Writes a Go `[]byte` field: nil when the slice is nil, raw otherwise.
    public mutating func writeBytes(_ raw: [UInt8]?) {
        if let raw { writeRaw(raw) } else { writeNil() }
    }

    /// Starts a map of `count` entries (fixmap, map16, map32).
    public mutating func writeMapHeader(_ count: Int) {
        writeContainerHeader(
            count,
            fix: 0x80,
            fixLimit: 16,
            sixteen: MsgPackMarker.map16,
            thirtyTwo: MsgPackMarker.map32
        )
    }

    /// Starts an array of `count` elements (fixarray, array16, array32).
    public mutating func writeArrayHeader(_ count: Int) {
        writeContainerHeader(
            count,
            fix: 0x90,
            fixLimit: 16,
            sixteen: MsgPackMarker.array16,
            thirtyTwo: MsgPackMarker.array32
        )
    }

    public mutating func writeFloat32(_ value: Float) {
        bytes.append(MsgPackMarker.float32)
        appendBigEndian(value.bitPattern)
    }

    public mutating func writeFloat64(_ value: Double) {
        bytes.append(MsgPackMarker.float64)
        appendBigEndian(value.bitPattern)
    }

    /// Writes any value with the same rules go-msgpack applies to the matching Go value.
    public mutating func write(_ value: MsgPackValue) {
        switch value {
        case .nil: writeNil()
        case .bool(let flag): write(flag)
        case .int(let number): writeSigned(number)
        case .uint(let number): writeUnsigned(number)
        case .float32(let number): writeFloat32(number)
        case .float64(let number): writeFloat64(number)
        case .raw(let raw): writeRaw(raw)
        case .array(let elements):
            writeArrayHeader(elements.count)
            for element in elements { write(element) }
        case .map(let entries):
            writeMapHeader(entries.count)
            for entry in entries {
                write(entry.key)
                write(entry.value)
            }
        case .ext(let type, let data): writeExt(type: type, data: data)
        }
    }

    /// go-msgpack `encodeExtPreamble` followed by the data.
    mutating func writeExt(type: Int8, data: [UInt8]) {
        let tag = UInt8(bitPattern: type)
        switch data.count {
        case 1: bytes.append(contentsOf: [0xd4, tag])
        case 2: bytes.append(contentsOf: [0xd5, tag])
        case 4: bytes.append(contentsOf: [0xd6, tag])
        case 8: bytes.append(contentsOf: [0xd7, tag])
        case 16: bytes.append(contentsOf: [0xd8, tag])
        case 0..<256: bytes.append(contentsOf: [MsgPackMarker.ext8, UInt8(data.count), tag])
        case 256..<0x1_0000:
            bytes.append(MsgPackMarker.ext16)
            appendBigEndian(UInt16(data.count))
            bytes.append(tag)
        default:
            bytes.append(MsgPackMarker.ext32)
            appendBigEndian(UInt32(truncatingIfNeeded: data.count))
            bytes.append(tag)
        }
        bytes.append(contentsOf: data)
    }

    private mutating func writeContainerHeader(
        _ count: Int,
        fix: UInt8,
        fixLimit: Int,
        sixteen: UInt8,
        thirtyTwo: UInt8
    ) {
        switch count {
        case 0..<fixLimit: bytes.append(fix | UInt8(count))
        case fixLimit..<0x1_0000:
            bytes.append(sixteen)
            appendBigEndian(UInt16(count))
        default:
            bytes.append(thirtyTwo)
            appendBigEndian(UInt32(truncatingIfNeeded: count))
        }
    }

    private mutating func appendBigEndian<T: FixedWidthInteger>(_ value: T) {
        var big = value.bigEndian
        withUnsafeBytes(of: &big) { bytes.append(contentsOf: $0) }
    }
}
