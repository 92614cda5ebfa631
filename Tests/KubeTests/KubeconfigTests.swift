import Foundation
import Testing

@testable import Kube

@Suite("Kubeconfig parsing")
struct KubeconfigTests {
    static let caPEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"

    static func config(_ body: String) -> String {
        """
        apiVersion: v1
        kind: Config
        current-context: main
        \(body)
        """
    }

    @Test func resolvesCurrentContextWithTokenAndCAData() throws {
        let yaml = Self.config(
            """
            clusters:
            - name: c1
              cluster:
                server: https://10.0.0.1:6443/
                certificate-authority-data: \(Data(Self.caPEM.utf8).base64EncodedString())
            users:
            - name: u1
              user:
                token: abc
            contexts:
            - name: main
              context: {cluster: c1, user: u1, namespace: metallb-system}
            """
        )
        let config = try Kubeconfig.parse(yaml: yaml, file: "/k/config")
        #expect(config.server == "https://10.0.0.1:6443")
        #expect(config.credentials == .bearerToken("abc"))
        #expect(config.certificateAuthorityPEM == Array(Self.caPEM.utf8))
        #expect(config.namespace == "metallb-system")
        #expect(config.insecureSkipTLSVerify == false)
        #expect(config.origin == "/k/config")
    }

    @Test func namedContextClientCertificateFilesAndTokenFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kubecfg-\(UUID())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "CERT".write(toFile: "\(directory)/client.crt", atomically: true, encoding: .utf8)
        try "KEY".write(toFile: "\(directory)/client.key", atomically: true, encoding: .utf8)
        let yaml = Self.config(
            """
            clusters:
            - name: c1
              cluster: {server: "https://a:1"}
            - name: c2
              cluster: {server: "https://b:2", insecure-skip-tls-verify: true}
            users:
            - name: u2
              user:
                client-certificate: client.crt
                client-key: client.key
                tokenFile: /var/token
            contexts:
            - name: main
              context: {cluster: c1}
            - name: other
              context: {cluster: c2, user: u2}
            """
        )
        try yaml.write(toFile: "\(directory)/config", atomically: true, encoding: .utf8)
        let config = try Kubeconfig.load(path: "\(directory)/config", context: "other")
        #expect(config.server == "https://b:2")
        #expect(config.insecureSkipTLSVerify)
        #expect(config.clientCertificatePEM == Array("CERT".utf8))
        #expect(config.clientKeyPEM == Array("KEY".utf8))
        #expect(config.credentials == .tokenFile(path: "/var/token"))
        let current = try Kubeconfig.load(path: "\(directory)/config")
        #expect(current.server == "https://a:1")
        #expect(current.credentials == .none)
    }

    @Test(arguments: [
        ("clusters: []\ncontexts: []", "context \"main\" not found"),
        (
            "contexts:\n- name: main\n  context: {cluster: gone}",
            "cluster \"gone\" of context \"main\" not found"
        ),
        (
            "clusters:\n- name: c\n  cluster: {}\ncontexts:\n- name: main\n  context: {cluster: c}",
            "cluster \"c\" has no server"
        ),
        (
            "clusters:\n- name: c\n  cluster: {server: \"https://x\"}\ncontexts:\n- name: main\n  context: {cluster: c, user: nobody}",
            "user \"nobody\" of context \"main\" not found"
        ),
        (
            "clusters:\n- name: c\n  cluster: {server: \"https://x\", certificate-authority-data: \"%%%\"}\ncontexts:\n- name: main\n  context: {cluster: c}",
            "certificate-authority-data is not valid base64"
        ),
        (
            "clusters:\n- name: c\n  cluster: {server: \"https://x\", certificate-authority: /nonexistent/ca.crt}\ncontexts:\n- name: main\n  context: {cluster: c}",
            "certificate-authority file /nonexistent/ca.crt cannot be read"
        ),
        ("clusters: [ {name: c", "invalid YAML"),
        ("contexts:\n- context: {cluster: c}", "missing field \"name\" in contexts[0]"),
    ])
    func brokenConfigNamesFileAndProblem(body: String, problem: String) {
        let yaml = Self.config(body)
        do {
            _ = try Kubeconfig.parse(yaml: yaml, file: "/etc/kube/bad.yaml")
            Issue.record("expected an error for: \(body)")
        } catch {
            #expect(error.file == "/etc/kube/bad.yaml")
            #expect(error.problem.contains(problem), "got: \(error.problem)")
            #expect(error.description.hasPrefix("kubeconfig /etc/kube/bad.yaml: "))
            #expect(!error.description.contains("\n"))
        }
    }

    @Test func missingFileAndNonMapping() {
        #expect(throws: KubeConfigError(file: "/no/such/kubeconfig", problem: "no such file")) {
            _ = try Kubeconfig.load(path: "/no/such/kubeconfig")
        }
        #expect(throws: KubeConfigError(file: "f", problem: "not a kubeconfig (expected a YAML mapping)")) {
            _ = try Kubeconfig.parse(yaml: "- just\n- a list\n", file: "f")
        }
    }

    @Test func kubeconfigEnvironmentTakesFirstExistingFile() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("kcfg-\(UUID())").path
        try "x".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let found = Kubeconfig.defaultPath(environment: ["KUBECONFIG": "/nope/a:\(path):/nope/b"])
        #expect(found == path)
        #expect(Kubeconfig.defaultPath(environment: ["KUBECONFIG": "/nope/a:/nope/b", "HOME": "/nonexistent"]) == "/nope/a")
    }

    @Test func inClusterReadsServiceAccountFiles() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sa-\(UUID())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "tok\n".write(toFile: "\(directory)/token", atomically: true, encoding: .utf8)
        try Self.caPEM.write(toFile: "\(directory)/ca.crt", atomically: true, encoding: .utf8)
        try "metallb-system\n".write(toFile: "\(directory)/namespace", atomically: true, encoding: .utf8)
        let paths = InClusterConfiguration.Paths(directory: directory)
        let config = try InClusterConfiguration.load(
            paths: paths,
            environment: ["KUBERNETES_SERVICE_HOST": "fd00::1", "KUBERNETES_SERVICE_PORT": "443"]
        )
        #expect(config.server == "https://[fd00::1]:443")
        #expect(config.credentials == .tokenFile(path: "\(directory)/token"))
        #expect(config.namespace == "metallb-system")
        #expect(config.origin == "in-cluster")
        #expect(throws: KubeConfigError.self) {
            _ = try InClusterConfiguration.load(paths: paths, environment: [:])
        }
    }

    @Test func tokenFileIsRereadWhenItChanges() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tok-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "first\n".write(toFile: path, atomically: true, encoding: .utf8)
        let source = BearerTokenFile(path: path)
        #expect(try await source.current() == "first")
        try "second".write(toFile: path, atomically: true, encoding: .utf8)
        // A different modification time (or a new inode, as here) triggers a re-read.
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(5)], ofItemAtPath: path)
        #expect(try await source.current() == "second")
    }
}
