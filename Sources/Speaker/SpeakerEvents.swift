import ClusterModel
import Foundation
import Kube
import Logging

/// Posts `events.k8s.io/v1` Events on Services as `metallb-speaker` does. Fire and forget:
/// an unreachable API server must never hold up announcing.
struct SpeakerEvents: Sendable {
    let client: KubeClient
    let nodeName: String
    let logger: Logger

    /// MetalLB's Normal `nodeAssigned` text.
    static func nodeAssignedNote(node: String) -> String { "announcing from node \"\(node)\" with protocol \"layer2\"" }

    func record(on service: ServiceKey, uid: String?, type: String, reason: String, note: String) {
        let now = Date()
        let event = Event(
            metadata: ObjectMeta(
                name: "\(service.name).\(String(UInt64(now.timeIntervalSince1970 * 1e9), radix: 16))\(String(UInt16.random(in: 0...UInt16.max), radix: 16))",
                namespace: service.namespace),
            eventTime: KubeTime.microTime(now),
            reportingController: "metallb-speaker", reportingInstance: "metallb-speaker-\(nodeName)",
            action: reason, reason: reason,
            regarding: ObjectReference(apiVersion: "v1", kind: "Service", namespace: service.namespace, name: service.name, uid: uid),
            note: note, type: type)
        let client = client, logger = logger
        Task {
            do {
                _ = try await client.create(event, namespace: service.namespace)
            } catch {
                logger.warning("event not recorded", metadata: ["service": "\(service)", "reason": "\(reason)", "error": "\(error)"])
            }
        }
    }
}
