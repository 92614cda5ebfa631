import Packets

/// One answer for the probed IP on the wire: who claims it, and how.
struct ProbeAnswer: Equatable, Sendable {
    enum Kind: String, Sendable {
        /// An ARP reply or a solicited neighbour advertisement naming the target.
        case reply
        /// A gratuitous ARP (sender IP == target IP), request or reply form.
        case garp
        /// An unsolicited neighbour advertisement for the target (RFC 4861 section 7.2.6),
        /// IPv6's gratuitous ARP.
        case unsolicitedNA = "unsolicited_na"
    }

    var mac: MACAddress
    var kind: Kind
}

/// What the client saw about one IP: which MACs answered, when the owner changed, and
/// whether two MACs ever answered the same probe after the change. Pure: answers and
/// timestamps in, observations out (the socket and the clocks live in `main.swift`).
struct ProbeRecorder: Sendable {
    typealias Kind = ProbeAnswer.Kind

    /// One answer about the target. `window` is the index of the last probe sent before it
    /// arrived (-1 before the first probe), so answers to the same probe share a window.
    struct Observation: Equatable, Sendable {
        var seconds: Double
        var wallSeconds: Double
        var mac: MACAddress
        var kind: Kind
        var window: Int
    }

    /// The first answer from a MAC other than the initial owner.
    struct Change: Equatable, Sendable {
        var seconds: Double
        var wallSeconds: Double
        var mac: MACAddress
        var window: Int
    }

    let ownMac: MACAddress
    private(set) var initialMac: MACAddress?
    private(set) var change: Change?
    private(set) var replies = 0
    private(set) var gratuitous = 0
    private(set) var unrelatedFrames = 0
    private(set) var macsInOrderSeen: [MACAddress] = []
    /// MACs per window, from the change's window on.
    private var macsPerWindowAfterChange: [Int: Set<MACAddress>] = [:]

    /// - Parameter initialMac: the owner before the event under test; nil takes the first
    ///   MAC that answers.
    init(ownMac: MACAddress, initialMac: MACAddress?) {
        self.ownMac = ownMac
        self.initialMac = initialMac
    }

    /// Records an answer for the target (nil: a frame about something else, or our own).
    mutating func observe(_ answer: ProbeAnswer?, seconds: Double, wallSeconds: Double, window: Int)
        -> Observation?
    {
        guard let answer, answer.mac != ownMac else {
            unrelatedFrames += 1
            return nil
        }
        let kind = answer.kind
        switch kind {
        case .reply: replies += 1
        case .garp, .unsolicitedNA: gratuitous += 1
        }
        let mac = answer.mac
        if !macsInOrderSeen.contains(mac) { macsInOrderSeen.append(mac) }
        if initialMac == nil { initialMac = mac }
        if change == nil, mac != initialMac {
            change = Change(seconds: seconds, wallSeconds: wallSeconds, mac: mac, window: window)
        }
        if let change, window >= change.window {
            macsPerWindowAfterChange[window, default: []].insert(mac)
        }
        return Observation(seconds: seconds, wallSeconds: wallSeconds, mac: mac, kind: kind, window: window)
    }

    /// Counts the frames that did not decode (truncated, wrong checksum); they are dropped.
    mutating func countMalformed() { unrelatedFrames += 1 }

    /// Windows after the change in which two or more different MACs answered: each is a
    /// moment when clients could have been split between two owners.
    var dualAnswerWindowsAfterChange: Int {
        macsPerWindowAfterChange.values.filter { $0.count > 1 }.count
    }

    /// Windows after the change that saw any answer.
    var answeredWindowsAfterChange: Int { macsPerWindowAfterChange.count }
}
