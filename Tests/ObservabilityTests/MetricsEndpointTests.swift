import Hummingbird
import HummingbirdTesting
import Observability
import Prometheus
import Synchronization
import Testing

@Suite struct MetricsEndpointTests {
    @Test func speakerMetricsUseMetalLBNamesAndLabels() async throws {
        let registry = PrometheusCollectorRegistry()
        let metrics = SpeakerMetrics(registry: registry, node: "node-1")
        metrics.announced(service: "default/traefik", ip: "192.0.2.10")
        metrics.requestsReceived(ip: "192.0.2.10", count: 3)
        metrics.responsesSent(ip: "192.0.2.10", count: 2)
        metrics.gratuitousSent(ip: "192.0.2.10", count: 10)
        metrics.conflict(ip: "192.0.2.10")
        metrics.takeover(.milliseconds(420))
        let text = emitted(registry)
        #expect(text.contains(#"metallb_speaker_announced{service="default/traefik",protocol="layer2",node="node-1",ip="192.0.2.10"} 1"#))
        #expect(text.contains(#"metallb_layer2_requests_received{ip="192.0.2.10"} 3"#))
        #expect(text.contains(#"metallb_layer2_responses_sent{ip="192.0.2.10"} 2"#))
        #expect(text.contains(#"metallb_layer2_gratuitous_sent{ip="192.0.2.10"} 10"#))
        #expect(text.contains(#"swiftlb_conflicts_total{ip="192.0.2.10"} 1"#))
        #expect(text.contains(#"swiftlb_takeover_seconds_bucket{le="0.5"} 1"#))
        #expect(text.contains(#"swiftlb_takeover_seconds_bucket{le="0.25"} 0"#))
    }

    @Test func withdrawRemovesTheAnnouncedSeries() {
        let registry = PrometheusCollectorRegistry()
        let metrics = SpeakerMetrics(registry: registry, node: "node-1")
        metrics.announced(service: "default/a", ip: "192.0.2.1")
        metrics.announced(service: "default/b", ip: "192.0.2.2")
        metrics.withdrawn(service: "default/a", ip: "192.0.2.1")
        let text = emitted(registry)
        #expect(!text.contains(#"ip="192.0.2.1""#))
        #expect(text.contains(#"ip="192.0.2.2""#))
    }

    @Test func ownerGaugeMovesWithTheOwner() {
        let registry = PrometheusCollectorRegistry()
        let metrics = SpeakerMetrics(registry: registry, node: "node-1")
        metrics.owner(ip: "192.0.2.1", node: "node-2", previous: nil)
        metrics.owner(ip: "192.0.2.1", node: "node-3", previous: "node-2")
        let text = emitted(registry)
        #expect(text.contains(#"swiftlb_owner{ip="192.0.2.1",node="node-3"} 1"#))
        #expect(!text.contains(#"node="node-2""#))
    }

    @Test func configHealthFollowsAcceptAndReject() {
        let registry = PrometheusCollectorRegistry()
        let client = ClientMetrics(registry: registry)
        #expect(emitted(registry).contains("metallb_k8s_client_config_loaded_bool 0"))
        client.configAccepted()
        client.configRejected()
        let text = emitted(registry)
        #expect(text.contains("metallb_k8s_client_config_loaded_bool 1"))
        #expect(text.contains("metallb_k8s_client_config_stale_bool 1"))
    }

    @Test func poolGaugesClampAndDisappear() {
        let registry = PrometheusCollectorRegistry()
        let metrics = ControllerMetrics(registry: registry)
        metrics.pool("big", usage: .init(ipv4Total: 256, ipv4InUse: 3, ipv6Total: .max, ipv6InUse: 1))
        var text = emitted(registry)
        #expect(text.contains(#"metallb_allocator_addresses_total{pool="big"} 9.223372036854776e+18"#))
        #expect(text.contains(#"metallb_allocator_addresses_in_use_total{pool="big"} 4"#))
        metrics.poolRemoved("big")
        text = emitted(registry)
        #expect(!text.contains(#"pool="big""#))
    }

    @Test(.timeLimit(.minutes(1))) func endpointsServeMetricsHealthAndReadiness() async throws {
        let registry = PrometheusCollectorRegistry()
        SpeakerMetrics(registry: registry, node: "n").announced(service: "default/a", ip: "192.0.2.1")
        let health = HealthState(pending: ["informers", "gossip"])
        let app = Application(router: MetricsEndpoint.router(registry: registry, health: health))
        try await app.test(.live) { client in
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains("metallb_speaker_announced"))
            }
            try await client.execute(uri: "/healthz", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(String(buffer: response.body) == "gossip: starting\ninformers: starting\n")
            }
            health.markReady("informers")
            health.markReady("gossip")
            try await client.execute(uri: "/readyz", method: .get) { #expect($0.status == .ok) }
        }
    }

    @Test(.timeLimit(.minutes(1))) func scrapePublishesFreshTotalsAndStatusIsServed() async throws {
        let metrics = SpeakerMetrics(node: "n")
        let totals = TotalsBox()
        let hooks = MetricsEndpoint.Hooks(
            beforeScrape: { metrics.publish(totals.value.withLock { $0 }) },
            status: { Array(#"{"node":"n"}"#.utf8) })
        let app = Application(router: MetricsEndpoint.router(registry: metrics.registry, health: HealthState(), hooks: hooks))
        try await app.test(.router) { client in
            totals.value.withLock { $0 = LayerTwoTotals(requestsReceived: ["192.0.2.1": 4], malformedFrames: ["eth1": 1]) }
            try await client.execute(uri: "/metrics", method: .get) { response in
                let text = String(buffer: response.body)
                #expect(text.contains(#"metallb_layer2_requests_received{ip="192.0.2.1"} 4"#))
                #expect(text.contains(#"swiftlb_malformed_frames_total{interface="eth1"} 1"#))
            }
            totals.value.withLock { $0.requestsReceived["192.0.2.1"] = 9 }
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(String(buffer: response.body).contains(#"metallb_layer2_requests_received{ip="192.0.2.1"} 9"#))
            }
            try await client.execute(uri: "/status", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/json")
                #expect(String(buffer: response.body) == #"{"node":"n"}"#)
            }
        }
    }

    @Test func statusRouteIsAbsentWithoutAHook() async throws {
        let app = Application(router: MetricsEndpoint.router(registry: PrometheusCollectorRegistry(), health: HealthState()))
        try await app.test(.router) { client in
            try await client.execute(uri: "/status", method: .get) { #expect($0.status == .notFound) }
        }
    }

    @Test func catalogNamesAreUniqueAndPrefixed() {
        let names = MetricCatalog.all.map(\.name)
        #expect(Set(names).count == names.count)
        #expect(names.allSatisfy { $0.hasPrefix("metallb_") || $0.hasPrefix("swiftlb_") })
    }

    private func emitted(_ registry: PrometheusCollectorRegistry) -> String {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }
}

/// What the announcer would report, changed by the test between scrapes.
private final class TotalsBox: Sendable {
    let value = Mutex(LayerTwoTotals())
}
