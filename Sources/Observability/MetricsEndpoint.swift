import Hummingbird
import Logging
import Prometheus

/// `/metrics` (Prometheus text format), `/healthz` (the process serves) and `/readyz`
/// (every component ready), on one port: 7472 as MetalLB up to v0.15.
public enum MetricsEndpoint {
    /// The routes, separate from the server so tests can drive them without a socket.
    public static func router(registry: PrometheusCollectorRegistry, health: HealthState) -> Router<BasicRequestContext> {
        let router = Router()
        router.get("metrics") { _, _ -> Response in
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
        return router
    }

    /// An application serving the routes on `host:port`; run it in the daemon's `ServiceGroup`.
    /// - Parameter onListening: called with the bound port (useful with port 0).
    public static func application(
        host: String, port: Int, registry: PrometheusCollectorRegistry, health: HealthState, logger: Logger,
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        Application(
            router: router(registry: registry, health: health),
            configuration: .init(address: .hostname(host, port: port), serverName: "swiftlb"),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? port) },
            logger: logger
        )
    }
}
