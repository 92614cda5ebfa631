/// Why a msgpack value could not be decoded, and where.
///
/// Decoders in this module never trap: every malformed, truncated or hostile input ends in
/// one of these errors, carrying the byte offset at which decoding stopped.
public struct MsgPackDecodeError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong.
    public enum Reason: Hashable, Sendable {
        /// The input ended before the value was complete. Stream readers treat this as
        /// "wait for more bytes".
        case truncated
        /// The marker byte is not defined by the msgpack specification (0xc1).
        case invalidMarker(UInt8)
        /// A value of another kind than the caller asked for.
        case typeMismatch(expected: String, marker: UInt8)
        /// An integer does not fit the requested type (negative into unsigned, or too large).
        case integerOverflow
        /// Containers nested deeper than the reader's limit.
        case tooDeep
        /// A declared length larger than the bytes that remain.
        case lengthTooLarge(Int)
        /// A map key that is not a string.
        case nonStringKey
        /// A domain-level constraint violated (used by message decoders).
        case invalid(String)
    }

    /// Offset of the byte at which decoding failed, from the start of the input.
    public var offset: Int
    /// What went wrong.
    public var reason: Reason

    public init(offset: Int, reason: Reason) {
        self.offset = offset
        self.reason = reason
    }

    public var description: String { "msgpack decode error at offset \(offset): \(reason)" }
}
