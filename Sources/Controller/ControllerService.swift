import ServiceLifecycle

/// Runs a `ServiceController` in a `ServiceGroup`: on graceful shutdown (SIGTERM/SIGINT) it
/// releases the leader Lease, so the other replica takes over at once, and returns.
public struct ControllerService: ServiceLifecycle.Service {
    public let controller: ServiceController

    public init(controller: ServiceController) { self.controller = controller }

    public func run() async throws {
        let controller = self.controller
        await withGracefulShutdownHandler {
            await controller.run()
        } onGracefulShutdown: {
            Task { await controller.shutdown() }
        }
    }
}
