import Addressing
import ClusterModel
import Config

/// The incremental owner election: MetalLB's result for every Service, kept up to date
/// event by event without re-hashing everything.
///
/// MetalLB's speaker resyncs every Service on each gossip join/leave/update (speaker/main.go,
/// "node event - forcing sync"), hashing every (node, IP) pair again. The result only ever
/// depends on the minimum hash among a Service's candidates, so this keeps, per Service,
/// the owner and the owner's rank, and per node the Services it owns:
/// - a node that stops being a candidate changes only the Services it owns (those are
///   recomputed); removing any other candidate cannot change a minimum;
/// - a node that becomes a candidate needs one hash per Service it is a candidate for, compared
///   with the current owner's rank;
/// - a Service change recomputes that Service only;
/// - a configuration change recomputes everything.
///
/// Every mutating call returns the owner changes it caused, sorted by Service.
public struct OwnerElection: Sendable {
    public private(set) var configuration: Configuration
    public let options: ElectionOptions

    private var nodeSlots: [NodeSlot] = []
    private var nodeIndex: [String: Int] = [:]
    /// Distinct sets of applicable advertisements, each with the nodes they select.
    private var scopes: [Scope] = []
    private var scopeIndex: [[Int]: Int] = [:]
    private var serviceSlots: [ServiceSlot?] = []
    private var serviceIndex: [ServiceKey: Int] = [:]
    private var freeServiceSlots: [Int] = []
    private var hasher = RankHasher()
    /// Every node's `name#` bytes back to back (`prefixOffsets[i]..<prefixOffsets[i + 1]`),
    /// and whether each node can be a candidate at all: flat arrays for the full-recompute loop.
    private var prefixBytes: [UInt8] = []
    private var prefixOffsets: [Int] = [0]
    private var eligible: [Bool] = []
    private var longestPrefix = 0

    private struct NodeSlot: Sendable {
        var name: String
        /// `name#` as bytes, the hashed prefix.
        var prefix: [UInt8]
        var node: ClusterNode?
        var member: SpeakerMember?
        /// Why the node can be no candidate at all; nil when it can be one.
        var exclusion: WithdrawReason?
        /// Service slots this node owns.
        var owned: Set<Int> = []
    }

    private struct Scope: Sendable {
        var advertisements: [Int]
        /// Per node slot: selected by one of the advertisements.
        var selects: [Bool]
    }

    private struct Contest: Sendable {
        var ip: IPAddress
        var ipText: [UInt8]
        var scope: Int
        /// Node slots hosting a serving endpoint, under `externalTrafficPolicy: Local`.
        var localNodes: Set<Int>?
    }

    private struct ServiceSlot: Sendable {
        var service: LoadBalancerService
        var endpoints: [ServiceEndpoint]
        var contest: Contest?
        var withdrawReason: WithdrawReason?
        var owner: Int?
        var ownerRank: ElectionRank = .worst
    }

    public init(configuration: Configuration = Configuration(), options: ElectionOptions = ElectionOptions()) {
        self.configuration = configuration
        self.options = options
    }

    // MARK: - Queries

    /// The node announcing `service`'s IP, if any.
    public func owner(of service: ServiceKey) -> String? {
        guard let slot = serviceIndex[service], let owner = serviceSlots[slot]?.owner else { return nil }
        return nodeSlots[owner].name
    }

    /// Why nobody announces `service`'s IP; nil when someone does or the Service is unknown.
    public func withdrawReason(of service: ServiceKey) -> WithdrawReason? {
        guard let slot = serviceIndex[service], let state = serviceSlots[slot] else { return nil }
        if state.owner != nil { return nil }
        return state.withdrawReason ?? .noCandidates
    }

    /// Every Service with an owner, and its owner.
    public var owners: [ServiceKey: String] {
        var result: [ServiceKey: String] = [:]
        for case let slot? in serviceSlots {
            if let owner = slot.owner { result[slot.service.key] = nodeSlots[owner].name }
        }
        return result
    }

