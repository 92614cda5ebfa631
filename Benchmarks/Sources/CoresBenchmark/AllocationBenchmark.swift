import Addressing
import Allocation
import ClusterModel
import Config

/// Allocating 10,000 Services from one /16: the controller's start-up with an empty pool.
struct AllocationBenchmark {
    let serviceCount: Int

    func run() {
        let configuration = Configuration(
            pools: [AddressPoolConfig(name: "slash16", addresses: try! AddressPool(parsing: ["10.96.0.0/16"]))],
            l2Advertisements: [L2AdvertisementConfig(name: "all")])
        let services = (0..<serviceCount).map { index in
            LoadBalancerService(
                key: ServiceKey(namespace: "ns-\(index % 50)", name: "svc-\(index)"),
                ports: [ServicePort(.tcp, 443)], selector: ["app": "svc-\(index)"])
        }
        var allocator = Allocator(configuration: configuration)
        var assigned = 0
        let timing = Measurement.time {
            for service in services where allocator.reconcile(service).assignment != nil { assigned += 1 }
        }
        precondition(assigned == serviceCount, "every Service must get an IP")
        precondition(allocator.usage(ofPool: "slash16")?.inUse == serviceCount)
        Measurement.report("allocation.fresh", "services=\(serviceCount) pool=/16", timing, target: 0.5)

        // Restart: the same Services, now holding their IPs, plus 1,000 new ones.
        let held = services.map { service in
            var copy = service
            copy.ingressIPs = allocator.assignment(of: service.key)!.ips.map(\.description)
            return copy
        }
        let newcomers = (0..<1000).map { index in
            LoadBalancerService(key: ServiceKey(namespace: "new", name: "svc-\(index)"), ports: [ServicePort(.tcp, 443)])
        }
        var restarted = Allocator(configuration: configuration)
        var results: [ServiceKey: AllocationResult] = [:]
        let restore = Measurement.time { results = restarted.restore(held + newcomers) }
        precondition(held.allSatisfy { results[$0.key]?.assignment?.ips.map(\.description) == $0.ingressIPs })
        Measurement.report("allocation.restart", "services=\(serviceCount + 1000) pool=/16", restore, target: nil)
    }
}
