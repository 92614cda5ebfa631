import Announcer
import Gossip
import Kube

/// Everything the speaker reacts to, merged into one ordered stream so the reconciler sees
/// one change at a time.
enum SpeakerInput: Sendable {
    case service(InformerEvent<Kube.Service>)
    case slice(InformerEvent<EndpointSlice>)
    case node(InformerEvent<Node>)
    case pool(InformerEvent<IPAddressPool>)
    case advertisement(InformerEvent<L2Advertisement>)
    case configMap(InformerEvent<ConfigMap>)
    case member(MemberEvent)
    case conflict(AddressConflict)
    /// The grace period after a conflict passed: still ours means a real conflict.
    case conflictRecheck(AddressConflict)
    /// An early-takeover probe of a suspected member's IPs finished.
    case probed(member: String, epoch: Int, outcome: ProbeOutcome)
    /// The re-probe interval of a suspected member passed.
    case reprobeDue(member: String, epoch: Int)
    /// The Service, EndpointSlice, Node and configuration informers have listed once; their
    /// caches at that moment ride along, because the forwarded list events may still be on
    /// their way (a first pass without them would withdraw, and delete status objects, wrongly).
    case synced(SpeakerInitialState)
    /// The first gossip join merged the cluster's members, found nobody to join, or timed
    /// out: from now on the election knows who else is alive (the reason is logged).
    case gossipSettled(String)
    /// SIGTERM/SIGINT: start the graceful handover.
    case shutdown
    /// Every IP was handed over, or the handover timed out.
    case handoverDone
}

/// The informer caches when they first synced.
struct SpeakerInitialState: Sendable {
    var services: [Kube.Service] = []
    var slices: [EndpointSlice] = []
    var nodes: [Node] = []
    var pools: [IPAddressPool] = []
    var advertisements: [L2Advertisement] = []
    var configMaps: [ConfigMap] = []
}
