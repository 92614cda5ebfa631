import ArgumentParser
import Config
import Foundation

/// `swiftlb config validate FILE...`: parse MetalLB configuration as SwiftLB would, print a
/// summary (exit 0) or every error, one per line (exit 1).
struct ConfigValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check MetalLB layer-2 configuration files and summarise them.",
        discussion: """
            Files given together form one configuration, as CRDs applied together do. Each file may \
            hold a legacy MetalLB ConfigMap (or just its `config` text) or IPAddressPool and \
            L2Advertisement objects as YAML (`---` separated) or JSON. Errors are printed as \
            `file: document: field: reason`.
            """
    )

    @Argument(help: "Configuration files (YAML or JSON).")
    var files: [String]

    func run() throws {
        var sources: [ConfigSource] = []
        var unreadable = false
        for file in files {
            switch ConfigFileReading.read(file) {
            case .success(let text): sources.append(ConfigSource(name: file, text: text))
            case .failure(let problem):
                printError("\(file): \(problem.reason)")
                unreadable = true
            }
        }
        if unreadable { throw ExitCode(1) }
        let result = ConfigurationParser.parse(sources)
        if result.isValid {
            print(ConfigSummary.render(result.configuration, fileCount: sources.count), terminator: "")
            for note in result.notes { print("note: \(note)") }
            return
        }
        for error in result.errors { printError(error.description) }
        for note in result.notes { printError("note: \(note)") }
        let count = result.errors.count
        printError("invalid configuration: \(count) error\(count == 1 ? "" : "s")")
        throw ExitCode(1)
    }

    private func printError(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
