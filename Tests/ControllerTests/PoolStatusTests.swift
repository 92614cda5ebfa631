import Addressing
import Allocation
import Controller
import Foundation
import Kube
import KubeFake
import Testing

/// `IPAddressPool.status` (MetalLB ≥ 0.14): assigned and available addresses per family.
@Suite(.timeLimit(.minutes(1)))
struct PoolStatusTests {
    @Test func statusFromUsageSubtractsAssignedAndClampsHugePools() {
        let small = IPAddressPool.Status(usage: PoolUsage(ipv4Total: AddressCount(11), ipv6Total: AddressCount(4), ipv4InUse: 3, ipv6InUse: 1))
        #expect(small == IPAddressPool.Status(assignedIPv4: 3, assignedIPv6: 1, availableIPv4: 8, availableIPv6: 3))
        let huge = IPAddressPool.Status(usage: PoolUsage(ipv4Total: AddressCount(0), ipv6Total: AddressCount(UInt128(1) << 64), ipv4InUse: 0, ipv6InUse: 2))
        #expect(huge == IPAddressPool.Status(assignedIPv4: 0, assignedIPv6: 2, availableIPv4: 0, availableIPv6: Int64.max - 2))
        #expect(IPAddressPool.Status(usage: nil) == IPAddressPool.Status(assignedIPv4: 0, assignedIPv6: 0, availableIPv4: 0, availableIPv6: 0))
    }

    @Test func poolStatusFollowsAssignmentsAndReleases() async throws {
        try await ControllerHarness.with { cluster in
            try await cluster.createPool("lab", ["192.168.10.10-192.168.10.20", "fd00:10::/126"])
            try await cluster.createPool("spare", ["192.168.30.0/30"])
            let running = try cluster.startController()
            try await awaitStatus(cluster, "lab", IPAddressPool.Status(assignedIPv4: 0, assignedIPv6: 0, availableIPv4: 11, availableIPv6: 4))
            try await awaitStatus(cluster, "spare", IPAddressPool.Status(assignedIPv4: 0, assignedIPv6: 0, availableIPv4: 4, availableIPv6: 0))

            try await cluster.createService("a")
            try await cluster.createService("b")
            #expect(try await cluster.awaitIngress("b").count == 1)
            try await awaitStatus(cluster, "lab", IPAddressPool.Status(assignedIPv4: 2, assignedIPv6: 0, availableIPv4: 9, availableIPv6: 4))

            try await cluster.client.delete(Service.self, name: "a", namespace: "default")
            try await awaitStatus(cluster, "lab", IPAddressPool.Status(assignedIPv4: 1, assignedIPv6: 0, availableIPv4: 10, availableIPv6: 4))
            // The untouched pool is not rewritten for every Service change.
            #expect(try await status(cluster, "spare") == IPAddressPool.Status(assignedIPv4: 0, assignedIPv6: 0, availableIPv4: 4, availableIPv6: 0))
            await running.stop()
        }
    }

    @Test func aBurstOfServicesCostsFewPoolStatusWrites() async throws {
        try await ControllerHarness.with { cluster in
            try await cluster.createPool("lab", ["192.168.40.0/24"])
            let running = try cluster.startController()
            try await awaitStatus(cluster, "lab", IPAddressPool.Status(assignedIPv4: 0, assignedIPv6: 0, availableIPv4: 256, availableIPv6: 0))
            let before = await running.controller.poolStatusWrites
            for index in 0..<30 { try await cluster.createService("burst-\(index)") }
            try await awaitStatus(cluster, "lab", IPAddressPool.Status(assignedIPv4: 30, assignedIPv6: 0, availableIPv4: 226, availableIPv6: 0))
            let writes = await running.controller.poolStatusWrites - before
            #expect(writes >= 1 && writes <= 30, "pool status writes for 30 Services: \(writes)")
            await running.stop()
        }
    }

    @Test func statusChangedBySomeoneElseIsPutBack() async throws {
        try await ControllerHarness.with { cluster in
            try await cluster.createPool("lab", ["192.168.10.10-192.168.10.20"])
            let running = try cluster.startController()
            try await cluster.createService("web")
            let expected = IPAddressPool.Status(assignedIPv4: 1, assignedIPv6: 0, availableIPv4: 10, availableIPv6: 0)
            try await awaitStatus(cluster, "lab", expected)
            let wrong = IPAddressPool.Status(assignedIPv4: 99, assignedIPv6: 0, availableIPv4: 0, availableIPv6: 0)
            _ = try await cluster.client.mergePatch(
                IPAddressPool.self, name: "lab", namespace: ControllerHarness.namespace, patch: ["status": wrong],
                subresource: "status")
            try await awaitStatus(cluster, "lab", expected)
            await running.stop()
        }
    }

    private func status(_ cluster: ControllerHarness, _ pool: String) async throws -> IPAddressPool.Status? {
        try await cluster.client.get(IPAddressPool.self, name: pool, namespace: ControllerHarness.namespace).status
    }

    private func awaitStatus(_ cluster: ControllerHarness, _ pool: String, _ expected: IPAddressPool.Status) async throws {
        var last: IPAddressPool.Status?
        do {
            try await eventually("pool \(pool) has status \(expected)") {
                last = try await status(cluster, pool)
                return last == expected
            }
        } catch {
            Issue.record("pool \(pool): last status \(String(describing: last))")
            throw error
        }
    }
}
