import Addressing
import Allocation
import ClusterModel
import Config

enum AllocationFixtures {
    static func pool(
        _ name: String, _ entries: [String], autoAssign: Bool = true, avoidBuggyIPs: Bool = false,
        serviceAllocation: ServiceAllocation? = nil
    ) -> AddressPoolConfig {
        // Literal test inputs; a parse failure is a bug in the test.
        AddressPoolConfig(
            name: name, addresses: try! AddressPool(parsing: entries), autoAssign: autoAssign,
            avoidBuggyIPs: avoidBuggyIPs, serviceAllocation: serviceAllocation)
    }

    static func configuration(_ pools: AddressPoolConfig...) -> Configuration {
        Configuration(pools: pools, l2Advertisements: [L2AdvertisementConfig(name: "all")])
    }

    static func service(
        _ name: String,
        namespace: String = "default",
        annotations: [String: String] = [:],
        labels: [String: String] = [:],
        loadBalancerIP: String? = nil,
        policy: ExternalTrafficPolicy = .cluster,
        families: [IPFamily] = [.ipv4],
        familyPolicy: IPFamilyPolicy? = nil,
        ports: [ServicePort] = [ServicePort(.tcp, 80)],
        selector: [String: String] = ["app": "web"],
        ingress: [String] = []
    ) -> LoadBalancerService {
        LoadBalancerService(
            key: ServiceKey(namespace: namespace, name: name), labels: labels, annotations: annotations,
            loadBalancerIP: loadBalancerIP, externalTrafficPolicy: policy, ipFamilies: families,
            ipFamilyPolicy: familyPolicy, ports: ports, selector: selector, ingressIPs: ingress)
    }

    static func ip(_ text: String) -> IPAddress { IPAddress(text)! }
}

extension AllocationResult {
    var ipTexts: [String] { assignment?.ips.map(\.description) ?? [] }
}
