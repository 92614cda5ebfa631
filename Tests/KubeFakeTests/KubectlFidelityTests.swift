import Foundation
import KubeFake
import Testing

/// KubeFake driven by Debian's real `kubectl` over HTTPS with a bearer token, using the
/// kubeconfig the server writes. (kubectl only sends tokens over TLS, so these servers use it.)
@Suite(.serialized, .enabled(if: FileManager.default.isExecutableFile(atPath: Kubectl.executable)))
struct KubectlFidelityTests {
    func withKubectl(_ body: (KubeFakeServer, Kubectl) async throws -> Void) async throws {
        let server = try await KubeFakeServer.start(token: "kubectl-token", tls: true)
        let kubectl = try Kubectl(server: server)
        do {
            try await body(server, kubectl)
        } catch {
            kubectl.cleanUp()
            await server.shutdown()
            throw error
        }
        kubectl.cleanUp()
        await server.shutdown()
    }

    static let manifest = """
        apiVersion: v1
        kind: Service
        metadata:
          name: web
          labels: {app: web, tier: front}
        spec:
          type: LoadBalancer
          selector: {app: web}
          ports:
          - name: http
            port: 80
            targetPort: 8080
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: settings
          labels: {app: web}
        data:
          mode: "one"
        ---
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata:
          name: web-abc
          labels: {kubernetes.io/service-name: web, app: web}
        addressType: IPv4
        endpoints:
        - addresses: ["10.1.0.5"]
          nodeName: node-a
          conditions: {ready: true}
        ports:
        - name: http
          port: 8080
          protocol: TCP
        ---
        apiVersion: v1
        kind: Node
        metadata:
          name: node-a
          labels: {kubernetes.io/hostname: node-a, role: worker}
        ---
        apiVersion: v1
        kind: Node
        metadata:
          name: node-b
          labels: {kubernetes.io/hostname: node-b, role: control}
        """

