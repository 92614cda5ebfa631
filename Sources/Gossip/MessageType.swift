/// The type byte that starts every memberlist message (memberlist net.go `messageType`).
///
/// Packet-level wrappers (`compound`, `compress`, `encrypt`, `hasCrc`, `hasLabel`) are listed
/// so every layer dispatches on one enum; their framing lives in the transport.
public enum MessageType: UInt8, Sendable, Hashable, CaseIterable {
    case ping = 0
    case indirectPing = 1
    case ack = 2
    case suspect = 3
    case alive = 4
    case dead = 5
    case pushPull = 6
    case compound = 7
    case user = 8
    case compress = 9
    case encrypt = 10
    case nack = 11
    case hasCrc = 12
    case err = 13
    /// memberlist v0.3+ label header (outermost, outside encryption).
    case hasLabel = 244
}
