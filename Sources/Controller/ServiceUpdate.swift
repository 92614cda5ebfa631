import Addressing
import Allocation
import ClusterModel

/// What the controller writes to one Service after a reconcile: MetalLB's single status
/// update (`status.loadBalancer.ingress` plus the `metallb.io/ip-allocated-from-pool`
/// annotation) and the events to post on it.
public struct ServiceUpdate: Hashable, Sendable {
    public enum StatusWrite: Hashable, Sendable {
        /// The Service already shows what it should: write nothing.
        case unchanged
        /// Write these IPs as the ingress and the pool annotation.
        case assign(Assignment)
        /// Clear the ingress and remove the pool annotation.
        case clear
    }

    public var service: ServiceKey
    public var status: StatusWrite
    public var events: [AllocationEvent]

    public init(service: ServiceKey, status: StatusWrite, events: [AllocationEvent] = []) {
        self.service = service
        self.status = status
        self.events = events
    }

    /// Nothing to write and nothing to post.
    public var isEmpty: Bool { status == .unchanged && events.isEmpty }
}
