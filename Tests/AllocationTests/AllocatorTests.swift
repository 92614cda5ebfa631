import Addressing
import Allocation
import ClusterModel
import Config
import Testing

/// One test per MetalLB allocation rule (metallb-facts.md §6).
@Suite struct AllocatorTests {
    typealias F = AllocationFixtures

    @Test func lowestFreeAddressFirstInRangeOrder() {
        var allocator = Allocator(configuration: F.configuration(F.pool("p", ["10.0.2.0/31", "10.0.1.0/30"])))
        let ips = (0..<6).map { allocator.reconcile(F.service("s\($0)")).ipTexts.first }
        #expect(ips == ["10.0.2.0", "10.0.2.1", "10.0.1.0", "10.0.1.1", "10.0.1.2", "10.0.1.3"])
        let failed = allocator.reconcile(F.service("s6"))
        #expect(failed.failure?.reason == .noAvailableIPs)
        #expect(failed.events.last?.message == "Failed to allocate IP for \"default/s6\": no available IPs")
        #expect(failed.events.last?.reason == "AllocationFailed")
    }

    @Test func releasedAddressIsReusedFirst() {
        var allocator = Allocator(configuration: F.configuration(F.pool("p", ["10.0.0.0/24"])))
        for index in 0..<5 { _ = allocator.reconcile(F.service("s\(index)")) }
        let step1 = allocator.remove(ServiceKey(namespace: "default", name: "s1"))
        #expect(step1)
        let step2 = allocator.reconcile(F.service("new"))
        #expect(step2.ipTexts == ["10.0.0.1"])
        let step3 = allocator.reconcile(F.service("next"))
        #expect(step3.ipTexts == ["10.0.0.5"])
    }

    @Test func avoidBuggyIPsSkipsDotZeroAndDot255() {
        var allocator = Allocator(configuration: F.configuration(F.pool("p", ["10.0.0.254-10.0.1.1"], avoidBuggyIPs: true)))
        let ips = (0..<3).map { allocator.reconcile(F.service("s\($0)")).ipTexts.first }
        #expect(ips == ["10.0.0.254", "10.0.1.1", nil])
        #expect(allocator.usage(ofPool: "p")?.ipv4Total == AddressCount(2))
    }

