import Foundation
import Kube
import Logging

/// Creates the Secret holding the speakers' gossip key when it is missing, as MetalLB's
/// controller does on start (`CreateMlSecret`, `--ml-secret-name`, default `memberlist`):
/// data key `secretkey` with a fresh `MemberlistSecretKey`, owned by the controller's
/// Deployment so that it goes away with SwiftLB. An existing Secret is never read beyond its
/// existence and never rewritten: rotating the key is the operator's decision
/// (`manifests/memberlist-secret/README.md`).
///
/// Two replicas may race: the loser's create fails with AlreadyExists, which counts as
/// present. When the Deployment cannot be found (the controller runs outside one, as in the
/// lab), the Secret is created without an owner reference.
public struct MemberlistSecretProvisioner: Sendable {
    public enum Outcome: Sendable, Equatable {
        /// The Secret existed (or another replica created it first); nothing was written.
        case alreadyPresent
        /// This replica created it; `ownedBy` is the Deployment named as its owner, if found.
        case created(ownedBy: String?)
    }

    public let client: KubeClient
    public let namespace: String
    public let secretName: String
    public let deploymentName: String
    public let logger: Logger

    public init(client: KubeClient, namespace: String, secretName: String, deploymentName: String, logger: Logger) {
        self.client = client
        self.namespace = namespace
        self.secretName = secretName
        self.deploymentName = deploymentName
        self.logger = logger
    }

    /// One attempt. Throws on API errors other than "not found" / "already exists".
    public func ensure(using random: inout some RandomNumberGenerator) async throws -> Outcome {
        do {
            _ = try await client.get(Secret.self, name: secretName, namespace: namespace)
            logger.debug("memberlist secret present, nothing to do", metadata: ["secret": "\(namespace)/\(secretName)"])
            return .alreadyPresent
        } catch let error as KubeAPIError where error.isNotFound {}

        var owner: OwnerReference?
        do {
            let deployment = try await client.get(ControllerDeployment.self, name: deploymentName, namespace: namespace)
            if let name = deployment.metadata.name, let uid = deployment.metadata.uid {
                owner = OwnerReference(apiVersion: ControllerDeployment.apiVersion, kind: ControllerDeployment.kind, name: name, uid: uid)
            }
        } catch let error as KubeAPIError where error.isNotFound {
            logger.info(
                "controller Deployment not found: the memberlist secret gets no owner",
                metadata: ["deployment": "\(namespace)/\(deploymentName)"])
        }

        let key = MemberlistSecretKey.generate(using: &random)
        let secret = Secret(
            metadata: ObjectMeta(name: secretName, namespace: namespace, ownerReferences: owner.map { [$0] }),
            data: [MemberlistSecretKey.dataKey: Data(key.utf8)])
        do {
            _ = try await client.create(secret, namespace: namespace)
        } catch let error as KubeAPIError where error.isAlreadyExists {
            return .alreadyPresent
        }
        // The key itself is never logged.
        logger.info(
            "memberlist secret created",
            metadata: ["secret": "\(namespace)/\(secretName)", "owner": "\(owner?.name ?? "none")"])
        return .created(ownedBy: owner?.name)
    }
}