    /// The Services `node` announces, sorted: what a speaker on `node` must answer for.
    public func services(ownedBy node: String) -> [ServiceKey] {
        guard let index = nodeIndex[node] else { return [] }
        return nodeSlots[index].owned.compactMap { serviceSlots[$0]?.service.key }.sorted()
    }

    public var serviceCount: Int { serviceIndex.count }

    /// The same state as a one-shot snapshot (for explanations and cross-checks).
    public var snapshot: ElectionSnapshot {
        ElectionSnapshot(
            configuration: configuration, options: options,
            nodes: nodeSlots.compactMap(\.node), members: nodeSlots.compactMap(\.member))
    }

    /// The full ordered explanation of one Service's election (hashes every node once).
    public func explain(_ service: ServiceKey) -> ServiceElection? {
        guard let slot = serviceIndex[service], let state = serviceSlots[slot] else { return nil }
        return snapshot.elect(state.service, endpoints: state.endpoints)
    }

    // MARK: - Nodes and members

    /// A Node object was added or changed (labels, `NetworkUnavailable`).
    public mutating func upsertNode(_ node: ClusterNode) -> [OwnerChange] {
        changeNode(named: node.name) { $0.node = node }
    }

    /// A Node object was deleted.
    public mutating func removeNode(named name: String) -> [OwnerChange] {
        guard nodeIndex[name] != nil else { return [] }
        return changeNode(named: name) { $0.node = nil }
    }

    /// A speaker joined the gossip, or its metadata changed.
    public mutating func memberJoined(_ member: SpeakerMember) -> [OwnerChange] {
        changeNode(named: member.name) { $0.member = member }
    }

    /// A speaker left the gossip or was declared dead.
    public mutating func memberLeft(named name: String) -> [OwnerChange] {
        guard nodeIndex[name] != nil else { return [] }
        return changeNode(named: name) { $0.member = nil }
    }

    /// Replaces the whole live member list (joins and leaves as one change).
    public mutating func setMembers(_ members: [SpeakerMember]) -> [OwnerChange] {
        let wanted = Dictionary(members.map { ($0.name, $0) }, uniquingKeysWith: { _, last in last })
        var before: [Int: Int?] = [:]
        for slot in nodeSlots where slot.member != nil && wanted[slot.name] == nil {
            changeNode(named: slot.name, recording: &before) { $0.member = nil }
        }
        for member in members where nodeIndex[member.name].map({ nodeSlots[$0].member != member }) ?? true {
            changeNode(named: member.name, recording: &before) { $0.member = member }
        }
        return changes(since: before)
    }

    // MARK: - Services

    /// A Service or its endpoints changed: re-evaluates that Service only.
    public mutating func upsertService(_ service: LoadBalancerService, endpoints: [ServiceEndpoint]) -> [OwnerChange] {
        var before: [Int: Int?] = [:]
        let slot: Int
        if let existing = serviceIndex[service.key] {
            slot = existing
            before[slot] = serviceSlots[slot]?.owner
        } else {
            slot = freeServiceSlots.popLast() ?? serviceSlots.count
            if slot == serviceSlots.count { serviceSlots.append(nil) }
            serviceIndex[service.key] = slot
            before[slot] = .some(nil)
        }
        setOwner(of: slot, to: nil, rank: .worst)
        serviceSlots[slot] = ServiceSlot(service: service, endpoints: endpoints)
        resolve(slot)
        recompute(slot)
        return changes(since: before)
    }

    /// A Service was deleted (or is no longer ours to watch).
    public mutating func removeService(_ key: ServiceKey) -> [OwnerChange] {
        guard let slot = serviceIndex.removeValue(forKey: key) else { return [] }
        let previous = serviceSlots[slot]?.owner
        setOwner(of: slot, to: nil, rank: .worst)
        serviceSlots[slot] = nil
        freeServiceSlots.append(slot)
        guard let previous else { return [] }
        return [OwnerChange(service: key, previousOwner: nodeSlots[previous].name, owner: nil)]
    }

    // MARK: - Configuration

    /// A new configuration: every Service is re-resolved and re-elected.
    public mutating func setConfiguration(_ configuration: Configuration) -> [OwnerChange] {
        self.configuration = configuration
        scopes = []
        scopeIndex = [:]
        return resyncAll()
    }

