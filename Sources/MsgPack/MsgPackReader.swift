/// Reads msgpack values from a byte array without ever trapping.
///
/// Every length is checked against the bytes that remain before anything is allocated, and
/// nesting is limited by `maximumDepth`, so hostile input ends in a `MsgPackDecodeError`.
/// Typed readers accept every encoding go-msgpack's decoder accepts for the matching Go type
/// (any integer marker whose value fits, str8/bin as well as raw for strings and bytes, nil
/// as the zero value), since newer memberlist versions (go-msgpack v2) write signed ints with
/// the int16…int64 markers.
public struct MsgPackReader: Sendable {
    /// The input.
    public let bytes: [UInt8]
    /// The index of the next unread byte.
    public private(set) var offset: Int
    /// The deepest nesting of arrays and maps accepted.
    public var maximumDepth: Int

    public init(_ bytes: [UInt8], offset: Int = 0, maximumDepth: Int = 32) {
        self.bytes = bytes
        self.offset = offset
        self.maximumDepth = maximumDepth
    }

    /// Whether every byte has been read.
    public var isAtEnd: Bool { offset >= bytes.count }

    /// The number of unread bytes.
    public var remaining: Int { bytes.count - offset }

    /// The next byte, without consuming it.
    public func peek() throws(MsgPackDecodeError) -> UInt8 {
        guard offset < bytes.count else { throw MsgPackDecodeError(offset: offset, reason: .truncated) }
        return bytes[offset]
    }

    /// Whether the next value is msgpack nil.
    public func nextIsNil() -> Bool { offset < bytes.count && bytes[offset] == MsgPackMarker.nilValue }

    /// Consumes `count` raw bytes (for data that follows a msgpack header, e.g. user state).
    public mutating func readBytes(count: Int) throws(MsgPackDecodeError) -> [UInt8] {
        guard count >= 0, count <= remaining else {
            throw MsgPackDecodeError(offset: offset, reason: count < 0 ? .lengthTooLarge(count) : .truncated)
        }
        let slice = Array(bytes[offset..<(offset + count)])
        offset += count
        return slice
    }

    // MARK: Values

    /// Reads one complete value of any kind.
    public mutating func readValue() throws(MsgPackDecodeError) -> MsgPackValue {
        try readValue(depth: 0)
    }

    /// Skips one complete value of any kind.
    public mutating func skipValue() throws(MsgPackDecodeError) {
        _ = try readValue(depth: 0)
    }

    private mutating func readValue(depth: Int) throws(MsgPackDecodeError) -> MsgPackValue {
        let start = offset
        let marker = try readByte()
        switch marker {
        case 0x00...0x7f: return .uint(UInt64(marker))
        case 0x80...0x8f: return try readMapBody(count: Int(marker & 0x0f), depth: depth, start: start)
        case 0x90...0x9f: return try readArrayBody(count: Int(marker & 0x0f), depth: depth, start: start)
        case 0xa0...0xbf: return .raw(try readBytes(count: Int(marker & 0x1f)))
        case 0xe0...0xff: return .int(Int64(Int8(bitPattern: marker)))
        case MsgPackMarker.nilValue: return .nil
        case MsgPackMarker.falseValue: return .bool(false)
        case MsgPackMarker.trueValue: return .bool(true)
        case MsgPackMarker.bin8, MsgPackMarker.str8:
            return .raw(try readBytes(count: Int(try readBigEndian(UInt8.self))))
        case MsgPackMarker.bin16, MsgPackMarker.raw16:
            return .raw(try readBytes(count: Int(try readBigEndian(UInt16.self))))
        case MsgPackMarker.bin32, MsgPackMarker.raw32:
            return .raw(try readBytes(count: Int(try readBigEndian(UInt32.self))))
        case MsgPackMarker.ext8: return try readExt(length: Int(try readBigEndian(UInt8.self)))
        case MsgPackMarker.ext16: return try readExt(length: Int(try readBigEndian(UInt16.self)))
        case MsgPackMarker.ext32: return try readExt(length: Int(try readBigEndian(UInt32.self)))
        case MsgPackMarker.float32: return .float32(Float(bitPattern: try readBigEndian(UInt32.self)))
        case MsgPackMarker.float64: return .float64(Double(bitPattern: try readBigEndian(UInt64.self)))
        case MsgPackMarker.uint8: return .uint(UInt64(try readBigEndian(UInt8.self)))
        case MsgPackMarker.uint16: return .uint(UInt64(try readBigEndian(UInt16.self)))
        case MsgPackMarker.uint32: return .uint(UInt64(try readBigEndian(UInt32.self)))
        case MsgPackMarker.uint64: return .uint(try readBigEndian(UInt64.self))
        case MsgPackMarker.int8: return .integer(Int64(Int8(bitPattern: try readBigEndian(UInt8.self))))
        case MsgPackMarker.int16: return .integer(Int64(Int16(bitPattern: try readBigEndian(UInt16.self))))
        case MsgPackMarker.int32: return .integer(Int64(Int32(bitPattern: try readBigEndian(UInt32.self))))
        case MsgPackMarker.int64: return .integer(Int64(bitPattern: try readBigEndian(UInt64.self)))
        case 0xd4...0xd8: return try readExt(length: 1 << Int(marker - MsgPackMarker.fixExt1))
        case MsgPackMarker.array16:
            return try readArrayBody(count: Int(try readBigEndian(UInt16.self)), depth: depth, start: start)
        case MsgPackMarker.array32:
            return try readArrayBody(count: Int(try readBigEndian(UInt32.self)), depth: depth, start: start)
        case MsgPackMarker.map16:
            return try readMapBody(count: Int(try readBigEndian(UInt16.self)), depth: depth, start: start)
        case MsgPackMarker.map32:
            return try readMapBody(count: Int(try readBigEndian(UInt32.self)), depth: depth, start: start)
        default: throw MsgPackDecodeError(offset: start, reason: .invalidMarker(marker))
        }
    }

