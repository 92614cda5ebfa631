import Addressing
import Announcer
import Packets
@testable import Speaker

/// The announcer seam for in-process tests: records what the speaker asks for and lets the
/// test inject what the wire would show (a foreign MAC announcing an IP).
actor RecordingAnnouncer: AddressAnnouncing {
    private(set) var owned: [IPAddress: Set<String>?] = [:]
    private(set) var announceCalls: [IPAddress] = []
    /// What `counters()` reports: set by the test as the wire would have counted.
    var reportedCounters = AnnouncerCounters()
    private var waiters: [(predicate: @Sendable ([IPAddress: Set<String>?]) -> Bool, continuation: CheckedContinuation<Void, Never>)] = []
    nonisolated let conflicts: AsyncStream<AddressConflict>
    private let conflictSink: AsyncStream<AddressConflict>.Continuation

    init() {
        (conflicts, conflictSink) = AsyncStream.makeStream()
    }

    func announce(_ address: IPAddress, interfaces: Set<String>?) {
        owned[address] = .some(interfaces)
        announceCalls.append(address)
        wake()
    }

    func withdraw(_ address: IPAddress) {
        owned[address] = nil
        wake()
    }

    func counters() -> AnnouncerCounters { reportedCounters }

    /// Who answers early-takeover probes, as the wire would (set by the test); every probe asked.
    var probeAnswers: [IPAddress: MACAddress] = [:]
    private(set) var probeCalls: [Set<IPAddress>] = []

    func setProbeAnswers(_ answers: [IPAddress: MACAddress]) { probeAnswers = answers }

    private var probeWaiters: [(count: Int, continuation: CheckedContinuation<Void, Never>)] = []

    func probe(_ addresses: Set<IPAddress>, interfaces: Set<String>?, timing: ProbeTiming) -> ProbeOutcome {
        probeCalls.append(addresses)
        let due = probeWaiters.filter { $0.count <= probeCalls.count }
        probeWaiters.removeAll { $0.count <= probeCalls.count }
        for waiter in due { waiter.continuation.resume() }
        return ProbeOutcome(answered: probeAnswers.filter { addresses.contains($0.key) }, framesSent: addresses.count)
    }

    /// Returns once `count` probes have been asked for.
    func waitForProbes(_ count: Int) async {
        if probeCalls.count >= count { return }
        await withCheckedContinuation { probeWaiters.append((count, $0)) }
    }

    func setCounters(_ counters: AnnouncerCounters) { reportedCounters = counters }

    /// Another station's gratuitous announcement of `address`, as the real announcer reports it.
    nonisolated func observeForeignAnnouncement(of address: IPAddress) {
        conflictSink.yield(AddressConflict(
            address: address, interface: "eth0",
            foreignMAC: MACAddress(0x0200_0000_0002), ourMAC: MACAddress(0x0200_0000_0001)))
    }

    /// Returns once `predicate` holds for the owned set (checked now and after every change).
    func waitUntil(_ predicate: @escaping @Sendable ([IPAddress: Set<String>?]) -> Bool) async {
        if predicate(owned) { return }
        await withCheckedContinuation { waiters.append((predicate, $0)) }
    }

    private func wake() {
        var remaining: [(predicate: @Sendable ([IPAddress: Set<String>?]) -> Bool, continuation: CheckedContinuation<Void, Never>)] = []
        for waiter in waiters {
            if waiter.predicate(owned) { waiter.continuation.resume() } else { remaining.append(waiter) }
        }
        waiters = remaining
    }
}
