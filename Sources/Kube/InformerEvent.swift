/// A change an informer delivers: the object after the change (for a deletion, the last
/// state the informer knew).
public enum InformerEvent<Object: KubeResource>: Sendable {
    case added(Object)
    case modified(Object)
    case deleted(Object)

    public var object: Object {
        switch self {
        case .added(let object), .modified(let object), .deleted(let object): object
        }
    }
}
