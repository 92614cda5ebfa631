import MsgPack
import PropertyBased
import SwiftLBTestKit
import Testing

/// Round-trip properties: what the writer produces, the reader returns unchanged.
@Suite struct MsgPackRoundTripTests {
    @Test func unsignedRoundTrips() async {
        await propertyCheck(input: Gen.uint64()) { value in
            var writer = MsgPackWriter()
            writer.writeUnsigned(value)
            var reader = MsgPackReader(writer.bytes)
            #expect((try? reader.readUnsigned(UInt64.self)) == value)
            #expect(reader.isAtEnd)
        }
    }

    @Test func signedRoundTrips() async {
        await propertyCheck(input: Gen.int64()) { value in
            var writer = MsgPackWriter()
            writer.writeSigned(value)
            var reader = MsgPackReader(writer.bytes)
            #expect((try? reader.readSigned(Int64.self)) == value)
            #expect(reader.isAtEnd)
        }
    }

    @Test func bytesRoundTrip() async {
        await propertyCheck(input: Gen.uint8().array(of: 0...300)) { raw in
            var writer = MsgPackWriter()
            writer.writeRaw(raw)
            var reader = MsgPackReader(writer.bytes)
            #expect((try? reader.readRaw()) == raw)
        }
    }

    /// Random nested values from a seeded generator: encode → decode → encode is stable.
    @Test func nestedValuesRoundTrip() throws {
        for seed in UInt64(1)...300 {
            var random = SwiftLBTestKit.SeededRandomNumberGenerator(seed: seed)
            let value = Self.randomValue(depth: 0, using: &random)
            var writer = MsgPackWriter()
            writer.write(value)
            var reader = MsgPackReader(writer.bytes)
            let decoded = try reader.readValue()
            #expect(decoded == value, "seed \(seed)")
            #expect(reader.isAtEnd, "seed \(seed)")
        }
    }

    static func randomValue(depth: Int, using random: inout SwiftLBTestKit.SeededRandomNumberGenerator) -> MsgPackValue
    {
        let choice = Int.random(in: 0..<(depth > 3 ? 7 : 10), using: &random)
        switch choice {
        case 0: return .nil
        case 1: return .bool(Bool.random(using: &random))
        case 2:
            return .uint(UInt64.random(in: 0...UInt64.max, using: &random) >> UInt64.random(in: 0...63, using: &random))
        case 3:
            return .int(
                -1 - Int64.random(in: 0...Int64.max, using: &random) >> Int64.random(in: 0...62, using: &random)
            )
        case 4:
            return .raw(
                (0..<Int.random(in: 0...40, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            )
        case 5: return .float64(Double(Int.random(in: -1000...1000, using: &random)) / 8)
        case 6:
            return .ext(
                type: Int8.random(in: -128...127, using: &random),
                data: [UInt8](repeating: 7, count: Int.random(in: 0...20, using: &random))
            )
        case 7:
            return .array(
                (0..<Int.random(in: 0...20, using: &random)).map { _ in randomValue(depth: depth + 1, using: &random) }
            )
        default:
            return .map(
                (0..<Int.random(in: 0...18, using: &random)).map { index in
                    .init(key: .string("k\(index)"), value: randomValue(depth: depth + 1, using: &random))
                }
            )
        }
    }
}