    @Test(.timeLimit(.minutes(1)))
    func applyGetPatchDeleteBuiltInKinds() async throws {
        try await withKubectl { server, kubectl in
            let path = try kubectl.file("app.yaml", Self.manifest)
            let applied = try await kubectl.run("apply", "--validate=false", "-f", path)
            #expect(applied.status == 0, "\(applied.stderr)")
            #expect(applied.stdout.contains("service/web created"))
            #expect(applied.stdout.contains("endpointslice.discovery.k8s.io/web-abc created"))
            #expect(applied.stdout.contains("node/node-b created"))

            let service = try JSONValue.parse(try await kubectl.run("get", "svc", "web", "-o", "json").stdout)
            #expect(service[path: ["spec", "ports"]]?.arrayValue?.first?["targetPort"] == 8080)
            #expect(service[path: ["spec", "clusterIP"]]?.stringValue?.isEmpty == false)
            #expect(service[path: ["metadata", "annotations", "kubectl.kubernetes.io/last-applied-configuration"]] != nil)

            // Re-applying a change goes through GET + strategic merge PATCH.
            let changed = Self.manifest.replacingOccurrences(of: "targetPort: 8080", with: "targetPort: 9090")
                .replacingOccurrences(of: "mode: \"one\"", with: "mode: \"two\"")
            let reapplied = try await kubectl.run("apply", "--validate=false", "-f", try kubectl.file("app2.yaml", changed))
            #expect(reapplied.status == 0, "\(reapplied.stderr)")
            #expect(reapplied.stdout.contains("service/web configured"))
            #expect(reapplied.stdout.contains("node/node-a unchanged"))
            #expect(try await kubectl.run("get", "svc", "web", "-o", "jsonpath={.spec.ports[0].targetPort}").stdout == "9090")
            #expect(try await kubectl.run("get", "cm", "settings", "-o", "jsonpath={.data.mode}").stdout == "two")
            #expect(try await server.api.get("services", namespace: "default", name: "web")[path: ["metadata", "generation"]] == 2)

            // Merge and strategic patches, and the status subresource.
            let merge = try await kubectl.run("patch", "cm", "settings", "--type=merge", "-p", #"{"data":{"extra":"x"}}"#)
            #expect(merge.status == 0, "\(merge.stderr)")
            let strategic = try await kubectl.run("patch", "svc", "web", "-p", #"{"spec":{"ports":[{"port":443,"name":"https"}]}}"#)
            #expect(strategic.status == 0, "\(strategic.stderr)")
            let ports = try await kubectl.run("get", "svc", "web", "-o", "jsonpath={.spec.ports[*].port}").stdout
            #expect(ports == "80 443")
            let status = try await kubectl.run("patch", "svc", "web", "--subresource=status", "--type=merge", "-p",
                                               #"{"status":{"loadBalancer":{"ingress":[{"ip":"192.168.10.1"}]}},"spec":{"type":"ClusterIP"}}"#)
            #expect(status.status == 0, "\(status.stderr)")
            let stored = try await server.api.get("services", namespace: "default", name: "web")
            #expect(stored[path: ["status", "loadBalancer", "ingress"]] == [["ip": "192.168.10.1"]])
            #expect(stored[path: ["spec", "type"]] == "LoadBalancer")
            let nodeStatus = try await kubectl.run("patch", "node", "node-a", "--subresource=status", "--type=merge", "-p",
                                                   #"{"status":{"addresses":[{"type":"InternalIP","address":"10.0.0.1"}]}}"#)
            #expect(nodeStatus.status == 0, "\(nodeStatus.stderr)")
            #expect(try await kubectl.run("get", "no", "node-a", "-o", "jsonpath={.status.addresses[0].address}").stdout
                    == "10.0.0.1")

            // Label selectors on every kind.
            #expect(try await kubectl.run("get", "svc", "-l", "app=web,tier in (front)", "-o", "name").stdout == "service/web\n")
            #expect(try await kubectl.run("get", "svc", "-l", "tier!=front", "-o", "name").stdout.isEmpty)
            #expect(try await kubectl.run("get", "cm", "-l", "app", "-o", "name").stdout == "configmap/settings\n")
            #expect(try await kubectl.run("get", "endpointslices", "-l", "kubernetes.io/service-name=web", "-o", "name").stdout
                    == "endpointslice.discovery.k8s.io/web-abc\n")
            #expect(try await kubectl.run("get", "nodes", "-l", "role notin (control)", "-o", "name").stdout == "node/node-a\n")
            #expect(try await kubectl.run("get", "nodes", "-l", "!role", "-o", "name").stdout.isEmpty)
            #expect(try await kubectl.run("get", "nodes", "--field-selector", "metadata.name=node-b", "-o", "name").stdout
                    == "node/node-b\n")

            // Delete, then the object is gone with kubectl's NotFound message.
            let deleted = try await kubectl.run("delete", "svc", "web")
            #expect(deleted.status == 0 && deleted.stdout.contains("service \"web\" deleted"))
            let missing = try await kubectl.run("get", "svc", "web")
            #expect(missing.status != 0)
            #expect(missing.stderr.contains("NotFound") || missing.stderr.contains("not found"))
            let byLabel = try await kubectl.run("delete", "nodes", "-l", "role")
            #expect(byLabel.status == 0, "\(byLabel.stderr)")
            #expect(try await server.api.list("nodes").isEmpty)
        }
    }

    static let metallb = """
        apiVersion: metallb.io/v1beta1
        kind: IPAddressPool
        metadata:
          name: lab-pool
          namespace: metallb-system
          labels: {pool: lab}
        spec:
          addresses: ["192.168.10.0/24"]
        ---
        apiVersion: metallb.io/v1beta1
        kind: L2Advertisement
        metadata:
          name: lab-l2
          namespace: metallb-system
          labels: {pool: lab}
        spec:
          ipAddressPools: [lab-pool]
        ---
        apiVersion: metallb.io/v1beta1
        kind: ServiceL2Status
        metadata:
          name: l2-web
          namespace: metallb-system
        """

    @Test(.timeLimit(.minutes(1)))
    func metallbCustomResourcesAndCRDs() async throws {
        try await withKubectl { server, kubectl in
            // `kubectl create namespace` would send protobuf, which KubeFake refuses (415); apply sends JSON.
            let namespace = try await kubectl.run("apply", "--validate=false", "-f", try kubectl.file("ns.yaml", """
                apiVersion: v1
                kind: Namespace
                metadata: {name: metallb-system}
                """))
            #expect(namespace.status == 0, "\(namespace.stderr)")
            let crd = """
                apiVersion: apiextensions.k8s.io/v1
                kind: CustomResourceDefinition
                metadata:
                  name: ipaddresspools.metallb.io
                spec:
                  group: metallb.io
                  names: {kind: IPAddressPool, plural: ipaddresspools, singular: ipaddresspool, listKind: IPAddressPoolList}
                  scope: Namespaced
                  versions:
                  - name: v1beta1
                    served: true
                    storage: true
                    schema: {openAPIV3Schema: {type: object}}
                """
            let crdApplied = try await kubectl.run("apply", "--validate=false", "-f", try kubectl.file("crd.yaml", crd))
            #expect(crdApplied.status == 0, "\(crdApplied.stderr)")
            let applied = try await kubectl.run("apply", "--validate=false", "-f", try kubectl.file("metallb.yaml", Self.metallb))
            #expect(applied.status == 0, "\(applied.stderr)")
            #expect(applied.stdout.contains("ipaddresspool.metallb.io/lab-pool created"))
            #expect(applied.stdout.contains("l2advertisement.metallb.io/lab-l2 created"))

            let changed = Self.metallb.replacingOccurrences(of: "192.168.10.0/24", with: "192.168.20.0/24")
            let reapplied = try await kubectl.run("apply", "--validate=false", "-f", try kubectl.file("m2.yaml", changed))
            #expect(reapplied.status == 0, "\(reapplied.stderr)")
            #expect(reapplied.stdout.contains("ipaddresspool.metallb.io/lab-pool configured"))
            #expect(try await kubectl.run("get", "ipaddresspools", "-n", "metallb-system", "-o",
                                          "jsonpath={.items[0].spec.addresses[0]}").stdout == "192.168.20.0/24")
            #expect(try await kubectl.run("get", "ipaddresspools,l2advertisements", "-A", "-l", "pool=lab", "-o", "name").stdout
                    == "ipaddresspool.metallb.io/lab-pool\nl2advertisement.metallb.io/lab-l2\n")

