import ArgumentParser

/// `swiftlb config …`: offline work on configuration files.
struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Work with MetalLB configuration files (ConfigMap or CRDs).",
        subcommands: [ConfigValidateCommand.self]
    )
}
