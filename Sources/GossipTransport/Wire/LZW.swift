/// LZW as Go's `compress/lzw` does it with LSB bit order and a literal width of 8, which is
/// what memberlist's `compress` message (Algo 0) carries (memberlist util.go
/// `compressPayload`/`decompressBuffer`).
///
/// It is the GIF flavour of LZW without GIF's sub-blocks: codes 0–255 are literals, 256 is
/// clear, 257 is end of data, new table entries start at 258; the code width starts at 9
/// bits and grows to at most 12; bits are packed least-significant first. The encoder and
/// decoder follow the state machines of Go's writer and reader so that both directions are
/// byte-exact with Go (Go ≥ 1.17 emits a clear code first; older Go did not; the decoder
/// accepts both).
public enum LZW {
    static let literalWidth = 8
    static let clearCode: UInt32 = 1 << 8
    static let endCode: UInt32 = clearCode + 1
    static let maxWidth = 12
    static let maxCode: UInt32 = (1 << 12) - 1

    /// Why LZW data could not be decompressed.
    public enum DecodeError: Error, Hashable, Sendable {
        /// A code above the next free table entry.
        case invalidCode
        /// The data ended before the end-of-data code (Go: io.ErrUnexpectedEOF).
        case unexpectedEnd
        /// The output would exceed the caller's limit (decompression bomb).
        case outputTooLarge(limit: Int)
    }

    /// Compresses `input` exactly as Go's `lzw.NewWriter(w, lzw.LSB, 8)` + `Write` + `Close`.
    public static func compress(_ input: some Collection<UInt8>) -> [UInt8] {
        var writer = BitWriter()
        // Hash table as in Go's writer: key = prefix code << 8 | literal, value = key << 12 | code.
        let tableSize = 4 * (1 << 12)
        let tableMask = UInt32(tableSize - 1)
        var table = [UInt32](repeating: 0, count: tableSize)
        var width = literalWidth + 1
        var hi: UInt32 = endCode
        var overflow: UInt32 = 1 << (literalWidth + 1)

        // Advances `hi`; on running out of codes emits clear and resets. Returns false after a reset.
        func incrementHi() -> Bool {
            hi += 1
            if hi == overflow {
                width += 1
                overflow <<= 1
            }
            if hi == maxCode {
                writer.write(clearCode, width: width)
                width = literalWidth + 1
                hi = clearCode + 1
                overflow = clearCode << 1
                for index in table.indices { table[index] = 0 }
                return false
            }
            return true
        }

        var iterator = input.makeIterator()
        writer.write(clearCode, width: width)
        guard let first = iterator.next() else {
            writer.write(endCode, width: width)
            return writer.finish()
        }
        var code = UInt32(first)
        nextByte: while let byte = iterator.next() {
            let literal = UInt32(byte)
            let key = code << 8 | literal
            var hash = (key >> 12 ^ key) & tableMask
            var probe = hash
            var entry = table[Int(probe)]
            while entry != 0 {
                if key == entry >> 12 {
                    code = entry & maxCode
                    continue nextByte
                }
                probe = (probe + 1) & tableMask
                entry = table[Int(probe)]
            }
            writer.write(code, width: width)
            code = literal
            guard incrementHi() else { continue }
            while table[Int(hash)] != 0 {
                hash = (hash + 1) & tableMask
            }
            table[Int(hash)] = key << 12 | hi
        }
        writer.write(code, width: width)
        _ = incrementHi()
        writer.write(endCode, width: width)
        return writer.finish()
    }

    /// Decompresses Go-compatible LZW data. Never traps: malformed data ends in `DecodeError`.
    /// - Parameter limit: the largest output accepted (LZW expands up to ~4096× per code).
    public static func decompress(_ input: some Collection<UInt8>, limit: Int = 40 << 20) throws(DecodeError) -> [UInt8] {
        var reader = BitReader(bytes: Array(input))
        var output: [UInt8] = []
        output.reserveCapacity(min(limit, input.count * 3))
        var suffix = [UInt8](repeating: 0, count: 1 << maxWidth)
        var prefix = [UInt16](repeating: 0, count: 1 << maxWidth)
        var expansion = [UInt8](repeating: 0, count: 1 << maxWidth)
        var width = literalWidth + 1
        var hi = endCode
        var overflow: UInt32 = 1 << width
        var last: UInt32? = nil

        while true {
            guard let code = reader.read(width: width) else { throw .unexpectedEnd }
            if code < clearCode {
                guard output.count < limit else { throw .outputTooLarge(limit: limit) }
                output.append(UInt8(code))
                if let last {
                    suffix[Int(hi)] = UInt8(code)
                    prefix[Int(hi)] = UInt16(last)
                }
            } else if code == clearCode {
                width = literalWidth + 1
                hi = endCode
                overflow = 1 << width
                last = nil
                continue
            } else if code == endCode {
                return output
            } else if code <= hi {
                // Expand the code into `expansion`, right-aligned, walking its prefix chain.
                // Prefix chains strictly decrease, so this ends within 4096 steps.
                var position = expansion.count
                var chain = code
                if code == hi, let last {
                    // The KwKwK case: the last expansion followed by its own first byte.
                    var head = last
                    while head >= clearCode { head = UInt32(prefix[Int(head)]) }
                    position -= 1
                    expansion[position] = UInt8(head)
                    chain = last
                }
                while chain >= clearCode {
                    guard position > 1 else { throw .invalidCode }
                    position -= 1
                    expansion[position] = suffix[Int(chain)]
                    chain = UInt32(prefix[Int(chain)])
                }
                position -= 1
                expansion[position] = UInt8(chain)
                let length = expansion.count - position
                guard output.count + length <= limit else { throw .outputTooLarge(limit: limit) }
                output.append(contentsOf: expansion[position...])
                if let last {
                    suffix[Int(hi)] = expansion[position]
                    prefix[Int(hi)] = UInt16(last)
                }
            } else {
                throw .invalidCode
            }
            last = code
            hi += 1
            if hi >= overflow {
                if width == maxWidth {
                    // Table full: stop adding entries until the next clear code.
                    last = nil
                    hi -= 1
                } else {
                    width += 1
                    overflow = 1 << width
                }
            }
        }
    }
}

/// Packs variable-width codes least-significant bit first.
private struct BitWriter {
    var bytes: [UInt8] = []
    var bits: UInt32 = 0
    var count = 0

    mutating func write(_ code: UInt32, width: Int) {
        bits |= code << UInt32(count)
        count += width
        while count >= 8 {
            bytes.append(UInt8(truncatingIfNeeded: bits))
            bits >>= 8
            count -= 8
        }
    }

    mutating func finish() -> [UInt8] {
        if count > 0 { bytes.append(UInt8(truncatingIfNeeded: bits)) }
        return bytes
    }
}

/// Reads variable-width codes least-significant bit first.
private struct BitReader {
    let bytes: [UInt8]
    var index = 0
    var bits: UInt32 = 0
    var count = 0

    mutating func read(width: Int) -> UInt32? {
        while count < width {
            guard index < bytes.count else { return nil }
            bits |= UInt32(bytes[index]) << UInt32(count)
            index += 1
            count += 8
        }
        let code = bits & ((1 << UInt32(width)) - 1)
        bits >>= UInt32(width)
        count -= width
        return code
    }
}
