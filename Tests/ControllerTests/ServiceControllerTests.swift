import Controller
import Foundation
import Kube
import KubeFake
import Testing

/// The controller against KubeFake in-process: what it writes into the API server.
@Suite(.timeLimit(.minutes(1)))
struct ServiceControllerTests {
    @Test func serviceGetsAnIPFromThePoolAndAnIPAllocatedEvent() async throws {
        try await ControllerHarness.with { cluster in
            try await cluster.createPool("lab", ["192.168.10.10-192.168.10.20"])
            let running = try cluster.startController()
            try await cluster.createService("web")
            let ips = try await cluster.awaitIngress("web")
            #expect(ips == ["192.168.10.10"])
            let service = try await cluster.service("web")
            #expect(service.metadata.annotations?["metallb.io/ip-allocated-from-pool"] == "lab")
            try await eventually("an IPAllocated event is posted") {
                try await cluster.events(about: "web").contains { $0.reason == "IPAllocated" }
            }
            let event = try #require(try await cluster.events(about: "web").first { $0.reason == "IPAllocated" })
            #expect(event.type == "Normal")
            #expect(event.reportingController == "metallb-controller")
            #expect(event.note?.contains("192.168.10.10") == true)
            let metrics = running.metrics()
            #expect(metrics.contains(#"metallb_allocator_addresses_in_use_total{pool="lab"} 1"#))
            #expect(metrics.contains(#"metallb_allocator_addresses_total{pool="lab"} 11"#))
            #expect(metrics.contains("metallb_k8s_client_config_loaded_bool 1"))
            await running.stop()
        }
    }

    @Test func requestedIPOutsideEveryPoolFailsWithAllocationFailed() async throws {
        try await ControllerHarness.with { cluster in
            try await cluster.createPool("lab", ["192.168.10.10-192.168.10.20"])
            let running = try cluster.startController()
            try await cluster.createService("stray", loadBalancerIP: "10.99.0.1")
            try await eventually("an AllocationFailed event is posted") {
                try await cluster.events(about: "stray").contains { $0.reason == "AllocationFailed" }
            }
            let event = try #require(try await cluster.events(about: "stray").first { $0.reason == "AllocationFailed" })
            #expect(event.type == "Warning")
            #expect(event.note?.contains("is not allowed in config") == true)
            #expect(try await cluster.ingress("stray").isEmpty)
            await running.stop()
        }
    }

    @Test func restartKeepsEveryAssignedIP() async throws {
        try await ControllerHarness.with { cluster in
            try await cluster.createPool("lab", ["192.168.10.10-192.168.10.20"])
            let first = try cluster.startController()
            try await cluster.createService("m1")
            #expect(try await cluster.awaitIngress("m1") == ["192.168.10.10"])
            try await cluster.createService("m2")
            #expect(try await cluster.awaitIngress("m2") == ["192.168.10.11"])
            await first.stop()
            // Created while no controller runs, and sorting before the others: without the
            // restore-first pass it would take 192.168.10.10.
            try await cluster.createService("a0")
            let second = try cluster.startController()
            #expect(try await cluster.awaitIngress("a0") == ["192.168.10.12"])
            #expect(try await cluster.ingress("m1") == ["192.168.10.10"])
            #expect(try await cluster.ingress("m2") == ["192.168.10.11"])
            await second.stop()
        }
    }

    @Test func onlyTheLeaderWritesAndTheFollowerTakesOverWithoutDoubleAssigning() async throws {
        try await ControllerHarness.with { cluster in
            try await cluster.createPool("lab", ["192.168.10.10-192.168.10.20"])
            let one = try cluster.startController(leaderIdentity: "controller-1")
            let two = try cluster.startController(leaderIdentity: "controller-2")
            try await eventually("one replica leads") {
                let leading = [await one.controller.isLeading, await two.controller.isLeading]
                return leading.filter { $0 }.count == 1
            }
            try await cluster.createService("s1")
            #expect(try await cluster.awaitIngress("s1") == ["192.168.10.10"])
            let (leader, follower) = await one.controller.isLeading ? (one, two) : (two, one)
            #expect(await leader.controller.writes >= 1)
            #expect(await follower.controller.writes == 0)
            #expect(await !follower.controller.isLeading)

            let start = ContinuousClock.now
            await leader.stop()
            let lease = try await cluster.client.get(
                Lease.self, name: "swiftlb-controller", namespace: ControllerHarness.namespace)
            let leaderIdentity = leader.controller.options.leaderElection?.identity
            #expect(lease.spec?.holderIdentity != leaderIdentity, "the stopped leader released the lease")
            try await eventually("the follower takes over") { await follower.controller.isLeading }
            // Released, not expired: the takeover comes well before the 4 s lease duration.
            #expect(ContinuousClock.now - start < .seconds(4))
            try await cluster.createService("s2")
            #expect(try await cluster.awaitIngress("s2") == ["192.168.10.11"])
            #expect(try await cluster.ingress("s1") == ["192.168.10.10"])
            #expect(await follower.controller.writes >= 1)
            await follower.stop()
        }
    }

