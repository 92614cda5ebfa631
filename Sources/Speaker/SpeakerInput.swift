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
    /// The Service, EndpointSlice, Node and configuration informers have listed once.
    case synced
    /// SIGTERM/SIGINT: start the graceful handover.
    case shutdown
    /// Every IP was handed over, or the handover timed out.
    case handoverDone
}
