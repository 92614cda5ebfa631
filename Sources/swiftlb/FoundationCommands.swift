import ArgumentParser

/// The subcommands of the foundation area, registered on `swiftlb`.
enum FoundationCommands {
    static let all: [any ParsableCommand.Type] = [ConfigCommand.self, StatusCommand.self]
}
