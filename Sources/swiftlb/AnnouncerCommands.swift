import ArgumentParser

/// The subcommands of the announcer area, registered on `swiftlb`.
enum AnnouncerCommands {
    static let all: [any ParsableCommand.Type] = [AnnounceCommand.self, AnnounceInjectCommand.self]
}
