public import MsgPack

/// Every message that carries protocol meaning once packet framing is removed.
///
/// The transport strips labels, decryption, CRC, compression and compound framing (message
/// types 244, 10, 12, 9, 7) and hands each inner message here; push/pull arrives only on
/// streams and has its own type (`PushPull`).
public enum GossipMessage: Sendable, Hashable {
    case ping(Ping)
    case indirectPing(IndirectPing)
    case ack(Ack)
    case nack(Nack)
    case suspect(Suspect)
    case alive(Alive)
    case dead(Dead)
    /// A packet user message: the raw bytes after the type byte.
    case user([UInt8])
    case err(ErrorResponse)

    /// Why a message could not be decoded.
    public enum DecodeError: Error, Hashable, Sendable {
        case empty
        /// A type byte that is not a plain message (framing types are the transport's).
        case unexpectedType(UInt8)
        case body(MessageType, MsgPackDecodeError)
    }

    /// Decodes one message: type byte followed by its body.
    public init(decoding bytes: [UInt8]) throws(DecodeError) {
        guard let first = bytes.first else { throw .empty }
        guard let type = MessageType(rawValue: first) else { throw .unexpectedType(first) }
        var reader = MsgPackReader(bytes, offset: 1)
        do {
            switch type {
            case .ping: self = .ping(try Ping(from: &reader))
            case .indirectPing: self = .indirectPing(try IndirectPing(from: &reader))
            case .ack: self = .ack(try Ack(from: &reader))
            case .nack: self = .nack(try Nack(from: &reader))
            case .suspect: self = .suspect(try Suspect(from: &reader))
            case .alive: self = .alive(try Alive(from: &reader))
            case .dead: self = .dead(try Dead(from: &reader))
            case .err: self = .err(try ErrorResponse(from: &reader))
            case .user: self = .user(Array(bytes.dropFirst()))
            case .pushPull, .compound, .compress, .encrypt, .hasCrc, .hasLabel: throw DecodeError.unexpectedType(first)
            }
        } catch let error as MsgPackDecodeError {
            throw .body(type, error)
        } catch let error as DecodeError {
            throw error
        } catch {
            throw .unexpectedType(first)
        }
    }

    /// The message type byte.
    public var messageType: MessageType {
        switch self {
        case .ping: .ping
        case .indirectPing: .indirectPing
        case .ack: .ack
        case .nack: .nack
        case .suspect: .suspect
        case .alive: .alive
        case .dead: .dead
        case .user: .user
        case .err: .err
        }
    }

    /// Type byte followed by the body, exactly as memberlist encodes it.
    public func encoded() -> [UInt8] {
        switch self {
        case .ping(let body): body.encoded()
        case .indirectPing(let body): body.encoded()
        case .ack(let body): body.encoded()
        case .nack(let body): body.encoded()
        case .suspect(let body): body.encoded()
        case .alive(let body): body.encoded()
        case .dead(let body): body.encoded()
        case .err(let body): body.encoded()
        case .user(let data): [MessageType.user.rawValue] + data
        }
    }
}