    private mutating func readExt(length: Int) throws(MsgPackDecodeError) -> MsgPackValue {
        let type = Int8(bitPattern: try readByte())
        return .ext(type: type, data: try readBytes(count: length))
    }

    private mutating func readArrayBody(count: Int, depth: Int, start: Int) throws(MsgPackDecodeError) -> MsgPackValue {
        guard depth < maximumDepth else { throw MsgPackDecodeError(offset: start, reason: .tooDeep) }
        // Every element takes at least one byte.
        guard count <= remaining else { throw MsgPackDecodeError(offset: start, reason: .lengthTooLarge(count)) }
        var elements: [MsgPackValue] = []
        elements.reserveCapacity(count)
        for _ in 0..<count { elements.append(try readValue(depth: depth + 1)) }
        return .array(elements)
    }

    private mutating func readMapBody(count: Int, depth: Int, start: Int) throws(MsgPackDecodeError) -> MsgPackValue {
        guard depth < maximumDepth else { throw MsgPackDecodeError(offset: start, reason: .tooDeep) }
        // Every entry takes at least two bytes.
        guard count <= remaining / 2 else { throw MsgPackDecodeError(offset: start, reason: .lengthTooLarge(count)) }
        var entries: [MsgPackValue.Entry] = []
        entries.reserveCapacity(count)
        for _ in 0..<count {
            let key = try readValue(depth: depth + 1)
            let value = try readValue(depth: depth + 1)
            entries.append(MsgPackValue.Entry(key: key, value: value))
        }
        return .map(entries)
    }

    // MARK: Typed readers (go-msgpack decoding into Go fields)

    /// Reads a map header and returns its entry count; nil reads as an empty map.
    public mutating func readMapHeader() throws(MsgPackDecodeError) -> Int {
        let start = offset
        let marker = try readByte()
        let count: Int
        switch marker {
        case 0x80...0x8f: count = Int(marker & 0x0f)
        case MsgPackMarker.map16: count = Int(try readBigEndian(UInt16.self))
        case MsgPackMarker.map32: count = Int(try readBigEndian(UInt32.self))
        case MsgPackMarker.nilValue: count = 0
        default: throw MsgPackDecodeError(offset: start, reason: .typeMismatch(expected: "map", marker: marker))
        }
        guard count <= remaining / 2 else { throw MsgPackDecodeError(offset: start, reason: .lengthTooLarge(count)) }
        return count
    }

    /// Reads an array header and returns its element count; nil reads as an empty array.
    public mutating func readArrayHeader() throws(MsgPackDecodeError) -> Int {
        let start = offset
        let marker = try readByte()
        let count: Int
        switch marker {
        case 0x90...0x9f: count = Int(marker & 0x0f)
        case MsgPackMarker.array16: count = Int(try readBigEndian(UInt16.self))
        case MsgPackMarker.array32: count = Int(try readBigEndian(UInt32.self))
        case MsgPackMarker.nilValue: count = 0
        default: throw MsgPackDecodeError(offset: start, reason: .typeMismatch(expected: "array", marker: marker))
        }
        guard count <= remaining else { throw MsgPackDecodeError(offset: start, reason: .lengthTooLarge(count)) }
        return count
    }

