import Addressing
import Allocation
import ClusterModel
import Config
import Controller
import Foundation
import Testing

/// The pure core: configuration and Services in, writes and events out.
struct ControllerReconcilerTests {
    static let config = """
        apiVersion: metallb.io/v1beta1
        kind: IPAddressPool
        metadata: {name: lab, namespace: metallb-system}
        spec: {addresses: [192.168.10.10-192.168.10.20]}
        """

    func service(_ name: String, ingress: [String] = [], pool: String? = nil) -> LoadBalancerService {
        var annotations: [String: String] = [:]
        if let pool { annotations[MetalLBAnnotation.ipAllocatedFromPool] = pool }
        return LoadBalancerService(
            key: ServiceKey(namespace: "default", name: name), annotations: annotations,
            ports: [ServicePort(.tcp, 80)], ingressIPs: ingress)
    }

    @Test func nothingIsDecidedBeforeAValidConfiguration() {
        var reconciler = ControllerReconciler()
        #expect(reconciler.start(services: [service("held", ingress: ["192.168.10.15"], pool: "lab")]).isEmpty)
        let rejected = reconciler.configurationChanged(ConfigurationParser.parse(text: "kind: Nonsense"))
        guard case .rejected(let errors) = rejected else { Issue.record("expected rejection"); return }
        #expect(!errors.isEmpty)
        #expect(reconciler.configuration == nil)
        #expect(reconciler.serviceChanged(service("new")).isEmpty)
    }

    @Test func startRestoresHeldIPsBeforeAllocating() {
        var reconciler = ControllerReconciler()
        _ = reconciler.configurationChanged(ConfigurationParser.parse(text: Self.config))
        let updates = reconciler.start(services: [
            service("a-new"), service("z-held", ingress: ["192.168.10.10"], pool: "lab"),
        ])
        // The held one is already shown correctly: only the new one is written.
        #expect(updates.map(\.service.name) == ["a-new"])
        guard case .assign(let assignment) = updates.first?.status else { Issue.record("no assignment"); return }
        #expect(assignment.ips == [IPAddress("192.168.10.11")!])
        #expect(updates.first?.events.map(\.reason) == ["IPAllocated"])
    }

    @Test func anInvalidUpdateKeepsTheLastGoodConfiguration() {
        var reconciler = ControllerReconciler()
        _ = reconciler.configurationChanged(ConfigurationParser.parse(text: Self.config))
        _ = reconciler.start(services: [])
        let bad = Self.config.replacingOccurrences(of: "192.168.10.10-192.168.10.20", with: "192.168.10.300/24")
        guard case .rejected = reconciler.configurationChanged(ConfigurationParser.parse(text: bad)) else {
            Issue.record("expected rejection"); return
        }
        #expect(reconciler.configuration?.pools.map(\.name) == ["lab"])
        let updates = reconciler.serviceChanged(service("web"))
        guard case .assign(let assignment) = updates.first?.status else { Issue.record("no assignment"); return }
        #expect(assignment.pool == "lab")
    }

    @Test func aServiceThatIsNoLongerALoadBalancerIsCleared() {
        var reconciler = ControllerReconciler()
        _ = reconciler.configurationChanged(ConfigurationParser.parse(text: Self.config))
        _ = reconciler.start(services: [service("web", ingress: ["192.168.10.10"], pool: "lab")])
        var changed = service("web", ingress: ["192.168.10.10"], pool: "lab")
        changed.type = .clusterIP
        #expect(reconciler.serviceChanged(changed).map(\.status) == [.clear])
        #expect(reconciler.allocator.assignment(of: changed.key) == nil)
    }
}
