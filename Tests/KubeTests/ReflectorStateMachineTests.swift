import SwiftLBTestKit
import Testing

@testable import Kube

@Suite("Reflector state machine")
struct ReflectorStateMachineTests {
    typealias Machine = ReflectorStateMachine<ConfigMap>

    static func map(_ name: String, _ rv: String) -> ConfigMap {
        ConfigMap(metadata: ObjectMeta(name: name, namespace: "ns", resourceVersion: rv))
    }

    static func page(_ items: [ConfigMap], rv: String, next: String? = nil) -> ObjectList<ConfigMap> {
        ObjectList(metadata: ListMeta(resourceVersion: rv, continue: next), items: items)
    }

    static func names(_ events: [InformerEvent<ConfigMap>]) -> [String] {
        events.map { event in
            switch event {
            case .added(let o): "+\(o.metadata.name!)@\(o.metadata.resourceVersion!)"
            case .modified(let o): "~\(o.metadata.name!)@\(o.metadata.resourceVersion!)"
            case .deleted(let o): "-\(o.metadata.name!)"
            }
        }
    }

    @Test func pagedListThenWatchFromListVersion() {
        var machine = Machine()
        var random = SeededRandomNumberGenerator(seed: 1)
        #expect(machine.start() == .list(continueToken: nil))
        let first = machine.listPageReceived(Self.page([Self.map("a", "1")], rv: "10", next: "tok"))
        #expect(first.events.isEmpty)
        #expect(first.next == .list(continueToken: "tok"))
        #expect(!machine.hasSynced)
        let last = machine.listPageReceived(Self.page([Self.map("b", "2")], rv: "10"))
        #expect(Self.names(last.events) == ["+a@1", "+b@2"])
        #expect(last.next == .watch(resourceVersion: "10"))
        #expect(machine.hasSynced)
        #expect(machine.cache.keys.sorted() == ["ns/a", "ns/b"])
        _ = random.next()
    }

    @Test func watchEventsUpdateCacheAndSkipReplays() {
        var machine = Machine()
        var random = SeededRandomNumberGenerator(seed: 2)
        _ = machine.start()
        _ = machine.listPageReceived(Self.page([Self.map("a", "1")], rv: "10"))
        var events: [InformerEvent<ConfigMap>] = []
        for event: WatchEvent<ConfigMap> in [
            .added(Self.map("c", "11")),
            .modified(Self.map("a", "12")),
            .modified(Self.map("a", "12")),  // replay: no event
            .bookmark(resourceVersion: "15"),
            .deleted(Self.map("c", "16")),
            .deleted(Self.map("zz", "17")),  // unknown: no event
        ] {
            let output = machine.watchEventReceived(event, random: &random)
            #expect(output.next == nil)
            events += output.events
        }
        #expect(Self.names(events) == ["+c@11", "~a@12", "-c"])
        #expect(machine.lastResourceVersion == "17")
        #expect(machine.watchEnded() == .watch(resourceVersion: "17"))
    }

    @Test func bookmarkAdvancesResumePoint() {
        var machine = Machine()
        var random = SeededRandomNumberGenerator(seed: 3)
        _ = machine.start()
        _ = machine.listPageReceived(Self.page([], rv: "10"))
        _ = machine.watchEventReceived(.bookmark(resourceVersion: "42"), random: &random)
        #expect(machine.watchEnded() == .watch(resourceVersion: "42"))
    }

    @Test func goneEventRelistsAndDeliversOnlyTheDifference() {
        var machine = Machine()
        var random = SeededRandomNumberGenerator(seed: 4)
        _ = machine.start()
        _ = machine.listPageReceived(
            Self.page([Self.map("keep", "1"), Self.map("change", "2"), Self.map("remove", "3")], rv: "10")
        )
        let gone = machine.watchEventReceived(
            .error(StatusObject(message: "too old", reason: "Expired", code: 410)),
            random: &random
        )
        #expect(gone.events.isEmpty)
        #expect(gone.next == .list(continueToken: nil))
        let relist = machine.listPageReceived(
            Self.page([Self.map("keep", "1"), Self.map("change", "20"), Self.map("new", "21")], rv: "30")
        )
        #expect(Self.names(relist.events).sorted() == ["+new@21", "-remove", "~change@20"])
        #expect(relist.next == .watch(resourceVersion: "30"))
        #expect(machine.cache.count == 3)
    }

