import Addressing
import Announcer

/// The data-plane seam of the speaker: what it needs from an announcer. `Announcer` (real
/// libpcap + netlink) is the one `swiftlb speaker` uses; tests substitute a recorder here and
/// nowhere else.
public protocol AddressAnnouncing: Sendable {
    /// Start answering for `address` on `interfaces` (nil = every usable one), with a
    /// gratuitous burst.
    func announce(_ address: IPAddress, interfaces: Set<String>?) async
    /// Stop answering for `address` at once.
    func withdraw(_ address: IPAddress) async
    /// Another station claiming an IP we announce. During a graceful handover this is how the
    /// leaving speaker sees the next owner's gratuitous ARP/NA.
    var conflicts: AsyncStream<AddressConflict> { get }
    /// The running data-plane counts (requests, replies, gratuitous frames, conflicts,
    /// malformed frames) that `/metrics` exports.
    func counters() async -> AnnouncerCounters
    /// Asks the segment who answers for `addresses` (not announced here): the early takeover's
    /// check that a suspected owner is dark on the wire.
    func probe(_ addresses: Set<IPAddress>, interfaces: Set<String>?, timing: ProbeTiming) async -> ProbeOutcome
}

extension Announcer: AddressAnnouncing {
    public func counters() -> AnnouncerCounters { snapshot() }
}
