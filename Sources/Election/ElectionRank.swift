import Addressing
import Crypto

/// A node's place in MetalLB's owner order for one IP: the SHA-256 digest of the string
/// `<nodeName>#<ip>`, compared bytewise, smallest first (speaker/layer2_controller.go,
/// `ShouldAnnounce`: `sha256.Sum256(node + "#" + ip)` sorted with `bytes.Compare`).
///
/// The 32 digest bytes are kept as four big-endian words, so comparing the words in order is
/// the same as comparing the bytes in order, and a comparison costs four integer compares.
public struct ElectionRank: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var word0: UInt64
    public var word1: UInt64
    public var word2: UInt64
    public var word3: UInt64

    /// The rank that every real digest beats; used as "no owner yet".
    public static let worst = ElectionRank(word0: .max, word1: .max, word2: .max, word3: .max)

    public init(word0: UInt64, word1: UInt64, word2: UInt64, word3: UInt64) {
        self.word0 = word0
        self.word1 = word1
        self.word2 = word2
        self.word3 = word3
    }

    init(_ digest: SHA256.Digest) {
        (word0, word1, word2, word3) = digest.withUnsafeBytes { raw in
            (UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self)),
             UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)),
             UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 16, as: UInt64.self)),
             UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 24, as: UInt64.self)))
        }
    }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        if lhs.word0 != rhs.word0 { return lhs.word0 < rhs.word0 }
        if lhs.word1 != rhs.word1 { return lhs.word1 < rhs.word1 }
        if lhs.word2 != rhs.word2 { return lhs.word2 < rhs.word2 }
        return lhs.word3 < rhs.word3
    }

    /// The digest as 64 lowercase hex digits, as `hashlib.sha256(...).hexdigest()` prints it.
    public var description: String {
        [word0, word1, word2, word3].map { word in
            let hex = String(word, radix: 16)
            return String(repeating: "0", count: 16 - hex.count) + hex
        }.joined()
    }
}

/// MetalLB's owner ordering, for one node and IP or for a whole candidate list.
public enum ElectionOrder {
    /// The text MetalLB hashes for an IP: Go's `net.IP.String()`, i.e. a dotted quad for
    /// IPv4 (also for IPv4-mapped IPv6, which Go prints as IPv4) and RFC 5952 text for IPv6.
    public static func ipText(_ ip: IPAddress) -> String {
        if case .v6(let v6) = ip, v6.value >> 32 == 0xFFFF {
            return IPv4Address(UInt32(truncatingIfNeeded: v6.value)).description
        }
        return ip.description
    }

    /// The rank of `node` for `ip`.
    public static func rank(node: String, ip: IPAddress) -> ElectionRank {
        var hasher = SHA256()
        hasher.update(data: Array("\(node)#\(ipText(ip))".utf8))
        return ElectionRank(hasher.finalize())
    }

    /// `nodes` in MetalLB's order for `ip`: the first one owns it.
    public static func sorted(_ nodes: [String], for ip: IPAddress) -> [String] {
        nodes.map { (rank(node: $0, ip: ip), $0) }.sorted { $0.0 < $1.0 }.map(\.1)
    }
}

/// Hashes `<prefix><ip text>` for the election's hot loops, where a full resync hashes
/// every (node, IP) pair: node prefixes (`name#`) and IP texts are converted to bytes once
/// and fed to the hasher in two updates, so nothing is concatenated or allocated by us per hash.
struct RankHasher: Sendable {
    init() {}

    func rank(prefix: [UInt8], ipText: [UInt8]) -> ElectionRank {
        var hasher = SHA256()
        prefix.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        ipText.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        return ElectionRank(hasher.finalize())
    }

    /// The rank of an already assembled `name#ip` text.
    static func rank(_ text: UnsafeRawBufferPointer) -> ElectionRank {
        var hasher = SHA256()
        hasher.update(bufferPointer: text)
        return ElectionRank(hasher.finalize())
    }
}
