import Foundation

/// The gossip key material MetalLB's controller puts into the memberlist Secret when there is
/// none: 16 random bytes (128 bits), base64 with the standard alphabet and **no padding**
/// (Go's `base64.RawStdEncoding`), so always 22 characters. The speakers read the Secret's
/// `secretkey` byte for byte and derive the AES key from those characters
/// (`MetalLBSecretKey`), so the text form, not the 16 bytes, is what must match MetalLB.
///
/// Source: MetalLB `internal/k8s/k8s.go`, `CreateMlSecret`.
public enum MemberlistSecretKey {
    /// The data key inside the Secret (MetalLB: `secretkey`).
    public static let dataKey = "secretkey"
    /// Random bytes behind one key.
    public static let randomByteCount = 16

    /// A fresh key: `randomByteCount` bytes from `random`, standard base64 without padding.
    public static func generate(using random: inout some RandomNumberGenerator) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(randomByteCount)
        for _ in 0..<randomByteCount { bytes.append(UInt8.random(in: .min ... .max, using: &random)) }
        var text = Data(bytes).base64EncodedString()
        while text.hasSuffix("=") { text.removeLast() }
        return text
    }
}
