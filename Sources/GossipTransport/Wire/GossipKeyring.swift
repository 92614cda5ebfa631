import Crypto

/// memberlist's keyring (keyring.go): AES keys of 16, 24 or 32 bytes. The primary (first)
/// key encrypts; on receive every key is tried, primary first, so keys can be rotated.
public struct GossipKeyring: Sendable, Hashable {
    /// A key whose length is not 16, 24 or 32 bytes.
    public struct InvalidKeyLength: Error, Hashable, Sendable {
        public var length: Int
    }

    /// All installed keys, primary first.
    public private(set) var keys: [[UInt8]]

    /// - Parameter keys: primary first. Every key must be 16, 24 or 32 bytes; at least one.
    public init(keys: [[UInt8]]) throws(InvalidKeyLength) {
        for key in keys where ![16, 24, 32].contains(key.count) {
            throw InvalidKeyLength(length: key.count)
        }
        guard !keys.isEmpty else { throw InvalidKeyLength(length: 0) }
        self.keys = keys
    }

    /// The key that encrypts outgoing traffic.
    public var primaryKey: [UInt8] { keys[0] }

    var symmetricKeys: [SymmetricKey] { keys.map { SymmetricKey(data: $0) } }
}

/// MetalLB's memberlist key derivation (internal/speakerlist, speaker/main.go).
///
/// MetalLB calls Go's `hash.Sum(secret)` on a fresh, unused SHA-256. `Sum` *appends* the
/// digest to its argument, so the result is the secret bytes followed by SHA-256("") and
/// MetalLB keeps the first 32 bytes as an AES-256 key: secrets of 32 bytes or more are used
/// unhashed, shorter ones are padded with the start of e3b0c442…. Reproducing the quirk is
/// what lets SwiftLB speakers read the same Secret and join MetalLB's cluster.
public enum MetalLBSecretKey {
    /// The 32-byte AES key for `secret`, or nil for an empty secret (no encryption).
    public static func derive(fromSecret secret: some Collection<UInt8>) -> [UInt8]? {
        guard !secret.isEmpty else { return nil }
        let emptyDigest = Array(SHA256.hash(data: [UInt8]()))
        return Array((Array(secret) + emptyDigest).prefix(32))
    }
}
