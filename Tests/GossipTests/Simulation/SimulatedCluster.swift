import Gossip
import SwiftLBTestKit

/// N `GossipInstance` cores on a `SimulatedNetwork` under one virtual clock.
///
/// Packets travel as encoded message parts and are decoded again on arrival, so the codec is
/// exercised too. TCP exchanges are modelled as synchronous and reliable between reachable
/// members: a push/pull swaps `localState` both ways at once, a TCP ping succeeds when the
/// target runs and is reachable.
struct SimulatedCluster {
    struct Observation {
        var time: Duration
        var observer: String
        var event: MemberEvent
    }

    let seed: UInt64
    var network: SimulatedNetwork<NodeAddress, [[UInt8]]>
    private(set) var nodes: [NodeAddress: GossipInstance] = [:] {
        didSet {
            if nodes.count != oldValue.count { order = nodes.keys.sorted { $0.ip.lexicographicallyPrecedes($1.ip) } }
        }
    }
    /// Running members in a fixed order, so runs are deterministic.
    private var order: [NodeAddress] = []
    private(set) var addresses: [String: NodeAddress] = [:]
    private(set) var observations: [Observation] = []
    private(set) var leaveCompleted: Set<String> = []
    /// Every user message delivered: (receiver, bytes).
    private(set) var userMessages: [(receiver: String, bytes: [UInt8])] = []
    /// Every `pingCompleted` directive.
    private(set) var pingsCompleted: [PingObservation] = []

    struct PingObservation {
        var observer: String
        var member: String
        var rtt: Duration
        var payload: [UInt8]?
    }
    private var random: SeededRandomNumberGenerator

    init(seed: UInt64, lossRate: Double = 0) {
        self.seed = seed
        network = SimulatedNetwork(seed: seed, lossRate: lossRate)
        random = SeededRandomNumberGenerator(seed: seed ^ 0x5eed)
    }

    var now: Duration { network.now }
    var instant: GossipInstant { GossipInstant(sinceOrigin: network.now) }

    static func address(_ index: Int) -> NodeAddress {
        NodeAddress(ip: [10, 0, UInt8(index / 250), UInt8(index % 250 + 1)], port: 7946)
    }

    /// Starts member `name` at `address` and joins it through `seeds`.
    mutating func start(
        _ name: String,
        at address: NodeAddress,
        settings: GossipSettings,
        meta: [UInt8]? = nil,
        seeds: [NodeAddress] = []
    ) {
        network.down.remove(address)
        var instance = GossipInstance(name: name, address: address, meta: meta, settings: settings)
        addresses[name] = address
        let started = instance.start(now: instant, using: &random)
        nodes[address] = instance
        execute(started, at: address)
        if !seeds.isEmpty {
            let joined = nodes[address]!.join(seeds: seeds, now: instant)
            execute(joined, at: address)
        }
    }

    /// Stops a member abruptly: it sends and receives nothing more.
    mutating func crash(_ name: String) {
        guard let address = addresses[name] else { return }
        nodes[address] = nil
        network.down.insert(address)
    }

    /// Calls `body` on a running member and executes what it returns.
    mutating func act(on name: String, _ body: (inout GossipInstance, GossipInstant) -> [GossipDirective]) {
        guard let address = addresses[name], var instance = nodes[address] else { return }
        let directives = body(&instance, instant)
        nodes[address] = instance
        execute(directives, at: address)
    }

    func instance(_ name: String) -> GossipInstance? { addresses[name].flatMap { nodes[$0] } }

    /// The state `observer` holds for each member.
    func view(of observer: String) -> [String: MemberState] {
        guard let instance = instance(observer) else { return [:] }
        return instance.members.mapValues(\.state)
    }

    var runningNames: [String] { nodes.values.map(\.name).sorted() }

    /// Whether every running member sees exactly `expected` as alive (and nothing else alive).
    func allSeeAlive(_ expected: Set<String>) -> Bool {
        nodes.values.allSatisfy { instance in
            Set(instance.members.values.filter { $0.state == .alive }.map(\.name)) == expected
        }
    }

    /// Runs until `end`, or until `stop` holds (checked after every step).
    /// - Returns: whether `stop` became true.
    @discardableResult
    mutating func run(until end: Duration, stop: (SimulatedCluster) -> Bool = { _ in false }) -> Bool {
        while true {
            if stop(self) { return true }
            let nextTick = nodes.values.compactMap(\.nextDeadline).min()?.sinceOrigin
            let next = [nextTick, network.nextDeliveryTime].compactMap { $0 }.min()
            guard let next, next <= end else {
                network.advance(to: end)
                return stop(self)
            }
            network.advance(to: next)
            while let delivery = network.popDue() { deliver(delivery) }
            for address in order {
                guard var instance = nodes[address], let deadline = instance.nextDeadline, deadline <= instant else {
                    continue
                }
                let directives = instance.tick(now: instant, using: &random)
                nodes[address] = instance
                execute(directives, at: address)
            }
        }
    }