    /// Re-resolves and re-elects every Service from scratch: the cost MetalLB pays on every
    /// membership event, kept for configuration changes and for measuring.
    public mutating func resyncAll() -> [OwnerChange] {
        var before: [Int: Int?] = [:]
        for slot in serviceSlots.indices {
            guard serviceSlots[slot] != nil else { continue }
            before[slot] = serviceSlots[slot]?.owner
            setOwner(of: slot, to: nil, rank: .worst)
            resolve(slot)
            recompute(slot)
        }
        return changes(since: before)
    }

    // MARK: - Internals

    private mutating func slotIndex(forNode name: String) -> Int {
        if let index = nodeIndex[name] { return index }
        let index = nodeSlots.count
        nodeSlots.append(NodeSlot(name: name, prefix: Array("\(name)#".utf8), exclusion: .notMember))
        nodeSlots[index].exclusion = ElectionRules.baseExclusion(node: nil, member: nil, options: options)
        nodeIndex[name] = index
        prefixBytes += nodeSlots[index].prefix
        prefixOffsets.append(prefixBytes.count)
        longestPrefix = max(longestPrefix, nodeSlots[index].prefix.count)
        eligible.append(nodeSlots[index].exclusion == nil)
        for scope in scopes.indices { scopes[scope].selects.append(false) }
        return index
    }

    private mutating func changeNode(named name: String, _ change: (inout NodeSlot) -> Void) -> [OwnerChange] {
        var before: [Int: Int?] = [:]
        changeNode(named: name, recording: &before, change)
        return changes(since: before)
    }

    /// Applies `change` to a node and re-elects only the Services whose candidate set it changed.
    private mutating func changeNode(
        named name: String,
        recording before: inout [Int: Int?],
        _ change: (inout NodeSlot) -> Void
    ) {
        let index = slotIndex(forNode: name)
        let wasEligible = nodeSlots[index].exclusion == nil
        let selectedBefore = scopes.map { $0.selects[index] }
        change(&nodeSlots[index])
        let slot = nodeSlots[index]
        nodeSlots[index].exclusion = ElectionRules.baseExclusion(node: slot.node, member: slot.member, options: options)
        let isEligible = nodeSlots[index].exclusion == nil
        eligible[index] = isEligible
        let labels = slot.node?.labels ?? [:]
        var lostScope = false
        var gainedScope = false
        for scope in scopes.indices {
            let selects = slot.node != nil
                && ElectionRules.advertised(labels: labels, by: scopes[scope].advertisements, in: configuration)
            scopes[scope].selects[index] = selects
            if selectedBefore[scope] && !selects { lostScope = true }
            if !selectedBefore[scope] && selects { gainedScope = true }
        }
        // Lost candidacy somewhere: only the Services it owns can change owner.
        if wasEligible && (!isEligible || lostScope) {
            for service in nodeSlots[index].owned where !isCandidate(index, for: service) {
                if before[service] == nil { before[service] = serviceSlots[service]?.owner }
                setOwner(of: service, to: nil, rank: .worst)
                recompute(service)
            }
        }
        // Gained candidacy somewhere: one hash per Service it newly contends for.
        if isEligible && (!wasEligible || gainedScope) {
            for service in serviceSlots.indices {
                guard let state = serviceSlots[service], let contest = state.contest,
                      scopes[contest.scope].selects[index],
                      contest.localNodes?.contains(index) ?? true
                else { continue }
                if wasEligible && selectedBefore[contest.scope] { continue }  // already contended
                let rank = hasher.rank(prefix: nodeSlots[index].prefix, ipText: contest.ipText)
                if state.owner == nil || rank < state.ownerRank {
                    if before[service] == nil { before[service] = state.owner }
                    setOwner(of: service, to: index, rank: rank)
                }
            }
        }
    }

    private func isCandidate(_ node: Int, for service: Int) -> Bool {
        guard nodeSlots[node].exclusion == nil, let contest = serviceSlots[service]?.contest else { return false }
        return scopes[contest.scope].selects[node] && (contest.localNodes?.contains(node) ?? true)
    }

