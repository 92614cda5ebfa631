import ArgumentParser

/// `swiftlb status`: who owns which IP and why.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show each service IP, its owner, the candidates in order, and why."
    )
}