    /// Runs for `duration` from now.
    @discardableResult
    mutating func run(for duration: Duration, stop: (SimulatedCluster) -> Bool = { _ in false }) -> Bool {
        run(until: now + duration, stop: stop)
    }

    private mutating func deliver(_ delivery: SimulatedNetwork<NodeAddress, [[UInt8]]>.Delivery) {
        for part in delivery.payload {
            guard var instance = nodes[delivery.to], let message = try? GossipMessage(decoding: part) else { continue }
            let directives = instance.handle(message, from: delivery.from, now: instant, using: &random)
            nodes[delivery.to] = instance
            execute(directives, at: delivery.to)
        }
    }

    private mutating func execute(_ directives: [GossipDirective], at address: NodeAddress) {
        for directive in directives {
            switch directive {
            case .sendPacket(let to, let messages, _):
                network.send(from: address, to: to, payload: messages)
            case .sendTCPPing(let to, let ping, _):
                // A TCP exchange needs several segments in each direction: modelled as failing
                // with twice the datagram loss rate (retransmissions rarely fit the deadline).
                let lost = Double(network.randomValue() % 1_000_000) / 1_000_000 < 2 * network.lossRate
                let acked = !lost && network.canReach(address, to) && nodes[to]?.answerStreamPing(ping) != nil
                act(at: address) { $0.tcpPingCompleted(seqNo: ping.seqNo, acked: acked, now: $1) }
            case .pushPull(let peer, let join):
                pushPull(from: address, to: peer, join: join)
            case .emit(let event):
                if let name = nodes[address]?.name {
                    observations.append(Observation(time: now, observer: name, event: event))
                }
            case .leaveComplete:
                if let name = nodes[address]?.name { leaveCompleted.insert(name) }
            case .deliverUserMessage(let bytes, _):
                if let name = nodes[address]?.name { userMessages.append((name, bytes)) }
            case .pingCompleted(let member, let rtt, let payload):
                if let name = nodes[address]?.name {
                    pingsCompleted.append(PingObservation(observer: name, member: member.name, rtt: rtt, payload: payload))
                }
            }
        }
    }

    private mutating func act(
        at address: NodeAddress,
        _ body: (inout GossipInstance, GossipInstant) -> [GossipDirective]
    ) {
        guard var instance = nodes[address] else { return }
        let directives = body(&instance, instant)
        nodes[address] = instance
        execute(directives, at: address)
    }

    private mutating func pushPull(from initiator: NodeAddress, to responder: NodeAddress, join: Bool) {
        guard let request = nodes[initiator]?.localState(join: join) else { return }
        guard network.canReach(initiator, responder), network.canReach(responder, initiator),
            var peer = nodes[responder],
            let decodedRequest = try? PushPull.decode(body: Array(request.encoded().dropFirst())).0
        else {
            act(at: initiator) { $0.pushPullFailed(with: responder, join: join, now: $1) }
            return
        }
        let reply = peer.localState(join: decodedRequest.join)
        let responderDirectives =
            (try? peer.mergeRemoteState(decodedRequest, from: initiator, now: instant, using: &random)) ?? []
        nodes[responder] = peer
        execute(responderDirectives, at: responder)
        guard let decodedReply = try? PushPull.decode(body: Array(reply.encoded().dropFirst())).0,
            var instance = nodes[initiator]
        else { return }
        let directives =
            (try? instance.mergeRemoteState(decodedReply, from: responder, now: instant, using: &random)) ?? []
        nodes[initiator] = instance
        execute(directives, at: initiator)
    }

    /// When each observer first declared `name` in a state matching `kind` ("dead", "leave", …)
    /// at or after `since`.
    func firstEvents(kind: String, about name: String, since: Duration) -> [String: Duration] {
        var result: [String: Duration] = [:]
        for observation in observations
        where observation.time >= since && observation.event.kind == kind && observation.event.member.name == name
            && result[observation.observer] == nil
        {
            result[observation.observer] = observation.time
        }
        return result
    }

    /// Every (observer, member) pair with a "dead" event since `since`.
    func deadEvents(since: Duration = .zero) -> [Observation] {
        observations.filter { $0.time >= since && $0.event.kind == "dead" }
    }
}