    /// Re-evaluates the Service-wide checks of one Service slot.
    private mutating func resolve(_ slot: Int) {
        guard let state = serviceSlots[slot] else { return }
        switch ElectionRules.terms(
            service: state.service, endpoints: state.endpoints, configuration: configuration, options: options)
        {
        case .withdrawn(let reason):
            serviceSlots[slot]?.contest = nil
            serviceSlots[slot]?.withdrawReason = reason
        case .contest(let terms):
            let scope = scope(for: terms.advertisements)
            let local = terms.localNodes.map { names in Set(names.map { slotIndex(forNode: $0) }) }
            serviceSlots[slot]?.contest = Contest(
                ip: terms.ip, ipText: Array(ElectionOrder.ipText(terms.ip).utf8), scope: scope, localNodes: local)
            serviceSlots[slot]?.withdrawReason = nil
        }
    }

    private mutating func scope(for advertisements: [Int]) -> Int {
        if let index = scopeIndex[advertisements] { return index }
        let selects = nodeSlots.map { slot in
            slot.node.map { ElectionRules.advertised(labels: $0.labels, by: advertisements, in: configuration) }
                ?? false
        }
        scopes.append(Scope(advertisements: advertisements, selects: selects))
        scopeIndex[advertisements] = scopes.count - 1
        return scopes.count - 1
    }

    /// Elects the owner of one Service among all its candidates (its owner must be cleared).
    private mutating func recompute(_ slot: Int) {
        guard let contest = serviceSlots[slot]?.contest else { return }
        var best: Int?
        var bestRank = ElectionRank.worst
        let selects = scopes[contest.scope].selects
        if let local = contest.localNodes {
            for node in local where nodeSlots[node].exclusion == nil && selects[node] {
                let rank = hasher.rank(prefix: nodeSlots[node].prefix, ipText: contest.ipText)
                if best == nil || rank < bestRank { best = node; bestRank = rank }
            }
        } else {
            // The hot loop of a full resync: one hash per eligible node, no allocation of ours,
            // no reference counting per node.
            let eligible = self.eligible
            let offsets = self.prefixOffsets
            let longestPrefix = self.longestPrefix
            prefixBytes.withUnsafeBytes { prefixes in
                contest.ipText.withUnsafeBytes { ipText in
                    // `name#ip` is assembled in one scratch buffer so each hash is a single update.
                    withUnsafeTemporaryAllocation(byteCount: longestPrefix + ipText.count, alignment: 8) { scratch in
                        for node in eligible.indices where eligible[node] && selects[node] {
                            let start = offsets[node]
                            let length = offsets[node + 1] - start
                            scratch.baseAddress!.copyMemory(from: prefixes.baseAddress! + start, byteCount: length)
                            (scratch.baseAddress! + length).copyMemory(from: ipText.baseAddress!, byteCount: ipText.count)
                            let rank = RankHasher.rank(UnsafeRawBufferPointer(rebasing: scratch[0..<(length + ipText.count)]))
                            if best == nil || rank < bestRank { best = node; bestRank = rank }
                        }
                    }
                }
            }
        }
        setOwner(of: slot, to: best, rank: bestRank)
    }

    private mutating func setOwner(of slot: Int, to owner: Int?, rank: ElectionRank) {
        guard serviceSlots[slot] != nil else { return }
        if let previous = serviceSlots[slot]?.owner { nodeSlots[previous].owned.remove(slot) }
        serviceSlots[slot]?.owner = owner
        serviceSlots[slot]?.ownerRank = owner == nil ? .worst : rank
        if let owner { nodeSlots[owner].owned.insert(slot) }
    }

    private func changes(since before: [Int: Int?]) -> [OwnerChange] {
        var result: [OwnerChange] = []
        for (slot, previous) in before {
            guard let state = serviceSlots[slot], state.owner != previous else { continue }
            result.append(OwnerChange(
                service: state.service.key,
                previousOwner: previous.map { nodeSlots[$0].name },
                owner: state.owner.map { nodeSlots[$0].name }))
        }
        return result.sorted { $0.service < $1.service }
    }
}
