import Addressing
import Allocation
import Kube

/// `IPAddressPool.status` as MetalLB ≥ 0.14 writes it (`PoolStatusReconciler`): assigned and
/// available addresses per family, from the allocator's counters. A pool the allocator does
/// not know (not in the accepted configuration) reports zeros, as MetalLB's counter lookup
/// does. Huge IPv6 pools are clamped to `Int64.max` like MetalLB's `poolCount`, so
/// "available" is `Int64.max - assigned` there.
extension IPAddressPool.Status {
    public init(usage: PoolUsage?) {
        guard let usage else {
            self.init(assignedIPv4: 0, assignedIPv6: 0, availableIPv4: 0, availableIPv6: 0)
            return
        }
        let assignedIPv4 = Int64(usage.ipv4InUse)
        let assignedIPv6 = Int64(usage.ipv6InUse)
        self.init(
            assignedIPv4: assignedIPv4, assignedIPv6: assignedIPv6,
            availableIPv4: max(0, usage.ipv4Total.clampedToInt64 - assignedIPv4),
            availableIPv6: max(0, usage.ipv6Total.clampedToInt64 - assignedIPv6))
    }
}