    @Test func invalidConfigurationKeepsTheLastGoodOneAndFlipsTheStaleMetric() async throws {
        try await ControllerHarness.with { cluster in
            try await cluster.createPool("lab", ["192.168.10.10-192.168.10.20"])
            let running = try cluster.startController()
            try await cluster.createService("before")
            #expect(try await cluster.awaitIngress("before") == ["192.168.10.10"])
            #expect(running.metrics().contains("metallb_k8s_client_config_stale_bool 0"))

            // The controller writes the pool's status meanwhile: retried on 409 Conflict.
            _ = try await cluster.client.update(IPAddressPool.self, name: "lab", namespace: ControllerHarness.namespace) {
                $0.spec.addresses = ["192.168.10.300/24"]
            }
            try await eventually("the stale metric flips") {
                running.metrics().contains("metallb_k8s_client_config_stale_bool 1")
            }
            try await eventually("a Warning event names the pool's field") {
                try await cluster.events(about: "lab", namespace: ControllerHarness.namespace).contains {
                    $0.reason == "InvalidConfiguration" && $0.type == "Warning"
                        && ($0.note ?? "").contains("spec.addresses")
                }
            }
            // The last good pool is still in force: a new Service gets the next address of it.
            try await cluster.createService("after")
            #expect(try await cluster.awaitIngress("after") == ["192.168.10.11"])
            #expect(try await cluster.ingress("before") == ["192.168.10.10"])
            await running.stop()
        }
    }

    @Test func serviceWithAForeignLoadBalancerClassIsIgnored() async throws {
        try await ControllerHarness.with { cluster in
            try await cluster.createPool("lab", ["192.168.10.10-192.168.10.20"])
            let running = try cluster.startController()
            try await cluster.createService("foreign", loadBalancerClass: "example.com/other")
            // Created after the foreign one: once it has its IP, the foreign one was handled.
            try await cluster.createService("ours")
            #expect(try await cluster.awaitIngress("ours") == ["192.168.10.10"])
            #expect(try await cluster.ingress("foreign").isEmpty)
            #expect(try await cluster.service("foreign").metadata.annotations?["metallb.io/ip-allocated-from-pool"] == nil)
            #expect(try await cluster.events(about: "foreign").isEmpty)
            await running.stop()
        }
    }

    @Test func matchingLoadBalancerClassIsHandled() async throws {
        try await ControllerHarness.with { cluster in
            try await cluster.createPool("lab", ["192.168.10.10-192.168.10.20"])
            let running = try cluster.startController(loadBalancerClass: "swiftlb.io/l2")
            try await cluster.createService("classless")
            try await cluster.createService("classy", loadBalancerClass: "swiftlb.io/l2")
            #expect(try await cluster.awaitIngress("classy") == ["192.168.10.10"])
            #expect(try await cluster.ingress("classless").isEmpty)
            await running.stop()
        }
    }

    @Test func deletingAServiceFreesItsIPForAPendingOne() async throws {
        try await ControllerHarness.with { cluster in
            try await cluster.createPool("tiny", ["192.168.20.1/32"])
            let running = try cluster.startController()
            try await cluster.createService("holder")
            #expect(try await cluster.awaitIngress("holder") == ["192.168.20.1"])
            try await cluster.createService("waiting")
            try await eventually("waiting fails with no available IPs") {
                try await cluster.events(about: "waiting").contains { $0.reason == "AllocationFailed" }
            }
            try await cluster.client.delete(Service.self, name: "holder", namespace: "default")
            #expect(try await cluster.awaitIngress("waiting") == ["192.168.20.1"])
            await running.stop()
        }
    }
}
