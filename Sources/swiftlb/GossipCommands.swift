import ArgumentParser

/// The subcommands of the gossip area, registered on `swiftlb`.
enum GossipCommands {
    static let all: [any ParsableCommand.Type] = [MembersCommand.self]
}
