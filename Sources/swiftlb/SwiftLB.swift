import ArgumentParser

@main
struct SwiftLB: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "swiftlb",
        abstract: "Bare-metal Kubernetes load balancer: MetalLB-compatible layer-2 announcements.",
        subcommands: FoundationCommands.all + AnnouncerCommands.all + GossipCommands.all + KubeCommands.all
            + DaemonCommands.all
    )
}
