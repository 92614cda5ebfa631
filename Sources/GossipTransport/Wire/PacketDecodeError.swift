import MsgPack

/// Why a datagram or stream was dropped. Every byte sequence ends either in messages or in
/// one of these; the transport counts them (malformed vs. undecryptable) and drops the input.
public enum PacketDecodeError: Error, Hashable, Sendable {
    case empty
    case label(PacketLabel.DecodeError)
    /// Encryption failed: wrong key, tampered data, bad version (counted as undecryptable).
    case decrypt(PacketEncryption.DecryptError)
    /// Plaintext arrived while encryption is required (counted as undecryptable).
    case notEncrypted
    /// The `hasCrc` checksum does not match the payload.
    case checksumMismatch(expected: UInt32, actual: UInt32)
    case compound(CompoundMessage.DecodeError)
    case compressed(CompressedMessage.DecodeError)
    /// A compound or compress part that is empty (memberlist v0.2.2 would panic on it).
    case emptyPart
    /// Compound/compress nested deeper than memberlist ever sends.
    case nestedTooDeep
    /// hasCrc, encrypt or label inside another message: only valid at the outermost level.
    case misplacedFraming(UInt8)
    /// A stream message that is incomplete and cannot be completed (connection closed).
    case truncatedStream
    /// A stream frame larger than accepted.
    case streamTooLarge(Int)
    case streamMsgPack(MsgPackDecodeError)

    /// Whether the drop is an encryption problem (wrong key, no key, plaintext when
    /// encryption is required) rather than malformed bytes.
    public var isUndecryptable: Bool {
        switch self {
        case .decrypt, .notEncrypted: return true
        default: return false
        }
    }
}
