import Controller
import Foundation
import Kube
import KubeFake
import SwiftLBTestKit
import Testing

/// The memberlist Secret MetalLB's controller creates when it is missing (`CreateMlSecret`).
@Suite(.timeLimit(.minutes(1)))
struct MemberlistSecretTests {
    static let standardAlphabet = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")

    @Test func generatedKeyIsSixteenRandomBytesInUnpaddedStandardBase64() throws {
        var random = SeededRandomNumberGenerator(seed: 7)
        var keys: Set<String> = []
        for _ in 0..<200 {
            let key = MemberlistSecretKey.generate(using: &random)
            #expect(key.utf8.count == 22)
            #expect(!key.contains("="))
            #expect(key.allSatisfy { Self.standardAlphabet.contains($0) })
            // Padding restored, it is the base64 of exactly 16 bytes.
            let bytes = try #require(Data(base64Encoded: key + "=="))
            #expect(bytes.count == 16)
            keys.insert(key)
        }
        #expect(keys.count == 200, "200 draws gave \(keys.count) distinct keys")
    }

    @Test func sameGeneratorStateGivesTheSameKey() {
        var first = SeededRandomNumberGenerator(seed: 42)
        var second = SeededRandomNumberGenerator(seed: 42)
        #expect(MemberlistSecretKey.generate(using: &first) == MemberlistSecretKey.generate(using: &second))
    }

    @Test func missingSecretIsCreatedWithAFreshKey() async throws {
        try await ControllerHarness.with { cluster in
            let running = try cluster.startController()
            try await eventually("the controller reports the secret") { await running.controller.memberlistSecret != nil }
            // KubeFake serves no Deployments: created without an owner, as in the lab.
            #expect(await running.controller.memberlistSecret == .created(ownedBy: nil))
            let secret = try await cluster.client.get(Secret.self, name: "memberlist", namespace: ControllerHarness.namespace)
            let key = try #require(secret.data?["secretkey"])
            #expect(key.count == 22)
            #expect(Data(base64Encoded: String(decoding: key, as: UTF8.self) + "==")?.count == 16)
            #expect(secret.metadata.ownerReferences == nil)
            await running.stop()

            // A second start finds it and leaves it exactly as it is.
            let again = try cluster.startController()
            try await eventually("the second controller reports the secret") { await again.controller.memberlistSecret != nil }
            #expect(await again.controller.memberlistSecret == .alreadyPresent)
            let after = try await cluster.client.get(Secret.self, name: "memberlist", namespace: ControllerHarness.namespace)
            #expect(after.data == secret.data)
            #expect(after.metadata.resourceVersion == secret.metadata.resourceVersion)
            await again.stop()
        }
    }

    @Test func existingSecretIsNeverOverwritten() async throws {
        try await ControllerHarness.with { cluster in
            let mine = Secret(
                metadata: ObjectMeta(name: "memberlist", namespace: ControllerHarness.namespace),
                data: ["secretkey": Data("operator-chosen-key".utf8)])
            let created = try await cluster.client.create(mine, namespace: ControllerHarness.namespace)
            let running = try cluster.startController()
            try await eventually("the controller reports the secret") { await running.controller.memberlistSecret != nil }
            #expect(await running.controller.memberlistSecret == .alreadyPresent)
            let after = try await cluster.client.get(Secret.self, name: "memberlist", namespace: ControllerHarness.namespace)
            #expect(after.data?["secretkey"] == Data("operator-chosen-key".utf8))
            #expect(after.metadata.resourceVersion == created.metadata.resourceVersion)
            await running.stop()
        }
    }

    @Test func customSecretNameAndEmptyNameDisablesIt() async throws {
        try await ControllerHarness.with { cluster in
            let custom = try cluster.startController(memberlistSecretName: "gossip-key")
            try await eventually("the controller reports the secret") { await custom.controller.memberlistSecret != nil }
            #expect(await custom.controller.memberlistSecret == .created(ownedBy: nil))
            _ = try await cluster.client.get(Secret.self, name: "gossip-key", namespace: ControllerHarness.namespace)
            await custom.stop()

            // With the name empty the controller allocates but creates no Secret at all.
            try await cluster.createPool("lab", ["192.168.10.10-192.168.10.20"])
            let disabled = try cluster.startController(memberlistSecretName: "")
            try await cluster.createService("web")
            #expect(try await cluster.awaitIngress("web") == ["192.168.10.10"])
            #expect(await disabled.controller.memberlistSecret == nil)
            let names = try await cluster.client.list(Secret.self, namespace: ControllerHarness.namespace).items.compactMap(\.metadata.name)
            #expect(names == ["gossip-key"])
            await disabled.stop()
        }
    }
}
