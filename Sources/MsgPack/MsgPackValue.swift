/// Any msgpack value, kept as go-msgpack sees it on the wire.
///
/// Strings and byte slices are one kind (`raw`), because go-msgpack with memberlist's
/// settings writes both with the old-spec raw markers. Maps keep their entries in wire order
/// so that re-encoding a decoded value reproduces the input bytes for canonical input.
public enum MsgPackValue: Hashable, Sendable {
    case `nil`
    case bool(Bool)
    /// A negative integer (any of the signed markers with a value below zero).
    case int(Int64)
    /// A non-negative integer, whatever marker carried it.
    case uint(UInt64)
    case float32(Float)
    case float64(Double)
    /// str or bin family: a Go `string` or `[]byte`.
    case raw([UInt8])
    case array([MsgPackValue])
    case map([Entry])
    /// An extension value (never used by memberlist, decoded so it can be skipped).
    case ext(type: Int8, data: [UInt8])

    /// One key/value pair of a map, in wire order.
    public struct Entry: Hashable, Sendable {
        public var key: MsgPackValue
        public var value: MsgPackValue
        public init(key: MsgPackValue, value: MsgPackValue) {
            self.key = key
            self.value = value
        }
    }

    /// A string value, as go-msgpack writes a Go string.
    public static func string(_ text: String) -> MsgPackValue { .raw(Array(text.utf8)) }

    /// A signed integer normalised to `.uint` when non-negative, as go-msgpack writes it.
    public static func integer(_ value: Int64) -> MsgPackValue { value >= 0 ? .uint(UInt64(value)) : .int(value) }

    /// The value of `key` in a map whose keys are strings, or nil.
    public subscript(key: String) -> MsgPackValue? {
        guard case .map(let entries) = self else { return nil }
        let wanted = Array(key.utf8)
        return entries.first { $0.key == .raw(wanted) }?.value
    }
}
