import Foundation
import Testing

@testable import Kube

@Suite("Watch event decoding")
struct WatchEventDecoderTests {
    static let stream = [
        #"{"type":"ADDED","object":{"apiVersion":"v1","kind":"Service","metadata":{"name":"a","namespace":"default","resourceVersion":"5","managedFields":[{"x":1}]},"spec":{"type":"LoadBalancer","ports":[{"port":80,"targetPort":"http"}],"futureField":{"y":2}}}}"#,
        #"{"type":"MODIFIED","object":{"metadata":{"name":"a","namespace":"default","resourceVersion":"6"},"status":{"loadBalancer":{"ingress":[{"ip":"192.0.2.1","ipMode":"VIP"}]}}}}"#,
        #"{"type":"BOOKMARK","object":{"kind":"Service","apiVersion":"v1","metadata":{"resourceVersion":"9"}}}"#,
        #"{"type":"DELETED","object":{"metadata":{"name":"a","namespace":"default","resourceVersion":"10"}}}"#,
        #"{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","status":"Failure","message":"too old resource version: 1 (10)","reason":"Expired","code":410}}"#,
    ].joined(separator: "\n") + "\n"

    static func summary(_ events: [WatchEvent<Service>]) -> [String] {
        events.map { event in
            switch event {
            case .added(let s): "ADDED \(s.key)@\(s.metadata.resourceVersion ?? "")"
            case .modified(let s): "MODIFIED \(s.key)@\(s.metadata.resourceVersion ?? "")"
            case .deleted(let s): "DELETED \(s.key)@\(s.metadata.resourceVersion ?? "")"
            case .bookmark(let rv): "BOOKMARK \(rv)"
            case .error(let status): "ERROR \(status.code ?? 0) \(status.reason ?? "")"
            }
        }
    }

    static let expected = [
        "ADDED default/a@5", "MODIFIED default/a@6", "BOOKMARK 9", "DELETED default/a@10", "ERROR 410 Expired",
    ]

    @Test func wholeStreamAtOnce() throws {
        var decoder = WatchEventDecoder<Service>()
        let events = try decoder.feed(Array(Self.stream.utf8))
        #expect(Self.summary(events) == Self.expected)
        guard case .added(let service) = events[0] else { Issue.record("not added"); return }
        #expect(service.spec?.ports?.first?.targetPort == .string("http"))
        guard case .modified(let modified) = events[1] else { Issue.record("not modified"); return }
        #expect(modified.status?.loadBalancer?.ingress == [Service.Ingress(ip: "192.0.2.1", ipMode: "VIP")])
    }

    @Test func byteByByte() throws {
        var decoder = WatchEventDecoder<Service>()
        var events: [WatchEvent<Service>] = []
        for byte in Self.stream.utf8 { events += try decoder.feed([byte]) }
        events += try decoder.finish()
        #expect(Self.summary(events) == Self.expected)
    }

    @Test(arguments: [1, 7, 64, 333])
    func chunksSplitAnywhere(chunk: Int) throws {
        var decoder = WatchEventDecoder<Service>()
        var events: [WatchEvent<Service>] = []
        let bytes = Array(Self.stream.utf8)
        var start = 0
        while start < bytes.count {
            let end = min(bytes.count, start + chunk)
            events += try decoder.feed(bytes[start..<end])
            start = end
        }
        #expect(Self.summary(events) == Self.expected)
    }

    @Test func lastEventWithoutNewlineAndTruncation() throws {
        var decoder = WatchEventDecoder<Service>()
        let line = #"{"type":"BOOKMARK","object":{"metadata":{"resourceVersion":"3"}}}"#
        #expect(try decoder.feed(Array(line.utf8)).isEmpty)
        #expect(Self.summary(try decoder.finish()) == ["BOOKMARK 3"])
        #expect(try decoder.feed(Array(#"{"type":"ADD"#.utf8)).isEmpty)
        #expect(throws: WatchDecodeError(reason: .truncated)) { try decoder.finish() }
    }

    @Test(arguments: [
        "not json\n",
        #"{"type":"ADDED"}"# + "\n",
        #"{"type":"SOMETHING","object":{}}"# + "\n",
        #"{"type":"ADDED","object":{"metadata":{"name":7}}}"# + "\n",
        "\u{0}\u{ff}\n",
    ])
    func malformedLinesThrowTypedErrors(line: String) {
        var decoder = WatchEventDecoder<Service>()
        do {
            _ = try decoder.feed(Array(line.utf8))
            Issue.record("accepted \(line)")
        } catch {
            guard case .malformedEvent = error.reason else {
                Issue.record("wrong reason \(error)")
                return
            }
        }
    }

    @Test func overlongLineIsRefused() {
        var decoder = WatchEventDecoder<Service>(maximumLineLength: 100)
        #expect(throws: WatchDecodeError(reason: .lineTooLong(limit: 100))) {
            _ = try decoder.feed([UInt8](repeating: UInt8(ascii: "a"), count: 101))
        }
    }

    @Test func randomBytesNeverTrap() {
        var random = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            var decoder = WatchEventDecoder<EndpointSlice>(maximumLineLength: 4096)
            let bytes = (0..<Int.random(in: 0..<300, using: &random)).map { _ in
                UInt8.random(in: 0...255, using: &random)
            }
            _ = try? decoder.feed(bytes)
            _ = try? decoder.finish()
        }
    }
}