            let patched = try await kubectl.run("patch", "l2advertisement", "lab-l2", "-n", "metallb-system", "--type=merge",
                                                "-p", #"{"spec":{"interfaces":["eth0"]}}"#)
            #expect(patched.status == 0, "\(patched.stderr)")
            let status = try await kubectl.run("patch", "servicel2status", "l2-web", "-n", "metallb-system",
                                               "--subresource=status", "--type=merge", "-p",
                                               #"{"status":{"node":"node-a","serviceName":"web","serviceNamespace":"default"}}"#)
            #expect(status.status == 0, "\(status.stderr)")
            let stored = try await server.api.get("servicel2statuses.metallb.io", namespace: "metallb-system", name: "l2-web")
            #expect(stored[path: ["status", "node"]] == "node-a")
            #expect(try await kubectl.run("get", "crd", "-o", "name").stdout
                    == "customresourcedefinition.apiextensions.k8s.io/ipaddresspools.metallb.io\n")

            let deleted = try await kubectl.run("delete", "-f", try kubectl.file("m3.yaml", changed))
            #expect(deleted.status == 0, "\(deleted.stderr)")
            #expect(try await server.api.list("ipaddresspools.metallb.io").isEmpty)
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func getWatchStreamsChanges() async throws {
        try await withKubectl { server, kubectl in
            try await server.api.create("configmaps", namespace: "default",
                                        ["metadata": ["name": "before", "labels": ["app": "w"]], "data": [:]])
            let watch = try kubectl.start("get", "configmaps", "-l", "app=w", "-w", "-o", "name")
            defer { watch.stop() }
            #expect(await watch.lines(1) == ["configmap/before"])
            // Wait until kubectl's watch is open before writing, so every change is streamed.
            var open = false
            for _ in 0..<1000 where !open {
                open = await server.api.openWatchCount > 0
                if !open { try await Task.sleep(for: .milliseconds(10)) }
            }
            #expect(open)
            try await server.api.create("configmaps", namespace: "default",
                                        ["metadata": ["name": "after", "labels": ["app": "w"]], "data": [:]])
            try await server.api.create("configmaps", namespace: "default",
                                        ["metadata": ["name": "other", "labels": ["app": "no"]], "data": [:]])
            try await server.api.patch("configmaps", namespace: "default", name: "after", ["data": ["k": "v"]])
            try await server.api.delete("configmaps", namespace: "default", name: "before")
            let lines = await watch.lines(4)
            // The initial list, then ADDED, MODIFIED and DELETED (the event types are checked over HTTP
            // in HTTPSemanticsTests; `-o name` prints one line per event). "other" never matches.
            #expect(lines == ["configmap/before", "configmap/after", "configmap/after", "configmap/before"])
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func serverSidePrintingGivesKubectlsUsualColumns() async throws {
        try await withKubectl { server, kubectl in
            try await server.api.create("services", namespace: "default", [
                "metadata": ["name": "web"], "spec": ["type": "LoadBalancer", "selector": ["app": "web"],
                                                      "ports": [["port": 80, "nodePort": 31000]]],
            ])
            let table = try await kubectl.run("get", "svc", "-o", "wide")
            #expect(table.status == 0, "\(table.stderr)")
            let lines = table.stdout.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
            #expect(lines.first == ["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE", "SELECTOR"])
            #expect(Array(lines.last?.prefix(5) ?? []) == ["web", "LoadBalancer", "10.96.0.10", "<pending>", "80:31000/TCP"])
            #expect(lines.last?.last == "app=web")
            let watch = try kubectl.start("get", "svc", "web", "-w")
            defer { watch.stop() }
            #expect(await watch.lines(2).count == 2)
            var open = false
            for _ in 0..<1000 where !open {
                open = await server.api.openWatchCount > 0
                if !open { try await Task.sleep(for: .milliseconds(10)) }
            }
            try await server.api.patch("services", namespace: "default", name: "web",
                                       ["status": ["loadBalancer": ["ingress": [["ip": "192.168.10.7"]]]]], status: true)
            let streamed = await watch.lines(3)
            #expect(streamed.last?.split(separator: " ").map(String.init).prefix(4)
                    == ["web", "LoadBalancer", "10.96.0.10", "192.168.10.7"])
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func wrongTokenIsRefused() async throws {
        let server = try await KubeFakeServer.start(token: "right", tls: true)
        defer { Task { await server.shutdown() } }
        let kubectl = try Kubectl(server: server)
        defer { kubectl.cleanUp() }
        try server.writeKubeconfig(to: kubectl.kubeconfig, token: "wrong")
        let refused = try await kubectl.run("get", "configmaps")
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("Unauthorized") || refused.stderr.contains("provide credentials"))
    }
}
