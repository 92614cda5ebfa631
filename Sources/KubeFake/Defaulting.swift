import KubeJSON

/// Server-side defaulting and allocation for the built-in kinds clients rely on
/// (k8s.io/kubernetes/pkg/apis/core/v1/defaults.go and the Service REST allocator).
extension ObjectStore {
    mutating func applyDefaults(_ type: ResourceType, to object: inout JSONValue, previous: JSONValue?) throws(APIError) {
        guard type.group.isEmpty else { return }
        switch type.plural {
        case "services": try defaultService(&object, previous: previous, type: type)
        case "namespaces":
            let name = object[path: ["metadata", "name"]]?.stringValue ?? ""
            object[path: ["metadata", "labels", "kubernetes.io/metadata.name"]] = .string(name)
            if object[path: ["status", "phase"]] == nil { object[path: ["status", "phase"]] = "Active" }
        case "pods":
            if previous == nil, object[path: ["status", "phase"]] == nil { object[path: ["status", "phase"]] = "Pending" }
        case "secrets":
            if object["type"] == nil { object["type"] = "Opaque" }
        default: break
        }
    }

    /// Service defaults: type ClusterIP, a cluster IP from 10.96.0.0/12 (kept across updates
    /// that omit it, as the Service REST's patchAllocatedValues does), TCP ports whose
    /// targetPort defaults to the port, node ports for NodePort and LoadBalancer services.
    mutating func defaultService(_ object: inout JSONValue, previous: JSONValue?, type: ResourceType) throws(APIError) {
        var spec = object["spec"] ?? .object([:])
        guard spec.isObject else {
            throw APIError.invalid(type, name: object[path: ["metadata", "name"]]?.stringValue ?? "", field: "spec",
                                   detail: "Invalid value: must be an object")
        }
        let serviceType = spec["type"]?.stringValue ?? "ClusterIP"
        spec["type"] = .string(serviceType)
        if spec["sessionAffinity"] == nil { spec["sessionAffinity"] = "None" }
        if serviceType != "ExternalName" {
            let old = previous?["spec"]
            if (spec["clusterIP"]?.stringValue ?? "").isEmpty {
                if let kept = old?["clusterIP"], !(kept.stringValue ?? "").isEmpty {
                    spec["clusterIP"] = kept
                    spec["clusterIPs"] = old?["clusterIPs"] ?? .array([kept])
                } else {
                    let ip = nextServiceIP
                    nextServiceIP += 1
                    let text = "\(ip >> 24).\((ip >> 16) & 0xFF).\((ip >> 8) & 0xFF).\(ip & 0xFF)"
                    spec["clusterIP"] = .string(text)
                }
            }
            if spec["clusterIPs"] == nil, let ip = spec["clusterIP"] { spec["clusterIPs"] = .array([ip]) }
            if spec["ipFamilies"] == nil { spec["ipFamilies"] = old?["ipFamilies"] ?? ["IPv4"] }
            if spec["ipFamilyPolicy"] == nil { spec["ipFamilyPolicy"] = old?["ipFamilyPolicy"] ?? "SingleStack" }
            if spec["internalTrafficPolicy"] == nil { spec["internalTrafficPolicy"] = "Cluster" }
        }
        let needsNodePorts = serviceType == "NodePort"
            || (serviceType == "LoadBalancer" && spec["allocateLoadBalancerNodePorts"]?.boolValue != false)
        if serviceType == "LoadBalancer", spec["allocateLoadBalancerNodePorts"] == nil {
            spec["allocateLoadBalancerNodePorts"] = true
        }
        if serviceType == "NodePort" || serviceType == "LoadBalancer", spec["externalTrafficPolicy"] == nil {
            spec["externalTrafficPolicy"] = "Cluster"
        }
        if let ports = spec["ports"]?.arrayValue {
            let oldPorts = previous?[path: ["spec", "ports"]]?.arrayValue ?? []
            spec["ports"] = .array(ports.map { port in
                guard case .object = port else { return port }
                var port = port
                if port["protocol"] == nil { port["protocol"] = "TCP" }
                if port["targetPort"] == nil, let number = port["port"] { port["targetPort"] = number }
                if needsNodePorts, port["nodePort"] == nil {
                    if let kept = oldPorts.first(where: { $0["port"] == port["port"] })?["nodePort"] {
                        port["nodePort"] = kept
                    } else {
                        port["nodePort"] = .int(nextNodePort)
                        nextNodePort = nextNodePort >= 32767 ? 30000 : nextNodePort + 1
                    }
                }
                return port
            })
        }
        object["spec"] = spec
        if object["status"] == nil { object["status"] = ["loadBalancer": [:]] }
    }
}
