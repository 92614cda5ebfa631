import Addressing
import ClusterModel
import Config
import Election

/// The election at the size of the target: 10,000 LoadBalancer Services on 1,000 nodes.
struct ElectionBenchmark {
    let nodeCount: Int
    let serviceCount: Int

    static let configuration = Configuration(
        pools: [AddressPoolConfig(name: "bench", addresses: try! AddressPool(parsing: ["10.0.0.0/16", "fd00:b::/112"]))],
        l2Advertisements: [L2AdvertisementConfig(name: "all")])

    func nodeName(_ index: Int) -> String { "worker-\(index)" }

    /// Every tenth Service uses `externalTrafficPolicy: Local` with three endpoint nodes;
    /// every twentieth is IPv6.
    func service(_ index: Int, generation: Int = 0) -> (LoadBalancerService, [ServiceEndpoint]) {
        let ip = index % 20 == 19 ? "fd00:b::\(String(index, radix: 16))" : "10.0.\(index / 256 % 256).\(index % 256)"
        let local = index % 10 == 3
        let service = LoadBalancerService(
            key: ServiceKey(namespace: "ns-\(index % 50)", name: "svc-\(index)"),
            labels: ["app": "svc-\(index)", "generation": "\(generation)"],
            externalTrafficPolicy: local ? .local : .cluster,
            ports: [ServicePort(.tcp, 80)], selector: ["app": "svc-\(index)"], ingressIPs: [ip])
        let endpoints = (0..<3).map { replica in
            ServiceEndpoint(
                address: "10.244.\(replica).\(index % 250)",
                nodeName: nodeName((index * 7 + replica * 331 + generation) % nodeCount))
        }
        return (service, endpoints)
    }

    func run() {
        var election = OwnerElection(configuration: Self.configuration)
        for index in 0..<nodeCount {
            _ = election.upsertNode(ClusterNode(name: nodeName(index), labels: ["kubernetes.io/hostname": nodeName(index)]))
        }
        _ = election.setMembers((0..<nodeCount).map { SpeakerMember(name: nodeName($0)) })
        let load = Measurement.time {
            for index in 0..<serviceCount {
                let (service, endpoints) = service(index)
                _ = election.upsertService(service, endpoints: endpoints)
            }
        }
        let fields = "services=\(serviceCount) nodes=\(nodeCount)"
        Measurement.report("election.load", fields, load, target: nil)

        var changes = 0
        let full = Measurement.time { changes = election.resyncAll().count }
        precondition(changes == 0, "a resync without changes must not move owners")
        Measurement.report("election.full", fields, full, target: 2)

        // Leave and join: each round takes the owner of some Services away and brings it back.
        var leaves: [Timing] = []
        var joins: [Timing] = []
        var moved = 0
        for round in 0..<25 {
            let name = nodeName((round * 37) % nodeCount)
            leaves.append(Measurement.time { moved += election.memberLeft(named: name).count })
            joins.append(Measurement.time { moved += election.memberJoined(SpeakerMember(name: name)).count })
        }
        precondition(moved > 0, "leaving owners must move Services")
        Measurement.reportDistribution("election.node_leave", fields, samples: leaves, targetMilliseconds: 50)
        Measurement.reportDistribution("election.node_join", fields, samples: joins, targetMilliseconds: 50)

        // One Service change: new labels and endpoints for a Cluster-policy Service (all
        // 1,000 nodes are candidates, so all are hashed).
        var serviceChanges: [Timing] = []
        for round in 0..<200 {
            let index = (round * 101) % serviceCount
            let (service, endpoints) = service(index % 10 == 3 ? index + 1 : index, generation: round + 1)
            serviceChanges.append(Measurement.time { _ = election.upsertService(service, endpoints: endpoints) })
        }
        Measurement.reportDistribution(
            "election.service_change", fields, samples: serviceChanges, targetMilliseconds: 1)
    }
}
