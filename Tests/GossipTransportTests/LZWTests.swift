import GossipTransport
import SwiftLBTestKit
import Testing

@Suite("LZW as Go's compress/lzw (LSB, literal width 8)")
struct LZWTests {
    @Test("compresses byte-exactly like Go 1.19 (captured memberlist stream)")
    func matchesGoVector() throws {
        let compressed = Array(WireVectors.compressedUserStream.suffix(0x21))
        #expect(LZW.compress(WireVectors.userStreamPlain) == compressed)
        #expect(try LZW.decompress(compressed) == WireVectors.userStreamPlain)
    }

    @Test("round-trips empty, repetitive and random inputs across table resets")
    func roundTrips() throws {
        var random = SeededRandomNumberGenerator(seed: 42)
        let samples: [[UInt8]] = [
            [],
            [7],
            [UInt8](repeating: 0x61, count: 10_000),
            (0..<200_000).map { _ in UInt8.random(in: 0...3, using: &random) },
            (0..<50_000).map { _ in UInt8.random(in: 0...255, using: &random) },
            Array(String(repeating: "memberlist alive suspect dead ", count: 500).utf8),
        ]
        for sample in samples {
            let compressed = LZW.compress(sample)
            #expect(try LZW.decompress(compressed) == sample, "length \(sample.count)")
        }
    }

    @Test("accepts streams without the leading clear code (older Go)")
    func noLeadingClear() throws {
        // 9-bit codes, LSB first: 'a' (0x61), 'b' (0x62), end (0x101).
        var bits: UInt32 = 0x61 | 0x62 << 9 | 0x101 << 18
        var bytes: [UInt8] = []
        for _ in 0..<4 {
            bytes.append(UInt8(bits & 0xFF))
            bits >>= 8
        }
        #expect(try LZW.decompress(bytes) == Array("ab".utf8))
    }

    @Test("rejects truncated data, invalid codes and bombs with typed errors")
    func rejectsBadInput() {
        let good = LZW.compress(Array("hello hello hello".utf8))
        #expect(throws: LZW.DecodeError.unexpectedEnd) { try LZW.decompress(good.dropLast(2)) }
        // clear, then code 300 (never defined).
        let invalid: [UInt8] = [0x00, 0x59, 0x02]
        #expect(throws: LZW.DecodeError.invalidCode) { try LZW.decompress(invalid) }
        let bomb = LZW.compress([UInt8](repeating: 0, count: 100_000))
        #expect(throws: LZW.DecodeError.outputTooLarge(limit: 1000)) { try LZW.decompress(bomb, limit: 1000) }
    }

    @Test("never traps on random bytes")
    func randomBytes() {
        var random = SeededRandomNumberGenerator(seed: 7)
        for _ in 0..<2000 {
            let length = Int.random(in: 0...200, using: &random)
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &random) }
            _ = try? LZW.decompress(bytes, limit: 1 << 20)
        }
    }
}
