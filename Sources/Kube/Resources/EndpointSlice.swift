/// A `discovery.k8s.io/v1` EndpointSlice: the endpoints behind a Service, found through the
/// label `kubernetes.io/service-name` (MetalLB indexes slices by it, fact sheet §8).
public struct EndpointSlice: KubeResource, Equatable {
    public static let apiVersion = "discovery.k8s.io/v1"
    public static let kind = "EndpointSlice"
    public static let plural = "endpointslices"
    public static let namespaced = true
    /// The label naming the Service a slice belongs to.
    public static let serviceNameLabel = "kubernetes.io/service-name"

    public var apiVersion: String? = EndpointSlice.apiVersion
    public var kind: String? = EndpointSlice.kind
    public var metadata: ObjectMeta
    /// `IPv4`, `IPv6` or `FQDN`.
    public var addressType: String
    public var endpoints: [Endpoint]?
    public var ports: [Port]?

    public init(metadata: ObjectMeta, addressType: String, endpoints: [Endpoint]? = nil, ports: [Port]? = nil) {
        self.metadata = metadata
        self.addressType = addressType
        self.endpoints = endpoints
        self.ports = ports
    }

    /// The Service this slice belongs to, from its `kubernetes.io/service-name` label.
    public var serviceName: String? { metadata.labels?[Self.serviceNameLabel] }

    public struct Endpoint: Codable, Sendable, Equatable {
        public var addresses: [String]
        public var conditions: Conditions?
        public var nodeName: String?
        public var hostname: String?
        public var targetRef: ObjectReference?
        public var zone: String?

        public init(addresses: [String], conditions: Conditions? = nil, nodeName: String? = nil) {
            self.addresses = addresses
            self.conditions = conditions
            self.nodeName = nodeName
        }
    }

    /// Endpoint conditions; a nil `ready` means "unknown", which consumers treat as ready.
    public struct Conditions: Codable, Sendable, Equatable {
        public var ready: Bool?
        public var serving: Bool?
        public var terminating: Bool?

        public init(ready: Bool? = nil, serving: Bool? = nil, terminating: Bool? = nil) {
            self.ready = ready
            self.serving = serving
            self.terminating = terminating
        }
    }

    public struct Port: Codable, Sendable, Equatable {
        public var name: String?
        public var port: Int?
        public var `protocol`: String?
        public var appProtocol: String?

        public init(name: String? = nil, port: Int? = nil, protocol: String? = "TCP") {
            self.name = name
            self.port = port
            self.protocol = `protocol`
        }
    }
}

/// The core/v1 Endpoints object, the fallback for clusters without EndpointSlices
/// (MetalLB dropped it in v0.14.0; we keep it for old clusters).
public struct Endpoints: KubeResource, Equatable {
    public static let apiVersion = "v1"
    public static let kind = "Endpoints"
    public static let plural = "endpoints"
    public static let namespaced = true

    public var apiVersion: String? = Endpoints.apiVersion
    public var kind: String? = Endpoints.kind
    public var metadata: ObjectMeta
    public var subsets: [Subset]?

    public init(metadata: ObjectMeta, subsets: [Subset]? = nil) {
        self.metadata = metadata
        self.subsets = subsets
    }

    public struct Subset: Codable, Sendable, Equatable {
        public var addresses: [Address]?
        public var notReadyAddresses: [Address]?
        public var ports: [Port]?

        public init(addresses: [Address]? = nil, notReadyAddresses: [Address]? = nil, ports: [Port]? = nil) {
            self.addresses = addresses
            self.notReadyAddresses = notReadyAddresses
            self.ports = ports
        }
    }

    public struct Address: Codable, Sendable, Equatable {
        public var ip: String
        public var hostname: String?
        public var nodeName: String?
        public var targetRef: ObjectReference?

        public init(ip: String, nodeName: String? = nil) {
            self.ip = ip
            self.nodeName = nodeName
        }
    }

    public struct Port: Codable, Sendable, Equatable {
        public var name: String?
        public var port: Int
        public var `protocol`: String?
    }

    /// The same endpoints as EndpointSlice endpoints, one slice per address family, so
    /// consumers handle only one shape. Ready addresses become `ready: true`, not-ready ones
    /// `ready: false`.
    public func asEndpointSlices() -> [EndpointSlice] {
        var byFamily: [String: [EndpointSlice.Endpoint]] = [:]
        for subset in subsets ?? [] {
            for (addresses, ready) in [(subset.addresses ?? [], true), (subset.notReadyAddresses ?? [], false)] {
                for address in addresses {
                    let family = address.ip.contains(":") ? "IPv6" : "IPv4"
                    byFamily[family, default: []].append(
                        EndpointSlice.Endpoint(
                            addresses: [address.ip],
                            conditions: .init(ready: ready, serving: ready, terminating: false),
                            nodeName: address.nodeName
                        )
                    )
                }
            }
        }
        return byFamily.keys.sorted().map { family in
            var labels = metadata.labels ?? [:]
            labels[EndpointSlice.serviceNameLabel] = metadata.name
            return EndpointSlice(
                metadata: ObjectMeta(
                    name: "\(metadata.name ?? "")-\(family.lowercased())",
                    namespace: metadata.namespace,
                    labels: labels,
                    resourceVersion: metadata.resourceVersion
                ),
                addressType: family,
                endpoints: byFamily[family]
            )
        }
    }
}
