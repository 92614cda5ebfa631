/// memberlist v0.3+ label header (type 244): `f4`, a length byte (1–255), the label. It is
/// the outermost layer of packets and of the dialer's side of streams; the label bytes are
/// the GCM additional data. memberlist v0.2.2 does not know it, so clusters that include
/// such peers must not set a label.
public enum PacketLabel {
    public enum DecodeError: Error, Hashable, Sendable {
        case emptyLabel
        case truncated
        /// The received label (empty if none) differs from the configured one.
        case mismatch(received: [UInt8])
    }

    /// Prepends the label header, or returns `payload` unchanged for an empty label.
    public static func add(_ label: [UInt8], to payload: [UInt8]) -> [UInt8] {
        guard !label.isEmpty else { return payload }
        return [MessageTypeByte.hasLabel, UInt8(label.count)] + label + payload
    }

    /// Splits a received buffer into (label, rest). No header gives an empty label.
    public static func strip(_ bytes: ArraySlice<UInt8>) throws(DecodeError) -> (label: [UInt8], rest: ArraySlice<UInt8>) {
        guard bytes.first == MessageTypeByte.hasLabel else { return ([], bytes) }
        guard bytes.count >= 2 else { throw .truncated }
        let length = Int(bytes[bytes.startIndex + 1])
        guard length > 0 else { throw .emptyLabel }
        let start = bytes.startIndex + 2
        guard bytes.endIndex - start >= length else { throw .truncated }
        return (Array(bytes[start..<(start + length)]), bytes[(start + length)...])
    }
}
