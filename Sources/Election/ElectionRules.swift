import Addressing
import ClusterModel
import Config

/// MetalLB's per-Service and per-node checks (speaker/main.go `handleService`,
/// speaker/layer2_controller.go `ShouldAnnounce` and `speakersForPool`), as plain functions
/// shared by the one-shot `ElectionSnapshot` and the incremental `OwnerElection`.
enum ElectionRules {
    /// What a Service's election is about, once the Service-wide checks passed.
    struct Contest: Hashable, Sendable {
        /// The first ingress IP: its text is hashed, so every family of a dual-stack
        /// Service (and every Service sharing the IP) gets the same owner.
        var ip: IPAddress
        var pool: String
        /// Indices into `Configuration.l2Advertisements` of the applicable advertisements.
        var advertisements: [Int]
        /// With `externalTrafficPolicy: Local`, the nodes hosting a serving endpoint.
        var localNodes: Set<String>?
    }

    enum Terms: Hashable, Sendable {
        case withdrawn(WithdrawReason)
        case contest(Contest)
    }

    /// The Service-wide checks, in MetalLB's order.
    static func terms(
        service: LoadBalancerService,
        endpoints: [ServiceEndpoint],
        configuration: Configuration,
        options: ElectionOptions
    ) -> Terms {
        guard service.loadBalancerClass == options.loadBalancerClass else {
            return .withdrawn(.loadBalancerClassMismatch)
        }
        guard service.type == .loadBalancer else { return .withdrawn(.notLoadBalancer) }
        guard let ips = service.parsedIngressIPs else { return .withdrawn(.invalidIP) }
        guard let first = ips.first else { return .withdrawn(.noIPAllocated) }
        guard let pool = configuration.pools.first(where: { pool in ips.allSatisfy { pool.addresses.contains($0) } })
        else { return .withdrawn(.ipNotAllowed) }
        guard endpoints.contains(where: \.canServe) else { return .withdrawn(.noEndpoints) }
        let advertisements = configuration.l2Advertisements.indices.filter { index in
            let advertisement = configuration.l2Advertisements[index]
            return advertisement.applies(to: pool) && advertisement.selectsService(labels: service.labels)
        }
        guard !advertisements.isEmpty else { return .withdrawn(.noApplicableAdvertisement) }
        if !service.sharingKey.isEmpty,
           advertisements.contains(where: { !configuration.l2Advertisements[$0].serviceSelectors.isEmpty }) {
            return .withdrawn(.sharedIPWithServiceSelector)
        }
        var localNodes: Set<String>?
        if service.externalTrafficPolicy == .local {
            localNodes = Set(endpoints.lazy.filter(\.canServe).compactMap(\.nodeName))
        }
        return .contest(Contest(ip: first, pool: pool.name, advertisements: advertisements, localNodes: localNodes))
    }

    /// Why a node cannot be a candidate for any Service, whatever its advertisements
    /// (liveness, Node conditions and labels); nil when it may be one.
    static func baseExclusion(node: ClusterNode?, member: SpeakerMember?, options: ElectionOptions) -> WithdrawReason? {
        switch options.membership {
        case .gossip:
            guard member != nil else { return .notMember }
        case .everyNode:
            break
        }
        guard let node else { return .unknownNode }
        if node.networkUnavailable { return .networkUnavailable }
        if !options.ignoreExcludeFromLoadBalancers, node.isExcludedFromExternalLoadBalancers {
            return .excludedFromLoadBalancers
        }
        if options.requireAnnouncingInterfaceUp, member?.announcingInterfaceUp == false {
            return .announcingInterfaceDown
        }
        return nil
    }

    /// Whether one of `advertisements` (indices) selects a node with `labels`.
    static func advertised(
        labels: [String: String],
        by advertisements: [Int],
        in configuration: Configuration
    ) -> Bool {
        advertisements.contains { configuration.l2Advertisements[$0].selectsNode(labels: labels) }
    }
}
