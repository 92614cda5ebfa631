import ArgumentParser

/// The subcommands of the kube area, registered on `swiftlb`.
enum KubeCommands {
    static let all: [any ParsableCommand.Type] = [FakeAPIServerCommand.self]
}
