extension MsgPackReader {
    /// Reads a Go struct the way go-msgpack decodes one: normally a map keyed by the exact
    /// field names (unknown keys skipped, missing keys left at their zero value), or an array
    /// read positionally in declaration order (go-msgpack accepts both).
    ///
    /// - Parameters:
    ///   - fields: the struct's field names in Go declaration order (for the array form).
    ///   - field: reads the value of the named field, or returns false to have it skipped.
    /// - Throws: `MsgPackDecodeError` for a non-struct value, non-string keys or bad fields.
    public mutating func readStruct(
        fields: [String],
        _ field: (String, inout MsgPackReader) throws(MsgPackDecodeError) -> Bool
    ) throws(MsgPackDecodeError) {
        let start = offset
        let marker = try peek()
        if (0x90...0x9f).contains(marker) || marker == 0xdc || marker == 0xdd {
            let count = try readArrayHeader()
            for index in 0..<count {
                if index < fields.count, try field(fields[index], &self) { continue }
                try skipValue()
            }
            return
        }
        guard (0x80...0x8f).contains(marker) || marker == 0xde || marker == 0xdf || marker == 0xc0 else {
            throw MsgPackDecodeError(offset: start, reason: .typeMismatch(expected: "struct", marker: marker))
        }
        let count = try readMapHeader()
        for _ in 0..<count {
            let keyOffset = offset
            let keyMarker = try peek()
            guard
                (0xa0...0xbf).contains(keyMarker) || (0xc4...0xc6).contains(keyMarker)
                    || (0xd9...0xdb).contains(keyMarker)
            else {
                throw MsgPackDecodeError(offset: keyOffset, reason: .nonStringKey)
            }
            let key = try readString()
            if try field(key, &self) { continue }
            try skipValue()
        }
    }
}