    @Test func goneHTTPStatusDuringWatchOrListRelists() {
        var machine = Machine()
        var random = SeededRandomNumberGenerator(seed: 5)
        _ = machine.start()
        _ = machine.listPageReceived(Self.page([Self.map("a", "1")], rv: "3", next: "tok"))
        // The continue token expired mid-list: start over.
        #expect(machine.requestFailed(.gone, random: &random).next == .list(continueToken: nil))
        _ = machine.listPageReceived(Self.page([Self.map("a", "1")], rv: "5"))
        #expect(machine.requestFailed(.gone, random: &random).next == .list(continueToken: nil))
    }

    @Test func failuresBackOffExponentiallyAndResumeTheWatch() {
        var machine = Machine(
            backoff: ExponentialBackoff(initial: .milliseconds(100), maximum: .milliseconds(1000), jitter: 0.5)
        )
        var random = SeededRandomNumberGenerator(seed: 6)
        _ = machine.start()
        _ = machine.listPageReceived(Self.page([], rv: "7"))
        var delays: [Duration] = []
        for _ in 0..<6 {
            let output = machine.requestFailed(.other("connection refused"), random: &random)
            guard case .wait(let delay, let then) = output.next else {
                Issue.record("expected a wait, got \(String(describing: output.next))")
                return
            }
            #expect(then == .watch(resourceVersion: "7"))
            delays.append(delay)
        }
        // 100, 200, 400, 800, 1000, 1000 ms, each stretched by up to 50 % and capped at 1 s.
        let bases: [Duration] = [100, 200, 400, 800, 1000, 1000].map { .milliseconds($0) }
        for (delay, base) in zip(delays, bases) {
            #expect(delay >= base && delay <= min(base * 1.5, .milliseconds(1000)), "delay \(delay) base \(base)")
        }
        // A delivered event resets the backoff.
        _ = machine.watchEventReceived(.added(Self.map("x", "8")), random: &random)
        guard case .wait(let delay, _) = machine.requestFailed(.other("eof"), random: &random).next else {
            Issue.record("expected a wait")
            return
        }
        #expect(delay < .milliseconds(151))
    }

    @Test func failureDuringListRestartsTheList() {
        var machine = Machine(backoff: ExponentialBackoff(initial: .milliseconds(10), jitter: 0))
        var random = SeededRandomNumberGenerator(seed: 7)
        _ = machine.start()
        _ = machine.listPageReceived(Self.page([Self.map("a", "1")], rv: "3", next: "tok"))
        let output = machine.requestFailed(.other("500"), random: &random)
        #expect(output.next == .wait(.milliseconds(10), then: .list(continueToken: nil)))
        // The half list is discarded: the new list alone decides the cache.
        let done = machine.listPageReceived(Self.page([Self.map("b", "4")], rv: "5"))
        #expect(Self.names(done.events) == ["+b@4"])
    }

    @Test func nonGoneErrorEventBacksOffAndRewatches() {
        var machine = Machine(backoff: ExponentialBackoff(initial: .milliseconds(10), jitter: 0))
        var random = SeededRandomNumberGenerator(seed: 8)
        _ = machine.start()
        _ = machine.listPageReceived(Self.page([], rv: "3"))
        let output = machine.watchEventReceived(
            .error(StatusObject(message: "boom", reason: "InternalError", code: 500)),
            random: &random
        )
        #expect(output.next == .wait(.milliseconds(10), then: .watch(resourceVersion: "3")))
    }
}
