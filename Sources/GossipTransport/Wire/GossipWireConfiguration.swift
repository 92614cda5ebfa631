/// How packets and streams are framed on the wire: memberlist's `EnableCompression`,
/// `Keyring`, `GossipVerifyIncoming`/`GossipVerifyOutgoing`, `Label` and the encryption
/// version that follows the protocol version (2 → version 1).
public struct GossipWireConfiguration: Sendable, Hashable {
    /// Encrypts with the primary key and decrypts with any; nil = no encryption.
    public var keyring: GossipKeyring?
    /// Version 1 (no padding) for protocol version ≥ 2, which every memberlist speaks.
    public var encryptionVersion: PacketEncryption.Version
    /// Drop traffic that is not encrypted (when a keyring is set). Off = also accept plaintext,
    /// as memberlist does while a cluster is being switched to encryption.
    public var verifyIncoming: Bool
    /// Encrypt what is sent (when a keyring is set).
    public var verifyOutgoing: Bool
    /// memberlist v0.3+ label, at most 255 bytes; empty = none.
    public var label: [UInt8]
    /// Accept traffic whatever its label header says, assuming the configured label for AD.
    public var skipInboundLabelCheck: Bool
    /// LZW-compress packets (when shorter) and streams, as memberlist's default does.
    public var compression: Bool
    /// The largest decompressed payload accepted (memberlist ≥ 0.6 uses 40 MiB).
    public var maximumDecompressedSize: Int

    public init(
        keyring: GossipKeyring? = nil,
        encryptionVersion: PacketEncryption.Version = .unpaddedV1,
        verifyIncoming: Bool = true,
        verifyOutgoing: Bool = true,
        label: [UInt8] = [],
        skipInboundLabelCheck: Bool = false,
        compression: Bool = true,
        maximumDecompressedSize: Int = 40 << 20
    ) {
        precondition(label.count <= 255, "memberlist labels are at most 255 bytes")
        self.keyring = keyring
        self.encryptionVersion = encryptionVersion
        self.verifyIncoming = verifyIncoming
        self.verifyOutgoing = verifyOutgoing
        self.label = label
        self.skipInboundLabelCheck = skipInboundLabelCheck
        self.compression = compression
        self.maximumDecompressedSize = maximumDecompressedSize
    }

    /// Whether outgoing traffic is encrypted.
    public var encryptsOutgoing: Bool { keyring != nil && verifyOutgoing }

    /// The bytes encryption and the label add to a packet: what the piggyback budget of
    /// `UDPBufferSize` loses (memberlist state.go `gossip`).
    public var packetOverhead: Int {
        (encryptsOutgoing ? PacketEncryption.overhead(encryptionVersion) : 0) + (label.isEmpty ? 0 : 2 + label.count)
    }
}
