import Foundation

/// A configuration that cannot be used: names the file (or `in-cluster`) and the problem,
/// in one line, so an operator can fix it from the log alone.
public struct KubeConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kubeconfig path, or `in-cluster`.
    public var file: String
    public var problem: String

    public init(file: String, problem: String) {
        self.file = file
        // One line: YAML parser messages span several.
        self.problem = problem.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }.joined(separator: " ")
    }

    public var description: String { "kubeconfig \(file): \(problem)" }
}
