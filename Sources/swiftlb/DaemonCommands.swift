import ArgumentParser

/// The subcommands of the daemon area, registered on `swiftlb`.
enum DaemonCommands {
    static let all: [any ParsableCommand.Type] = [ControllerCommand.self, SpeakerCommand.self]
}
