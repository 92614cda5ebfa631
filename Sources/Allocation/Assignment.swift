import Addressing
import ClusterModel

/// The IPs a Service holds and the pool they came from: what the controller writes into
/// `status.loadBalancer.ingress` and the `metallb.io/ip-allocated-from-pool` annotation.
public struct Assignment: Hashable, Sendable {
    /// One IP, or an IPv4 and an IPv6 (IPv4 first, as MetalLB orders them).
    public var ips: [IPAddress]
    public var pool: String

    public init(ips: [IPAddress], pool: String) {
        self.ips = ips
        self.pool = pool
    }
}

/// A Kubernetes event the controller should post on the Service (MetalLB's reasons).
public struct AllocationEvent: Hashable, Sendable {
    public enum Kind: String, Hashable, Sendable {
        case normal = "Normal"
        case warning = "Warning"
    }

    public var kind: Kind
    public var reason: String
    public var message: String

    public init(_ kind: Kind, _ reason: String, _ message: String) {
        self.kind = kind
        self.reason = reason
        self.message = message
    }
}

/// What to do with one Service after reconciling it.
public enum AllocationDecision: Hashable, Sendable {
    /// Write these IPs and pool into the Service (unchanged ones included).
    case assigned(Assignment)
    /// Clear the status and pool annotation: not a LoadBalancer, or nothing assignable.
    case cleared
    /// Not ours: its `loadBalancerClass` is another controller's. Touch nothing.
    case skipped
    /// No IP: leave the Service pending (status cleared) and retry when addresses free up.
    case failed(AllocationFailure)
}

/// A reconcile's decision and the events to post.
public struct AllocationResult: Hashable, Sendable {
    public var decision: AllocationDecision
    public var events: [AllocationEvent]

    public init(_ decision: AllocationDecision, events: [AllocationEvent] = []) {
        self.decision = decision
        self.events = events
    }

    public var assignment: Assignment? {
        if case .assigned(let assignment) = decision { return assignment }
        return nil
    }

    public var failure: AllocationFailure? {
        if case .failed(let failure) = decision { return failure }
        return nil
    }
}

/// Addresses counted per pool, for the `metallb_allocator_*` gauges.
public struct PoolUsage: Hashable, Sendable {
    /// Usable addresses (after avoid-buggy-IPs), per family and in total.
    public var ipv4Total: AddressCount
    public var ipv6Total: AddressCount
    /// Distinct addresses in use (a shared IP counts once).
    public var ipv4InUse: Int
    public var ipv6InUse: Int

    public init(ipv4Total: AddressCount, ipv6Total: AddressCount, ipv4InUse: Int, ipv6InUse: Int) {
        self.ipv4Total = ipv4Total
        self.ipv6Total = ipv6Total
        self.ipv4InUse = ipv4InUse
        self.ipv6InUse = ipv6InUse
    }

    public var total: AddressCount { ipv4Total + ipv6Total }
    public var inUse: Int { ipv4InUse + ipv6InUse }
}
