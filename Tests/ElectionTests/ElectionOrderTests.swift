import Addressing
import Election
import Foundation
import Testing

/// The owner order against SHA-256 values computed independently by Python's hashlib
/// (Fixtures/make_sha256_order.py), for IPv4, IPv6 (non-canonical inputs included) and an
/// IPv4-mapped address, which Go prints as IPv4.
@Suite struct ElectionOrderTests {
    struct Fixture: Decodable {
        struct Case: Decodable {
            var input: String
            var text: String
            var order: [String]
            var digests: [String: String]
        }
        var nodes: [String]
        var cases: [Case]
    }

    static func loadFixture() throws -> Fixture {
        let url = try #require(Bundle.module.url(forResource: "sha256-order", withExtension: "json", subdirectory: "Fixtures"))
        return try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }

    @Test func fixtureCoversBothFamilies() throws {
        let fixture = try Self.loadFixture()
        #expect(fixture.cases.count >= 10)
        #expect(fixture.cases.contains { $0.text.contains(":") })
        #expect(fixture.cases.contains { !$0.text.contains(":") })
    }

    @Test func ipTextMatchesGo() throws {
        for entry in try Self.loadFixture().cases {
            let ip = try #require(IPAddress(entry.input), "\(entry.input)")
            #expect(ElectionOrder.ipText(ip) == entry.text, "\(entry.input)")
        }
    }

    @Test func digestsMatchHashlib() throws {
        for entry in try Self.loadFixture().cases {
            let ip = try #require(IPAddress(entry.input))
            for (node, digest) in entry.digests {
                #expect(ElectionOrder.rank(node: node, ip: ip).description == digest, "\(node)#\(entry.text)")
            }
        }
    }

    @Test func orderMatchesHashlib() throws {
        let fixture = try Self.loadFixture()
        for entry in fixture.cases {
            let ip = try #require(IPAddress(entry.input))
            #expect(ElectionOrder.sorted(fixture.nodes, for: ip) == entry.order, "\(entry.text)")
            #expect(ElectionOrder.sorted(fixture.nodes.reversed(), for: ip) == entry.order, "\(entry.text)")
        }
    }

    @Test func rankComparesBytewise() {
        let low = ElectionRank(word0: 1, word1: .max, word2: .max, word3: .max)
        let high = ElectionRank(word0: 2, word1: 0, word2: 0, word3: 0)
        #expect(low < high)
        #expect(!(high < low))
        #expect(ElectionRank(word0: 5, word1: 5, word2: 5, word3: 4) < ElectionRank(word0: 5, word1: 5, word2: 5, word3: 5))
        #expect(high < .worst)
    }
}
