/// A Namespace's name and labels, for `serviceAllocation.namespaceSelectors`.
public struct NamespaceInfo: Hashable, Sendable {
    public var name: String
    public var labels: [String: String]

    public init(name: String, labels: [String: String] = [:]) {
        self.name = name
        self.labels = labels
    }
}
