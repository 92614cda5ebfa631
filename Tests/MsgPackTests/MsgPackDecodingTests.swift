import MsgPack
import Testing

@Suite struct MsgPackDecodingTests {
    static let fiveInEveryForm: [[UInt8]] = [
        [0x05], [0xcc, 0x05], [0xcd, 0x00, 0x05], [0xce, 0, 0, 0, 5], [0xcf, 0, 0, 0, 0, 0, 0, 0, 5],
        [0xd0, 0x05], [0xd1, 0x00, 0x05], [0xd2, 0, 0, 0, 5], [0xd3, 0, 0, 0, 0, 0, 0, 0, 5],
    ]
    static let hiInEveryForm: [[UInt8]] = [
        [0xd9, 0x02, 0x68, 0x69], [0xc4, 0x02, 0x68, 0x69], [0xc5, 0, 2, 0x68, 0x69], [0xa2, 0x68, 0x69],
    ]

    @Test(arguments: fiveInEveryForm)
    func anyIntegerMarkerDecodesIntoUnsigned(bytes: [UInt8]) throws {
        var reader = MsgPackReader(bytes)
        let value: UInt32 = try reader.readUnsigned()
        #expect(value == 5)
        #expect(reader.isAtEnd)
    }

    @Test func negativeIntoUnsignedIsAnError() {
        var reader = MsgPackReader([0xff])
        #expect(throws: MsgPackDecodeError(offset: 0, reason: .integerOverflow)) {
            try reader.readUnsigned(UInt16.self)
        }
    }

    @Test func tooLargeForFieldIsAnError() {
        var reader = MsgPackReader([0xce, 0x00, 0x01, 0x00, 0x00])
        #expect(throws: MsgPackDecodeError(offset: 0, reason: .integerOverflow)) {
            try reader.readUnsigned(UInt16.self)
        }
    }

    @Test func nilReadsAsZeroValues() throws {
        var reader = MsgPackReader([0xc0, 0xc0, 0xc0, 0xc0])
        #expect(try reader.readUnsigned(UInt32.self) == 0)
        #expect(try reader.readString() == "")
        #expect(try reader.readBool() == false)
        #expect(try reader.readRaw() == nil)
    }

    @Test(arguments: hiInEveryForm)
    func strAndBinFamiliesAreAccepted(bytes: [UInt8]) throws {
        var reader = MsgPackReader(bytes)
        #expect(try reader.readString() == "hi")
    }

    @Test func hugeDeclaredLengthsFailWithoutAllocating() {
        for bytes: [UInt8] in [
            [0xdb, 0xff, 0xff, 0xff, 0xff], [0xdd, 0xff, 0xff, 0xff, 0xff, 0x00], [0xdf, 0xff, 0xff, 0xff, 0xff],
        ] {
            var reader = MsgPackReader(bytes)
            #expect(throws: MsgPackDecodeError.self) { try reader.readValue() }
        }
    }

    @Test func deepNestingIsRefused() {
        let bytes = [UInt8](repeating: 0x91, count: 100) + [0x00]
        var reader = MsgPackReader(bytes)
        #expect(throws: MsgPackDecodeError(offset: 32, reason: .tooDeep)) { try reader.readValue() }
    }

    @Test func invalidMarkerIsReported() {
        var reader = MsgPackReader([0x92, 0x01, 0xc1])
        #expect(throws: MsgPackDecodeError(offset: 2, reason: .invalidMarker(0xc1))) { try reader.readValue() }
    }

    @Test func everyTruncatedPrefixFailsCleanly() throws {
        var writer = MsgPackWriter()
        writer.write(
            .map([
                .init(
                    key: .string("a"),
                    value: .array([.uint(70000), .int(-5000), .raw([1, 2, 3]), .nil, .bool(true)])
                ),
                .init(key: .string("b"), value: .float64(1.5)),
                .init(key: .string("c"), value: .ext(type: 3, data: [9, 9])),
            ])
        )
        let full = writer.bytes
        for length in 0..<full.count {
            var reader = MsgPackReader(Array(full.prefix(length)))
            #expect(throws: MsgPackDecodeError.self) { try reader.readValue() }
        }
        var reader = MsgPackReader(full)
        _ = try reader.readValue()
        #expect(reader.isAtEnd)
    }

    @Test func structMayArriveAsArrayInDeclarationOrder() throws {
        // [SeqNo, Node] positionally, plus an extra element that is skipped.
        var reader = MsgPackReader([0x93, 0x07, 0xa1, 0x78, 0xc3])
        var seq: UInt32 = 0
        var node = ""
        try reader.readStruct(fields: ["SeqNo", "Node"]) { (key, reader) throws(MsgPackDecodeError) -> Bool in
            switch key {
            case "SeqNo": seq = try reader.readUnsigned()
            case "Node": node = try reader.readString()
            default: return false
            }
            return true
        }
        #expect(seq == 7 && node == "x" && reader.isAtEnd)
    }

    @Test func structRejectsNonStringKeys() {
        var reader = MsgPackReader([0x81, 0x01, 0x02])
        #expect(throws: MsgPackDecodeError(offset: 1, reason: .nonStringKey)) {
            try reader.readStruct(fields: []) { (_, _) throws(MsgPackDecodeError) -> Bool in false }
        }
    }
}
