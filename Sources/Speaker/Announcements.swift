import Addressing
import ClusterModel

/// One IP this node answers for: on which interfaces (nil = every usable one) and for which
/// Services (several share an IP with `allow-shared-ip`).
public struct AnnouncementTarget: Hashable, Sendable {
    public var ip: IPAddress
    public var interfaces: Set<String>?
    public var services: Set<ServiceKey>

    public init(ip: IPAddress, interfaces: Set<String>?, services: Set<ServiceKey>) {
        self.ip = ip
        self.interfaces = interfaces
        self.services = services
    }
}

/// A (Service, IP) pair this node announces: one `metallb_speaker_announced` series.
public struct AnnouncedPair: Hashable, Sendable, Comparable {
    public var service: ServiceKey
    public var ip: IPAddress

    public init(service: ServiceKey, ip: IPAddress) {
        self.service = service
        self.ip = ip
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { (lhs.service, lhs.ip) < (rhs.service, rhs.ip) }
}

/// What the data plane must do after one change: the announcer calls, plus the Service-level
/// bookkeeping (events, metrics).
public struct AnnouncementDiff: Hashable, Sendable {
    /// IPs to start answering for, or whose interface set changed (announce again).
    public var announce: [AnnouncementTarget] = []
    /// IPs to stop answering for at once.
    public var withdraw: [IPAddress] = []
    /// Pairs that appeared / disappeared (metrics).
    public var pairsAdded: [AnnouncedPair] = []
    public var pairsRemoved: [AnnouncedPair] = []

    public init() {}

    public var isEmpty: Bool { announce.isEmpty && withdraw.isEmpty && pairsAdded.isEmpty && pairsRemoved.isEmpty }

    /// The diff that takes `current` to `desired`, sorted for reproducible order.
    public static func between(
        current: [IPAddress: AnnouncementTarget], desired: [IPAddress: AnnouncementTarget]
    ) -> AnnouncementDiff {
        var diff = AnnouncementDiff()
        for (ip, target) in desired {
            if let old = current[ip] {
                if old.interfaces != target.interfaces { diff.announce.append(target) }
                for service in target.services.subtracting(old.services) { diff.pairsAdded.append(AnnouncedPair(service: service, ip: ip)) }
                for service in old.services.subtracting(target.services) { diff.pairsRemoved.append(AnnouncedPair(service: service, ip: ip)) }
            } else {
                diff.announce.append(target)
                for service in target.services { diff.pairsAdded.append(AnnouncedPair(service: service, ip: ip)) }
            }
        }
        for (ip, old) in current where desired[ip] == nil {
            diff.withdraw.append(ip)
            for service in old.services { diff.pairsRemoved.append(AnnouncedPair(service: service, ip: ip)) }
        }
        diff.announce.sort { $0.ip < $1.ip }
        diff.withdraw.sort()
        diff.pairsAdded.sort()
        diff.pairsRemoved.sort()
        return diff
    }
}
