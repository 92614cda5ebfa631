import Hummingbird
import Logging
import Prometheus

/// `/metrics` (Prometheus text format), `/healthz` (the process serves), `/readyz`
/// (every component ready) and, on a speaker, `/status` (its election view as JSON), on one
/// port: 7472 as MetalLB up to v0.15.
public enum MetricsEndpoint {
    /// What a daemon adds to the fixed routes.
    public struct Hooks: Sendable {
        /// Runs before every `/metrics` emission: the speaker copies the announcer's counters
        /// into the registry here, so a scrape sees them as of that moment without a timer.
        public var beforeScrape: @Sendable () async -> Void
        /// The `/status` body (JSON); nil serves no `/status` route.
        public var status: (@Sendable () async -> [UInt8])?

        public init(beforeScrape: @escaping @Sendable () async -> Void = {}, status: (@Sendable () async -> [UInt8])? = nil) {
            self.beforeScrape = beforeScrape
            self.status = status
        }
    }

    /// The routes, separate from the server so tests can drive them without a socket.
    public static func router(
        registry: PrometheusCollectorRegistry, health: HealthState, hooks: Hooks = Hooks()
    ) -> Router<BasicRequestContext> {
        let router = Router()
        router.get("metrics") { _, _ -> Response in
            await hooks.beforeScrape()
            var buffer: [UInt8] = []
            buffer.reserveCapacity(16 * 1024)
            registry.emit(into: &buffer)
            return Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: buffer))
            )
        }
        router.get("healthz") { _, _ in "ok\n" }
        router.get("readyz") { _, _ -> Response in
            let pending = health.notReady
            let text = pending.isEmpty ? "ok\n" : pending.map { "\($0.component): \($0.reason)\n" }.joined()
            return Response(
                status: pending.isEmpty ? .ok : .serviceUnavailable,
                headers: [.contentType: "text/plain; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: text))
            )
        }
        if let status = hooks.status {
            router.get("status") { _, _ -> Response in
                Response(
                    status: .ok,
                    headers: [.contentType: "application/json"],
                    body: .init(byteBuffer: ByteBuffer(bytes: await status()))
                )
            }
        }
        return router
    }

    /// An application serving the routes on `host:port`; run it in the daemon's `ServiceGroup`.
    /// - Parameter onListening: called with the bound port (useful with port 0).
    public static func application(
        host: String, port: Int, registry: PrometheusCollectorRegistry, health: HealthState, hooks: Hooks = Hooks(),
        logger: Logger, onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        Application(
            router: router(registry: registry, health: health, hooks: hooks),
            configuration: .init(address: .hostname(host, port: port), serverName: "swiftlb"),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? port) },
            logger: logger
        )
    }
}
