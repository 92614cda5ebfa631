import MsgPack
import Testing

/// Byte-level rules of go-msgpack 0.5.5 with memberlist's zero-value handle.
@Suite struct MsgPackEncodingTests {
    private func unsigned(_ value: UInt64) -> [UInt8] {
        var writer = MsgPackWriter()
        writer.writeUnsigned(value)
        return writer.bytes
    }

    private func signed(_ value: Int64) -> [UInt8] {
        var writer = MsgPackWriter()
        writer.writeSigned(value)
        return writer.bytes
    }

    static let unsignedCases: [(UInt64, [UInt8])] = [
        (0, [0x00]), (127, [0x7f]), (128, [0xcc, 0x80]), (255, [0xcc, 0xff]),
        (256, [0xcd, 0x01, 0x00]), (7946, [0xcd, 0x1f, 0x0a]), (65535, [0xcd, 0xff, 0xff]),
        (65536, [0xce, 0x00, 0x01, 0x00, 0x00]), (4_294_967_295, [0xce, 0xff, 0xff, 0xff, 0xff]),
        (4_294_967_296, [0xcf, 0, 0, 0, 1, 0, 0, 0, 0]),
    ]

    @Test(arguments: unsignedCases)
    func unsignedUsesSmallestForm(value: UInt64, expected: [UInt8]) {
        #expect(unsigned(value) == expected)
    }

    static let signedCases: [(Int64, [UInt8])] = [
        (0, [0x00]), (200, [0xcc, 0xc8]), (-1, [0xff]), (-32, [0xe0]), (-33, [0xd0, 0xdf]),
        (-128, [0xd0, 0x80]), (-129, [0xd1, 0xff, 0x7f]), (-32768, [0xd1, 0x80, 0x00]),
        (-32769, [0xd2, 0xff, 0xff, 0x7f, 0xff]), (Int64.min, [0xd3, 0x80, 0, 0, 0, 0, 0, 0, 0]),
    ]

    @Test(arguments: signedCases)
    func signedFollowsEncodeInt(value: Int64, expected: [UInt8]) {
        #expect(signed(value) == expected)
    }

    @Test(arguments: [0, 1, 31, 32, 255, 256, 65535, 65536])
    func rawUsesOldSpecMarkers(count: Int) {
        var writer = MsgPackWriter()
        writer.writeRaw([UInt8](repeating: 0x61, count: count))
        let header: [UInt8] =
            switch count {
            case 0..<32: [0xa0 | UInt8(count)]
            case 32..<65536: [0xda, UInt8(count >> 8), UInt8(count & 0xff)]
            default:
                [
                    0xdb, UInt8(count >> 24), UInt8((count >> 16) & 0xff), UInt8((count >> 8) & 0xff),
                    UInt8(count & 0xff),
                ]
            }
        #expect(Array(writer.bytes.prefix(header.count)) == header)
        #expect(writer.bytes.count == header.count + count)
        #expect(!writer.bytes.contains(0xd9) || count > 0)
    }

    @Test func nilAndEmptyBytesDiffer() {
        var writer = MsgPackWriter()
        writer.writeBytes(nil)
        writer.writeBytes([])
        writer.write(true)
        writer.write(false)
        #expect(writer.bytes == [0xc0, 0xa0, 0xc3, 0xc2])
    }

    static let mapCases: [(Int, [UInt8])] = [
        (15, [0x8f]), (16, [0xde, 0x00, 0x10]), (65536, [0xdf, 0x00, 0x01, 0x00, 0x00]),
    ]
    static let arrayCases: [(Int, [UInt8])] = [
        (15, [0x9f]), (16, [0xdc, 0x00, 0x10]), (65536, [0xdd, 0x00, 0x01, 0x00, 0x00]),
    ]

    @Test(arguments: mapCases)
    func mapHeaders(count: Int, expected: [UInt8]) {
        var writer = MsgPackWriter()
        writer.writeMapHeader(count)
        #expect(writer.bytes == expected)
    }

    @Test(arguments: arrayCases)
    func arrayHeaders(count: Int, expected: [UInt8]) {
        var writer = MsgPackWriter()
        writer.writeArrayHeader(count)
        #expect(writer.bytes == expected)
    }
}