    @Test func requestedIPViaSpecOrAnnotations() {
        var allocator = Allocator(configuration: F.configuration(F.pool("p", ["10.0.0.0/24"])))
        let step4 = allocator.reconcile(F.service("a", loadBalancerIP: "10.0.0.77"))
        #expect(step4.ipTexts == ["10.0.0.77"])
        let step5 = allocator.reconcile(F.service("b", annotations: ["metallb.io/loadBalancerIPs": "10.0.0.78"]))
        #expect(step5.ipTexts
            == ["10.0.0.78"])
        let step6 = allocator.reconcile(F.service("c", annotations: ["metallb.universe.tf/loadBalancerIPs": "10.0.0.79"]))
        #expect(step6.ipTexts
            == ["10.0.0.79"])
    }

    @Test func requestedIPErrors() {
        var allocator = Allocator(configuration: F.configuration(F.pool("p", ["10.0.0.0/24", "fd00::/120"])))
        let both = allocator.reconcile(F.service(
            "a", annotations: ["metallb.io/loadBalancerIPs": "10.0.0.1"], loadBalancerIP: "10.0.0.2"))
        #expect(both.events.last?.reason == "LoadBalancerFailed")
        #expect(both.failure?.description == "service can not have both metallb.io/loadBalancerIPs and svc.Spec.LoadBalancerIP")
        let bad = allocator.reconcile(F.service("b", loadBalancerIP: "10.0.0.999"))
        #expect(bad.failure?.description == "invalid spec.loadBalancerIP \"10.0.0.999\"")
        let twoV4 = allocator.reconcile(F.service(
            "c", annotations: ["metallb.io/loadBalancerIPs": "10.0.0.1,10.0.0.2"], families: [.ipv4, .ipv6],
            familyPolicy: .requireDualStack))
        #expect(twoV4.failure != nil)
        let outside = allocator.reconcile(F.service("d", loadBalancerIP: "192.168.0.1"))
        #expect(outside.failure?.reason == .notAllowedInConfig([F.ip("192.168.0.1")]))
        #expect(outside.failure?.description == "[\"192.168.0.1\"] is not allowed in config")
        let family = allocator.reconcile(F.service("e", loadBalancerIP: "fd00::5"))
        #expect(family.failure?.reason == .familyMismatch(requested: [F.ip("fd00::5")]))
    }

    @Test func requestedIPInUseByIncompatibleService() {
        var allocator = Allocator(configuration: F.configuration(F.pool("p", ["10.0.0.0/24"])))
        _ = allocator.reconcile(F.service("a", loadBalancerIP: "10.0.0.9"))
        let taken = allocator.reconcile(F.service("b", loadBalancerIP: "10.0.0.9"))
        guard case .sharingConflict(let ip, _, let users)? = taken.failure?.reason else {
            Issue.record("expected a sharing conflict, got \(String(describing: taken.failure))")
            return
        }
        #expect(ip == F.ip("10.0.0.9"))
        #expect(users == [ServiceKey(namespace: "default", name: "a")])
        #expect(taken.failure?.description == "can't change sharing key for \"default/b\", address also in use by default/a")
        #expect(allocator.pending == [ServiceKey(namespace: "default", name: "b")])
        _ = allocator.remove(ServiceKey(namespace: "default", name: "a"))
        let step7 = allocator.retryPending()
        #expect(step7[ServiceKey(namespace: "default", name: "b")]?.ipTexts == ["10.0.0.9"])
        #expect(allocator.pending.isEmpty)
    }

    @Test func sharingNeedsSameKeySameBackendAndDisjointPorts() {
        var allocator = Allocator(configuration: F.configuration(F.pool("p", ["10.0.0.0/24"])))
        let shared = ["metallb.io/allow-shared-ip": "web"]
        _ = allocator.reconcile(F.service("a", annotations: shared, ports: [ServicePort(.tcp, 80)]))
        // Same key, other port: shares the lowest IP.
        let step8 = allocator.reconcile(F.service("b", annotations: shared, ports: [ServicePort(.udp, 80)]))
        #expect(step8.ipTexts == ["10.0.0.0"])
        // Same key, same port: takes the next free IP.
        let step9 = allocator.reconcile(F.service("c", annotations: shared, ports: [ServicePort(.tcp, 80)]))
        #expect(step9.ipTexts == ["10.0.0.1"])
        // Other key: never shares.
        let step10 = allocator.reconcile(F.service("d", annotations: ["metallb.io/allow-shared-ip": "x"], ports: [ServicePort(.tcp, 443)]))
        #expect(step10.ipTexts
            == ["10.0.0.2"])
        // Same key but Local with another selector: other backend key.
        let step11 = allocator.reconcile(F.service(
            "e", annotations: shared, policy: .local, ports: [ServicePort(.tcp, 8443)], selector: ["app": "other"]))
        #expect(step11.ipTexts
            == ["10.0.0.3"])
        #expect(allocator.services(using: F.ip("10.0.0.0")).map(\.name) == ["a", "b"])
        #expect(allocator.usage(ofPool: "p")?.ipv4InUse == 4)
        // A requested shared IP with a port clash says which port.
        let clash = allocator.reconcile(F.service(
            "f", annotations: shared.merging(["metallb.io/loadBalancerIPs": "10.0.0.0"]) { a, _ in a },
            ports: [ServicePort(.udp, 80)]))
        #expect(clash.failure?.description == "port UDP/80 is already in use on \"10.0.0.0\"")
    }

    @Test func localServicesShareOnlyWithIdenticalSelectors() {
        var allocator = Allocator(configuration: F.configuration(F.pool("p", ["10.0.0.0/24"])))
        let shared = ["metallb.universe.tf/allow-shared-ip": "k"]
        _ = allocator.reconcile(F.service(
            "a", annotations: shared, policy: .local, ports: [ServicePort(.tcp, 80)], selector: ["b": "2", "a": "1"]))
        let same = allocator.reconcile(F.service(
            "b", annotations: shared, policy: .local, ports: [ServicePort(.tcp, 81)], selector: ["a": "1", "b": "2"]))
        let cluster = allocator.reconcile(F.service("c", annotations: shared, ports: [ServicePort(.tcp, 82)]))
        #expect(same.ipTexts == ["10.0.0.0"])
        #expect(cluster.ipTexts == ["10.0.0.1"])
    }

    @Test func addressPoolAnnotationAndAutoAssign() {
        var allocator = Allocator(configuration: F.configuration(
            F.pool("auto", ["10.0.0.0/30"]), F.pool("manual", ["10.0.1.0/30"], autoAssign: false)))
        let step12 = allocator.reconcile(F.service("a"))
        #expect(step12.assignment?.pool == "auto")
        let manual = allocator.reconcile(F.service("b", annotations: ["metallb.io/address-pool": "manual"]))
        #expect(manual.assignment == Assignment(ips: [F.ip("10.0.1.0")], pool: "manual"))
        let unknown = allocator.reconcile(F.service("c", annotations: ["metallb.io/address-pool": "nope"]))
        #expect(unknown.failure?.reason == .unknownPool("nope"))
        let conflict = allocator.reconcile(F.service(
            "d", annotations: ["metallb.io/address-pool": "manual"], loadBalancerIP: "10.0.0.3"))
        #expect(conflict.failure?.reason == .poolConflict(requested: [F.ip("10.0.0.3")], pool: "manual"))
        #expect(allocator.assignment(of: ServiceKey(namespace: "default", name: "d")) == nil)
        // Exhausting the auto pool never spills into the manual one.
        for index in 0..<3 { _ = allocator.reconcile(F.service("fill\(index)")) }
        let step13 = allocator.reconcile(F.service("over"))
        #expect(step13.failure?.reason == .noAvailableIPs)
    }

    @Test func exhaustedRequestedPoolNamesThePool() {
        var allocator = Allocator(configuration: F.configuration(F.pool("tiny", ["10.0.0.1/32"])))
        _ = allocator.reconcile(F.service("a"))
        let result = allocator.reconcile(F.service("b", annotations: ["metallb.io/address-pool": "tiny"]))
        #expect(result.failure?.reason == .poolExhausted(pool: "tiny", family: .ipv4))
        #expect(result.failure?.description == "no available IPs in pool tiny for IPv4 IPFamily")
    }

    @Test func serviceAllocationPinsPoolsByPriorityAndSelectors() {
        var allocator = Allocator(configuration: F.configuration(
            F.pool("general", ["10.0.0.0/24"]),
            F.pool("team-low", ["10.0.2.0/24"], serviceAllocation: ServiceAllocation(priority: 20, namespaces: ["team"])),
            F.pool("team-high", ["10.0.1.0/31"], serviceAllocation: ServiceAllocation(priority: 10, namespaces: ["team"])),
            F.pool("labelled", ["10.0.3.0/24"], serviceAllocation: ServiceAllocation(
                namespaceSelectors: [LabelSelector(matchLabels: ["tier": "gold"])],
                serviceSelectors: [LabelSelector(matchLabels: ["expose": "yes"])]))))
        allocator.setNamespace(NamespaceInfo(name: "gold-ns", labels: ["tier": "gold"]))
        let step14 = allocator.reconcile(F.service("x"))
        #expect(step14.assignment?.pool == "general")
        let step15 = allocator.reconcile(F.service("t1", namespace: "team"))
        #expect(step15.assignment?.pool == "team-high")
        let step16 = allocator.reconcile(F.service("t2", namespace: "team"))
        #expect(step16.assignment?.pool == "team-high")
        let step17 = allocator.reconcile(F.service("t3", namespace: "team"))
        #expect(step17.assignment?.pool == "team-low")
        let step18 = allocator.reconcile(F.service("g1", namespace: "gold-ns", labels: ["expose": "yes"]))
        #expect(step18.assignment?.pool == "labelled")
        let step19 = allocator.reconcile(F.service("g2", namespace: "gold-ns"))
        #expect(step19.assignment?.pool == "general")
        let refused = allocator.reconcile(F.service("y", loadBalancerIP: "10.0.2.9"))
        #expect(refused.failure?.reason == .poolNotCompatible(pool: "team-low"))
    }

    @Test func dualStackPolicies() {
        var allocator = Allocator(configuration: F.configuration(
            F.pool("v4only", ["10.0.0.0/24"]), F.pool("dual", ["10.0.1.0/24", "fd00::/120"])))
        let required = allocator.reconcile(F.service("r", families: [.ipv6, .ipv4], familyPolicy: .requireDualStack))
        #expect(required.ipTexts == ["10.0.1.0", "fd00::"])
        #expect(required.assignment?.pool == "dual")
        let v6 = allocator.reconcile(F.service("s6", families: [.ipv6]))
        #expect(v6.ipTexts == ["fd00::1"])
        let single = allocator.reconcile(F.service("s4"))
        #expect(single.ipTexts == ["10.0.0.0"])
        let notEnough = allocator.reconcile(F.service("bad", families: [.ipv4], familyPolicy: .requireDualStack))
        #expect(notEnough.failure?.reason == .notEnoughClusterIPs)
    }

    @Test func preferDualStackTakesOneFamilyThenAddsTheOther() {
        var allocator = Allocator(configuration: F.configuration(F.pool("v4", ["10.0.0.0/24"])))
        let service = F.service("p", families: [.ipv4, .ipv6], familyPolicy: .preferDualStack)
        let first = allocator.reconcile(service)
        #expect(first.ipTexts == ["10.0.0.0"])
        // The operator adds IPv6 addresses to the pool: the next reconcile adds one.
        _ = allocator.setConfiguration(F.configuration(F.pool("v4", ["10.0.0.0/24", "fd00::/120"])))
        var held = service
        held.ingressIPs = first.ipTexts
        let second = allocator.reconcile(held)
        #expect(second.ipTexts == ["10.0.0.0", "fd00::"])
        #expect(second.events.contains { $0.reason == "IPAllocated" && $0.message.contains("additional") })
    }

    @Test func preferDualStackWithRequestedIPStaysAsRequested() {
        var allocator = Allocator(configuration: F.configuration(F.pool("dual", ["10.0.0.0/24", "fd00::/120"])))
        var service = F.service(
            "p", annotations: ["metallb.io/loadBalancerIPs": "10.0.0.3"], families: [.ipv4, .ipv6],
            familyPolicy: .preferDualStack, ingress: ["10.0.0.3"])
        let first = allocator.reconcile(service)
        #expect(first.ipTexts == ["10.0.0.3"])
        service.ingressIPs = first.ipTexts
        let second = allocator.reconcile(service)
        #expect(second.ipTexts == ["10.0.0.3"])
        #expect(second.events.isEmpty)
    }

    @Test func existingAssignmentsAreKeptAcrossRestarts() {
        let configuration = F.configuration(F.pool("p", ["10.0.0.0/29"]))
        var first = Allocator(configuration: configuration)
        var services = (0..<4).map { F.service("s\($0)") }
        for index in services.indices {
            services[index].ingressIPs = first.reconcile(services[index]).ipTexts
        }
        _ = first.remove(services[0].key)
        services.removeFirst()
        // A new Service appears while the controller is down; it sorts before the others.
        let newcomer = F.service("a-new")
        var restarted = Allocator(configuration: configuration)
        let results = restarted.restore([newcomer] + services)
        for service in services {
            #expect(results[service.key]?.ipTexts == service.ingressIPs)
            #expect(results[service.key]?.events.isEmpty == true)
        }
        #expect(results[newcomer.key]?.ipTexts == ["10.0.0.0"])
    }

    @Test func heldIPNoLongerAllowedIsReplaced() {
        var allocator = Allocator(configuration: F.configuration(F.pool("p", ["10.0.0.0/24"])))
        let result = allocator.reconcile(F.service("a", ingress: ["192.168.9.9"]))
        #expect(result.ipTexts == ["10.0.0.0"])
        #expect(result.events.first?.reason == "ClearAssignment")
    }

    @Test func changingTheRequestOrPoolReleasesTheOldIP() {
        var allocator = Allocator(configuration: F.configuration(F.pool("a", ["10.0.0.0/24"]), F.pool("b", ["10.0.1.0/24"])))
        let first = allocator.reconcile(F.service("s"))
        let moved = allocator.reconcile(F.service("s", loadBalancerIP: "10.0.0.50", ingress: first.ipTexts))
        #expect(moved.ipTexts == ["10.0.0.50"])
        let repooled = allocator.reconcile(F.service(
            "s", annotations: ["metallb.io/address-pool": "b"], ingress: moved.ipTexts))
        #expect(repooled.assignment == Assignment(ips: [F.ip("10.0.1.0")], pool: "b"))
        #expect(allocator.services(using: F.ip("10.0.0.50")).isEmpty)
    }

    @Test func typeChangeAndDeletionRelease() {
        var allocator = Allocator(configuration: F.configuration(F.pool("p", ["10.0.0.0/24"])))
        var service = F.service("s")
        service.ingressIPs = allocator.reconcile(service).ipTexts
        service.type = .clusterIP
        let step20 = allocator.reconcile(service)
        #expect(step20.decision == .cleared)
        #expect(allocator.assignment(of: service.key) == nil)
        #expect(allocator.usage(ofPool: "p")?.inUse == 0)
        service.type = .loadBalancer
        service.ingressIPs = []
        _ = allocator.reconcile(service)
        let step21 = allocator.remove(service.key)
        #expect(step21)
        let step22 = allocator.remove(service.key)
        #expect(!step22)
    }

    @Test func poolRemovalReleasesItsHolders() {
        var allocator = Allocator(configuration: F.configuration(F.pool("a", ["10.0.0.0/24"]), F.pool("b", ["10.0.1.0/24"])))
        _ = allocator.reconcile(F.service("x", annotations: ["metallb.io/address-pool": "a"]))
        _ = allocator.reconcile(F.service("y", annotations: ["metallb.io/address-pool": "b"]))
        let released = allocator.setConfiguration(F.configuration(F.pool("b", ["10.0.1.0/24"])))
        #expect(released == [ServiceKey(namespace: "default", name: "x")])
        #expect(allocator.assignment(of: ServiceKey(namespace: "default", name: "y"))?.pool == "b")
        #expect(allocator.usage(ofPool: "b")?.inUse == 1)
    }

    @Test func loadBalancerClassFiltering() {
        var ours = Allocator(configuration: F.configuration(F.pool("p", ["10.0.0.0/24"])))
        var classed = F.service("c")
        classed.loadBalancerClass = "other.io/lb"
        let step23 = ours.reconcile(classed)
        #expect(step23.decision == .skipped)
        var mine = Allocator(configuration: F.configuration(F.pool("p", ["10.0.0.0/24"])), loadBalancerClass: "swiftlb.io/l2")
        let step24 = mine.reconcile(F.service("plain"))
        #expect(step24.decision == .skipped)
        classed.loadBalancerClass = "swiftlb.io/l2"
        let step25 = mine.reconcile(classed)
        #expect(step25.ipTexts == ["10.0.0.0"])
    }

    @Test func usageCountsSharedIPsOnce() {
        var allocator = Allocator(configuration: F.configuration(F.pool("p", ["10.0.0.0/24", "fd00::/64"])))
        let shared = ["metallb.io/allow-shared-ip": "k"]
        _ = allocator.reconcile(F.service("a", annotations: shared, ports: [ServicePort(.tcp, 1)]))
        _ = allocator.reconcile(F.service("b", annotations: shared, ports: [ServicePort(.tcp, 2)]))
        _ = allocator.reconcile(F.service("c", families: [.ipv6]))
        let usage = allocator.usage(ofPool: "p")
        #expect(usage?.ipv4InUse == 1)
        #expect(usage?.ipv6InUse == 1)
        #expect(usage?.ipv4Total == AddressCount(256))
        #expect(usage?.ipv6Total == AddressCount(UInt128(1) << 64))
    }
}