    /// Reads a Go `[]byte` (or string) field: nil for msgpack nil, else the raw bytes.
    public mutating func readRaw() throws(MsgPackDecodeError) -> [UInt8]? {
        let start = offset
        let marker = try readByte()
        switch marker {
        case MsgPackMarker.nilValue: return nil
        case 0xa0...0xbf: return try readBytes(count: Int(marker & 0x1f))
        case MsgPackMarker.bin8, MsgPackMarker.str8: return try readBytes(count: Int(try readBigEndian(UInt8.self)))
        case MsgPackMarker.bin16, MsgPackMarker.raw16: return try readBytes(count: Int(try readBigEndian(UInt16.self)))
        case MsgPackMarker.bin32, MsgPackMarker.raw32: return try readBytes(count: Int(try readBigEndian(UInt32.self)))
        default: throw MsgPackDecodeError(offset: start, reason: .typeMismatch(expected: "raw", marker: marker))
        }
    }

    /// Reads a Go string field (nil reads as ""). Go strings are byte strings; invalid
    /// UTF-8 is repaired with U+FFFD.
    public mutating func readString() throws(MsgPackDecodeError) -> String {
        guard let raw = try readRaw() else { return "" }
        return String(decoding: raw, as: UTF8.self)
    }

    /// Reads a Go bool field (nil reads as false).
    public mutating func readBool() throws(MsgPackDecodeError) -> Bool {
        let start = offset
        let marker = try readByte()
        switch marker {
        case MsgPackMarker.trueValue: return true
        case MsgPackMarker.falseValue, MsgPackMarker.nilValue: return false
        default: throw MsgPackDecodeError(offset: start, reason: .typeMismatch(expected: "bool", marker: marker))
        }
    }

    /// Reads an unsigned Go integer field from any integer encoding whose value fits
    /// (nil reads as 0).
    public mutating func readUnsigned<T: FixedWidthInteger & UnsignedInteger>(_: T.Type = T.self)
        throws(MsgPackDecodeError) -> T
    {
        let start = offset
        let value = try readInteger()
        switch value {
        case .unsigned(let number):
            guard let result = T(exactly: number) else {
                throw MsgPackDecodeError(offset: start, reason: .integerOverflow)
            }
            return result
        case .negative:
            throw MsgPackDecodeError(offset: start, reason: .integerOverflow)
        }
    }

    /// Reads a signed Go integer field from any integer encoding whose value fits
    /// (nil reads as 0).
    public mutating func readSigned<T: FixedWidthInteger & SignedInteger>(_: T.Type = T.self) throws(MsgPackDecodeError)
        -> T
    {
        let start = offset
        let value = try readInteger()
        let result: T?
        switch value {
        case .unsigned(let number): result = T(exactly: number)
        case .negative(let number): result = T(exactly: number)
        }
        guard let result else { throw MsgPackDecodeError(offset: start, reason: .integerOverflow) }
        return result
    }

    private enum IntegerValue {
        case unsigned(UInt64)
        case negative(Int64)
    }

    private mutating func readInteger() throws(MsgPackDecodeError) -> IntegerValue {
        let start = offset
        let marker = try readByte()
        func signed(_ value: Int64) -> IntegerValue { value >= 0 ? .unsigned(UInt64(value)) : .negative(value) }
        switch marker {
        case 0x00...0x7f: return .unsigned(UInt64(marker))
        case 0xe0...0xff: return .negative(Int64(Int8(bitPattern: marker)))
        case MsgPackMarker.nilValue: return .unsigned(0)
        case MsgPackMarker.uint8: return .unsigned(UInt64(try readBigEndian(UInt8.self)))
        case MsgPackMarker.uint16: return .unsigned(UInt64(try readBigEndian(UInt16.self)))
        case MsgPackMarker.uint32: return .unsigned(UInt64(try readBigEndian(UInt32.self)))
        case MsgPackMarker.uint64: return .unsigned(try readBigEndian(UInt64.self))
        case MsgPackMarker.int8: return signed(Int64(Int8(bitPattern: try readBigEndian(UInt8.self))))
        case MsgPackMarker.int16: return signed(Int64(Int16(bitPattern: try readBigEndian(UInt16.self))))
        case MsgPackMarker.int32: return signed(Int64(Int32(bitPattern: try readBigEndian(UInt32.self))))
        case MsgPackMarker.int64: return signed(Int64(bitPattern: try readBigEndian(UInt64.self)))
        default: throw MsgPackDecodeError(offset: start, reason: .typeMismatch(expected: "integer", marker: marker))
        }
    }

    // MARK: Primitives

    private mutating func readByte() throws(MsgPackDecodeError) -> UInt8 {
        guard offset < bytes.count else { throw MsgPackDecodeError(offset: offset, reason: .truncated) }
        defer { offset += 1 }
        return bytes[offset]
    }

    private mutating func readBigEndian<T: FixedWidthInteger & UnsignedInteger>(_: T.Type) throws(MsgPackDecodeError)
        -> T
    {
        let size = MemoryLayout<T>.size
        guard size <= remaining else { throw MsgPackDecodeError(offset: offset, reason: .truncated) }
        var value: T = 0
        for index in offset..<(offset + size) { value = value << 8 | T(bytes[index]) }
        offset += size
        return value
    }
}
