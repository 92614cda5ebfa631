import Crypto

/// memberlist's AES-GCM framing (security.go): `[version][12-byte nonce][ciphertext‖tag]`.
///
/// Version 0 (spoken with protocol version 1) PKCS#7-pads the plaintext to the AES block
/// size, always adding at least one byte; version 1 (protocol version ≥ 2, the default)
/// does not pad. Additional data is empty for packets, the label for labelled packets, and
/// the 5-byte stream header (+ label) for streams.
public enum PacketEncryption {
    public enum Version: UInt8, Sendable, Hashable {
        case paddedV0 = 0
        case unpaddedV1 = 1
    }

    static let nonceSize = 12
    static let tagSize = 16
    static let blockSize = 16

    /// Why a blob could not be decrypted.
    public enum DecryptError: Error, Hashable, Sendable {
        case empty
        case unsupportedVersion(UInt8)
        case tooShort(Int)
        /// No installed key authenticated the message (wrong key or tampered data).
        case noKeyMatched
        /// Version 0 plaintext whose PKCS#7 padding is not valid.
        case badPadding
    }

    /// Bytes added by encryption: 29 for version 1; 45 (worst-case padding) for version 0.
    public static func overhead(_ version: Version) -> Int {
        version == .unpaddedV1 ? 1 + nonceSize + tagSize : 1 + nonceSize + blockSize + tagSize
    }

    /// The exact encrypted length of an `inputLength`-byte plaintext.
    public static func encryptedLength(_ version: Version, inputLength: Int) -> Int {
        switch version {
        case .unpaddedV1: return 1 + nonceSize + inputLength + tagSize
        case .paddedV0: return 1 + nonceSize + inputLength + (blockSize - inputLength % blockSize) + tagSize
        }
    }

    /// Encrypts `plaintext` with `key` (16/24/32 bytes) and a fresh random nonce.
    public static func encrypt(
        _ plaintext: [UInt8], key: [UInt8], version: Version = .unpaddedV1, additionalData: [UInt8] = []
    ) throws -> [UInt8] {
        var message = plaintext
        if version == .paddedV0 {
            let padding = blockSize - plaintext.count % blockSize
            message += [UInt8](repeating: UInt8(padding), count: padding)
        }
        let nonce = AES.GCM.Nonce()
        let box = try AES.GCM.seal(message, using: SymmetricKey(data: key), nonce: nonce, authenticating: additionalData)
        var out = [version.rawValue]
        out.reserveCapacity(encryptedLength(version, inputLength: plaintext.count))
        out += Array(nonce)
        out += Array(box.ciphertext)
        out += Array(box.tag)
        return out
    }

    /// Decrypts a blob with every key of `keyring`, primary first. Never traps.
    public static func decrypt(
        _ blob: some Collection<UInt8>, keyring: GossipKeyring, additionalData: [UInt8] = []
    ) throws(DecryptError) -> [UInt8] {
        let bytes = Array(blob)
        guard let first = bytes.first else { throw .empty }
        guard let version = Version(rawValue: first) else { throw .unsupportedVersion(first) }
        guard bytes.count >= encryptedLength(version, inputLength: 0) else { throw .tooShort(bytes.count) }
        let nonceBytes = bytes[1..<(1 + nonceSize)]
        let ciphertext = bytes[(1 + nonceSize)..<(bytes.count - tagSize)]
        let tag = bytes[(bytes.count - tagSize)...]
        guard let nonce = try? AES.GCM.Nonce(data: nonceBytes),
            let box = try? AES.GCM.SealedBox(nonce: nonce, ciphertext: ciphertext, tag: tag)
        else { throw .tooShort(bytes.count) }
        for key in keyring.symmetricKeys {
            guard let plain = try? AES.GCM.open(box, using: key, authenticating: additionalData) else { continue }
            var plaintext = Array(plain)
            if version == .paddedV0 {
                guard let padding = plaintext.last, padding >= 1, Int(padding) <= plaintext.count else {
                    throw .badPadding
                }
                plaintext.removeLast(Int(padding))
            }
            return plaintext
        }
        throw .noKeyMatched
    }
}
