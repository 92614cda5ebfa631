public import MsgPack

/// A member's state as memberlist numbers it (`NodeStateType`).
public enum MemberState: Int, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case alive = 0
    case suspect = 1
    case dead = 2
    /// Left gracefully: declared dead by itself.
    case left = 3

    public var description: String {
        switch self {
        case .alive: "alive"
        case .suspect: "suspect"
        case .dead: "dead"
        case .left: "left"
        }
    }
}

/// The header of a push/pull state exchange (memberlist `pushPullHeader`).
public struct PushPullHeader: GossipMessageBody {
    public static let messageType = MessageType.pushPull

    public var nodes: Int
    public var userStateLen: Int
    public var join: Bool

    public init(nodes: Int, userStateLen: Int, join: Bool) {
        self.nodes = nodes
        self.userStateLen = userStateLen
        self.join = join
    }

    public func encodeBody(into writer: inout MsgPackWriter) {
        writer.writeMapHeader(3)
        writer.writeString("Join")
        writer.write(join)
        writer.writeString("Nodes")
        writer.writeSigned(Int64(nodes))
        writer.writeString("UserStateLen")
        writer.writeSigned(Int64(userStateLen))
    }

    public init(from reader: inout MsgPackReader) throws(MsgPackDecodeError) {
        self.init(nodes: 0, userStateLen: 0, join: false)
        try reader.readStruct(fields: ["Nodes", "UserStateLen", "Join"]) {
            (key, reader) throws(MsgPackDecodeError) -> Bool in
            switch key {
            case "Nodes": nodes = try reader.readSigned()
            case "UserStateLen": userStateLen = try reader.readSigned()
            case "Join": join = try reader.readBool()
            default: return false
            }
            return true
        }
    }
}

/// One entry of a push/pull node list (memberlist `pushNodeState`). Note the key `Name`,
/// where alive, suspect and dead say `Node`.
public struct PushNodeState: Sendable, Hashable {
    public var name: String
    public var addr: [UInt8]
    public var port: UInt16
    public var meta: [UInt8]?
    public var incarnation: UInt32
    /// The raw state number; unknown numbers are kept and ignored by the merge.
    public var state: Int
    public var vsn: [UInt8]

    public init(
        name: String,
        addr: [UInt8],
        port: UInt16,
        meta: [UInt8]?,
        incarnation: UInt32,
        state: Int,
        vsn: [UInt8]
    ) {
        self.name = name
        self.addr = addr
        self.port = port
        self.meta = meta
        self.incarnation = incarnation
        self.state = state
        self.vsn = vsn
    }

    public func encode(into writer: inout MsgPackWriter) {
        writer.writeMapHeader(7)
        writer.writeString("Addr")
        writer.writeRaw(addr)
        writer.writeString("Incarnation")
        writer.writeUnsigned(UInt64(incarnation))
        writer.writeString("Meta")
        writer.writeBytes(meta)
        writer.writeString("Name")
        writer.writeString(name)
        writer.writeString("Port")
        writer.writeUnsigned(UInt64(port))
        writer.writeString("State")
        writer.writeSigned(Int64(state))
        writer.writeString("Vsn")
        writer.writeRaw(vsn)
    }

    public init(from reader: inout MsgPackReader) throws(MsgPackDecodeError) {
        self.init(name: "", addr: [], port: 0, meta: nil, incarnation: 0, state: 0, vsn: [])
        let fields = ["Name", "Addr", "Port", "Meta", "Incarnation", "State", "Vsn"]
        try reader.readStruct(fields: fields) { (key, reader) throws(MsgPackDecodeError) -> Bool in
            switch key {
            case "Name": name = try reader.readString()
            case "Addr": addr = try reader.readRaw() ?? []
            case "Port": port = try reader.readUnsigned()
            case "Meta": meta = try reader.readRaw()
            case "Incarnation": incarnation = try reader.readUnsigned()
            case "State": state = try reader.readSigned()
            case "Vsn": vsn = try readVsn(&reader)
            default: return false
            }
            return true
        }
    }
}

/// A complete push/pull message (type 6), as sent over TCP before any compression or
/// encryption: the header, `nodes.count` node states, then the raw user state bytes.
public struct PushPull: Sendable, Hashable {
    /// memberlist ≥ v0.6 refuses more nodes than this; so do we.
    public static let maximumNodes = 1 << 20
    /// memberlist's `maxPushStateBytes`.
    public static let maximumUserStateBytes = 20 * 1024 * 1024

    public var join: Bool
    public var nodes: [PushNodeState]
    /// The delegate's local state (opaque to memberlist).
    public var userState: [UInt8]

    public init(join: Bool, nodes: [PushNodeState], userState: [UInt8] = []) {
        self.join = join
        self.nodes = nodes
        self.userState = userState
    }

    /// The stream bytes: type byte 6, header, node states, user state.
    public func encoded() -> [UInt8] {
        var writer = MsgPackWriter(capacity: 64 + nodes.count * 80 + userState.count)
        writer.bytes.append(MessageType.pushPull.rawValue)
        PushPullHeader(nodes: nodes.count, userStateLen: userState.count, join: join).encodeBody(into: &writer)
        for node in nodes { node.encode(into: &writer) }
        writer.bytes.append(contentsOf: userState)
        return writer.bytes
    }

    /// Decodes the part after the type byte from the start of `bytes`.
    ///
    /// A `.truncated` error means more bytes are needed (stream readers retry after reading
    /// more), so the message can be parsed incrementally without waiting for EOF.
    /// - Returns: the message and the number of bytes it occupied.
    public static func decode(body bytes: [UInt8]) throws(MsgPackDecodeError) -> (PushPull, consumed: Int) {
        var reader = MsgPackReader(bytes)
        let header = try PushPullHeader(from: &reader)
        guard (0...maximumNodes).contains(header.nodes) else {
            throw MsgPackDecodeError(offset: 0, reason: .lengthTooLarge(header.nodes))
        }
        guard (0...maximumUserStateBytes).contains(header.userStateLen) else {
            throw MsgPackDecodeError(offset: 0, reason: .lengthTooLarge(header.userStateLen))
        }
        var nodes: [PushNodeState] = []
        nodes.reserveCapacity(min(header.nodes, reader.remaining))
        for _ in 0..<header.nodes { nodes.append(try PushNodeState(from: &reader)) }
        let userState = try reader.readBytes(count: header.userStateLen)
        return (PushPull(join: header.join, nodes: nodes, userState: userState), reader.offset)
    }
}
