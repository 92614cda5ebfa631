/// A Service's identity, `namespace/name`, as MetalLB labels its metrics and logs.
public struct ServiceKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var namespace: String
    public var name: String

    public init(namespace: String, name: String) {
        self.namespace = namespace
        self.name = name
    }

    public var description: String { "\(namespace)/\(name)" }

    public static func < (lhs: Self, rhs: Self) -> Bool { (lhs.namespace, lhs.name) < (rhs.namespace, rhs.name) }
}
