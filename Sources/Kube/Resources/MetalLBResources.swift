/// The MetalLB custom resources SwiftLB reads and writes (`metallb.io/v1beta1`), with every
/// field of the fact sheet §5 and §8. They must live in the MetalLB namespace.

/// `IPAddressPool`: addresses the controller hands out.
public struct IPAddressPool: KubeResource, Equatable {
    public static let apiVersion = "metallb.io/v1beta1"
    public static let kind = "IPAddressPool"
    public static let plural = "ipaddresspools"
    public static let namespaced = true

    public var apiVersion: String? = IPAddressPool.apiVersion
    public var kind: String? = IPAddressPool.kind
    public var metadata: ObjectMeta
    public var spec: Spec
    public var status: Status?

    public init(metadata: ObjectMeta, spec: Spec, status: Status? = nil) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    public struct Spec: Codable, Sendable, Equatable {
        /// CIDRs (`192.168.1.0/24`) or ranges (`192.168.1.10-192.168.1.20`).
        public var addresses: [String]
        /// Default true when absent.
        public var autoAssign: Bool?
        /// Default false; skips IPv4 `.0` and `.255`.
        public var avoidBuggyIPs: Bool?
        public var serviceAllocation: ServiceAllocation?

        public init(
            addresses: [String],
            autoAssign: Bool? = nil,
            avoidBuggyIPs: Bool? = nil,
            serviceAllocation: ServiceAllocation? = nil
        ) {
            self.addresses = addresses
            self.autoAssign = autoAssign
            self.avoidBuggyIPs = avoidBuggyIPs
            self.serviceAllocation = serviceAllocation
        }
    }

    public struct ServiceAllocation: Codable, Sendable, Equatable {
        /// Lower wins; 0 means after all prioritised pools.
        public var priority: Int?
        public var namespaces: [String]?
        public var namespaceSelectors: [LabelSelector]?
        public var serviceSelectors: [LabelSelector]?

        public init(
            priority: Int? = nil,
            namespaces: [String]? = nil,
            namespaceSelectors: [LabelSelector]? = nil,
            serviceSelectors: [LabelSelector]? = nil
        ) {
            self.priority = priority
            self.namespaces = namespaces
            self.namespaceSelectors = namespaceSelectors
            self.serviceSelectors = serviceSelectors
        }
    }

    public struct Status: Codable, Sendable, Equatable {
        public var assignedIPv4: Int64?
        public var assignedIPv6: Int64?
        public var availableIPv4: Int64?
        public var availableIPv6: Int64?

        public init(
            assignedIPv4: Int64? = nil,
            assignedIPv6: Int64? = nil,
            availableIPv4: Int64? = nil,
            availableIPv6: Int64? = nil
        ) {
            self.assignedIPv4 = assignedIPv4
            self.assignedIPv6 = assignedIPv6
            self.availableIPv4 = availableIPv4
            self.availableIPv6 = availableIPv6
        }
    }
}

/// `L2Advertisement`: which pools are announced in layer 2, from which nodes and interfaces.
public struct L2Advertisement: KubeResource, Equatable {
    public static let apiVersion = "metallb.io/v1beta1"
    public static let kind = "L2Advertisement"
    public static let plural = "l2advertisements"
    public static let namespaced = true

    public var apiVersion: String? = L2Advertisement.apiVersion
    public var kind: String? = L2Advertisement.kind
    public var metadata: ObjectMeta
    public var spec: Spec?

    public init(metadata: ObjectMeta, spec: Spec? = nil) {
        self.metadata = metadata
        self.spec = spec
    }

    public struct Spec: Codable, Sendable, Equatable {
        public var ipAddressPools: [String]?
        public var ipAddressPoolSelectors: [LabelSelector]?
        public var nodeSelectors: [LabelSelector]?
        /// v0.13.6+.
        public var interfaces: [String]?
        public var serviceSelectors: [LabelSelector]?
        /// MetalLB main only.
        public var preferredNodeSelectors: [PreferredNodeSelector]?

        public init(
            ipAddressPools: [String]? = nil,
            ipAddressPoolSelectors: [LabelSelector]? = nil,
            nodeSelectors: [LabelSelector]? = nil,
            interfaces: [String]? = nil,
            serviceSelectors: [LabelSelector]? = nil,
            preferredNodeSelectors: [PreferredNodeSelector]? = nil
        ) {
            self.ipAddressPools = ipAddressPools
            self.ipAddressPoolSelectors = ipAddressPoolSelectors
            self.nodeSelectors = nodeSelectors
            self.interfaces = interfaces
            self.serviceSelectors = serviceSelectors
            self.preferredNodeSelectors = preferredNodeSelectors
        }
    }

    public struct PreferredNodeSelector: Codable, Sendable, Equatable {
        public var weight: Int
        public var preference: LabelSelector

        public init(weight: Int, preference: LabelSelector) {
            self.weight = weight
            self.preference = preference
        }
    }
}

/// `ServiceL2Status`: written by the owning speaker only; `generateName: l2-`, owner
/// reference = the speaker Pod, labels `metallb.io/node`, `metallb.io/service-name`,
/// `metallb.io/service-namespace` (fact sheet §8).
public struct ServiceL2Status: KubeResource, Equatable {
    public static let apiVersion = "metallb.io/v1beta1"
    public static let kind = "ServiceL2Status"
    public static let plural = "servicel2statuses"
    public static let namespaced = true

    public static let nodeLabel = "metallb.io/node"
    public static let serviceNameLabel = "metallb.io/service-name"
    public static let serviceNamespaceLabel = "metallb.io/service-namespace"

    public var apiVersion: String? = ServiceL2Status.apiVersion
    public var kind: String? = ServiceL2Status.kind
    public var metadata: ObjectMeta
    /// Empty in MetalLB.
    public var spec: EmptySpec?
    public var status: Status?

    public init(metadata: ObjectMeta, status: Status? = nil) {
        self.metadata = metadata
        self.spec = EmptySpec()
        self.status = status
    }

    public struct Status: Codable, Sendable, Equatable {
        public var node: String?
        public var serviceName: String?
        public var serviceNamespace: String?
        /// Only when the advertisement restricts interfaces.
        public var interfaces: [InterfaceInfo]?

        public init(
            node: String? = nil,
            serviceName: String? = nil,
            serviceNamespace: String? = nil,
            interfaces: [InterfaceInfo]? = nil
        ) {
            self.node = node
            self.serviceName = serviceName
            self.serviceNamespace = serviceNamespace
            self.interfaces = interfaces
        }
    }

    public struct InterfaceInfo: Codable, Sendable, Equatable {
        public var name: String

        public init(name: String) { self.name = name }
    }
}

/// An object without fields (`spec: {}`); any content is ignored when decoding.
public struct EmptySpec: Codable, Sendable, Equatable {
    public init() {}
}
