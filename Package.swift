// swift-tools-version:6.1
//
// The package is assembled area by area: each section appends its own dependencies and
// targets, so work on one area never touches the lines of another.

import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    // Release: each function in its own section, so that the link can place the functions
    // that run after start-up together (Linker/hot-code.order) instead of whole files.
    // This reaches only this package's modules; Scripts/build-release passes the same to
    // the dependencies, which is how the shipped binary is built.
    .unsafeFlags(["-Xfrontend", "-function-sections"], .when(platforms: [.linux], configuration: .release)),
]

var dependencies: [Package.Dependency] = []
var targets: [Target] = []

// MARK: - Foundation: pure cores (addresses, configuration, election, allocation)

dependencies += [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
    .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
    .package(url: "https://github.com/apple/swift-log", from: "1.16.0"),
    .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.0"),
]

targets += [
    .target(name: "Addressing", swiftSettings: swiftSettings),
    // The cluster as the pure cores see it: Services, Nodes, endpoints (no Kubernetes client types).
    .target(name: "ClusterModel", dependencies: ["Addressing"], swiftSettings: swiftSettings),
    .target(
        name: "Config",
        dependencies: ["Addressing", .product(name: "Yams", package: "Yams")],
        swiftSettings: swiftSettings
    ),
    .target(
        name: "Election",
        dependencies: ["Addressing", "Config", "ClusterModel", .product(name: "Crypto", package: "swift-crypto")],
        swiftSettings: swiftSettings
    ),
    .target(name: "Allocation", dependencies: ["Addressing", "Config", "ClusterModel"], swiftSettings: swiftSettings),
    .systemLibrary(
        name: "CPcap",
        pkgConfig: "libpcap",
        providers: [.apt(["libpcap-dev"])]
    ),
    .systemLibrary(
        name: "CNetLinkRoute",
        pkgConfig: "libnl-route-3.0",
        providers: [.apt(["libnl-3-dev", "libnl-route-3-dev"])]
    ),
    .target(name: "SwiftLBTestKit", swiftSettings: swiftSettings),
    .testTarget(
        name: "AddressingTests",
        dependencies: ["Addressing", "SwiftLBTestKit", .product(name: "PropertyBased", package: "swift-property-based")],
        swiftSettings: swiftSettings
    ),
    .testTarget(
        name: "ConfigTests",
        dependencies: [
            "Config", "Addressing", "SwiftLBTestKit",
            .product(name: "PropertyBased", package: "swift-property-based"),
        ],
        resources: [.copy("Fixtures")],
        swiftSettings: swiftSettings
    ),
    .testTarget(
        name: "ElectionTests",
        dependencies: [
            "Election", "Config", "Addressing", "ClusterModel", "SwiftLBTestKit",
            .product(name: "PropertyBased", package: "swift-property-based"),
        ],
        resources: [.copy("Fixtures")],
        swiftSettings: swiftSettings
    ),
    .testTarget(
        name: "AllocationTests",
        dependencies: [
            "Allocation", "Config", "Addressing", "ClusterModel", "SwiftLBTestKit",
            .product(name: "PropertyBased", package: "swift-property-based"),
        ],
        swiftSettings: swiftSettings
    ),
    .testTarget(
        name: "SystemLibraryTests",
        dependencies: ["CPcap", "CNetLinkRoute"],
        swiftSettings: swiftSettings
    ),
]

// MARK: - Command line: one executable, `swiftlb`, with a subcommand per role

var swiftlbDependencies: [Target.Dependency] = [
    "Addressing", "ClusterModel", "Config", "Election", "Allocation",
    .product(name: "ArgumentParser", package: "swift-argument-parser"),
    .product(name: "Logging", package: "swift-log"),
]

// MARK: - Announcer: packet codecs, libpcap capture/inject, netlink interfaces (issue 3)

targets += [
    // Pure: Ethernet/802.1Q, ARP, IPv6 + ICMPv6 NS/NA codecs (RFC 826, 4861, 4443).
    .target(name: "Packets", dependencies: ["Addressing"], swiftSettings: swiftSettings),
    .testTarget(
        name: "PacketsTests",
        dependencies: ["Packets", "Addressing", "SwiftLBTestKit",
                       .product(name: "PropertyBased", package: "swift-property-based")],
        swiftSettings: swiftSettings
    ),
    // Shell + pure policy: libpcap capture/inject per interface, netlink interface watching,
    // responder rules, gratuitous schedule, conflict detection, counters.
    .target(
        name: "Announcer",
        dependencies: ["Packets", "Addressing", "CPcap", "CNetLinkRoute", .product(name: "Logging", package: "swift-log")],
        swiftSettings: swiftSettings
    ),
    .testTarget(
        name: "AnnouncerTests",
        dependencies: ["Announcer", "Packets", "Addressing", "SwiftLBTestKit"],
        swiftSettings: swiftSettings
    ),
]
swiftlbDependencies += ["Announcer", "Packets"]

// MARK: - Gossip: msgpack, memberlist messages, SWIM/Lifeguard, NIO transport (issue 4)

// Pure cores: the go-msgpack-compatible codec, memberlist's messages and the SWIM/Lifeguard
// state machine. Neither may depend on NIO, Crypto or any shell module.
targets += [
    .target(name: "MsgPack", swiftSettings: swiftSettings),
    .target(name: "Gossip", dependencies: ["MsgPack"], swiftSettings: swiftSettings),
    .testTarget(
        name: "MsgPackTests",
        dependencies: ["MsgPack", "SwiftLBTestKit", .product(name: "PropertyBased", package: "swift-property-based")],
        swiftSettings: swiftSettings
    ),
    .testTarget(
        name: "GossipTests",
        dependencies: [
            "Gossip", "MsgPack", "SwiftLBTestKit",
            .product(name: "PropertyBased", package: "swift-property-based"),
        ],
        exclude: ["Vectors/generate.sh", "Vectors/generate.go.txt", "Vectors/export_vectors.go.txt"],
        resources: [.copy("Vectors/vectors.txt")],
        swiftSettings: swiftSettings
    ),
]
swiftlbDependencies += ["MsgPack", "Gossip"]

dependencies += [.package(url: "https://github.com/apple/swift-nio", from: "2.70.0")]

// Shell: memberlist's packet and stream framing (LZW, CRC, compound, AES-GCM keyring,
// labels) and the SwiftNIO transport that drives the Gossip core over UDP and TCP.
targets += [
    .target(
        name: "GossipTransport",
        dependencies: [
            "Gossip", "MsgPack",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ],
        swiftSettings: swiftSettings
    ),
    .testTarget(
        name: "GossipTransportTests",
        dependencies: [
            "GossipTransport", "Gossip", "MsgPack", "SwiftLBTestKit", .product(name: "NIOCore", package: "swift-nio"),
        ],
        swiftSettings: swiftSettings
    ),
    // Runs the built `swiftlb members` and the Go memberlist peer (Tests/GoPeer) on loopback.
    .testTarget(
        name: "GossipInteropTests",
        dependencies: [
            "GossipTransport", "Gossip", "MsgPack",
            .product(name: "NIOCore", package: "swift-nio"),
        ],
        swiftSettings: swiftSettings
    ),
]
swiftlbDependencies += ["GossipTransport"]

// MARK: - Kube: Kubernetes client, informers, leases, KubeFake (issue 5)

dependencies += [
    .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
    .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
    .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.30.0"),
]

targets += [
    // `JSONValue`: untyped JSON as the client (merge patches) and KubeFake (stored objects) hold it.
    .target(name: "KubeJSON", swiftSettings: swiftSettings),
    // Kubernetes client: kubeconfig / in-cluster configuration, typed resources, reflectors,
    // informers, writes with conflict retry, events, Lease leader election.
    .target(
        name: "Kube",
        dependencies: [
            "KubeJSON",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Yams", package: "Yams"),
        ],
        swiftSettings: swiftSettings
    ),
    .testTarget(
        name: "KubeTests",
        dependencies: ["Kube", "KubeFake", "SwiftLBTestKit"],
        swiftSettings: swiftSettings
    ),
]
swiftlbDependencies += ["Kube"]

// KubeFake: a generic in-process Kubernetes API server for tests and the lab (objects held as
// JSON, no dependency on the `Kube` client; label selectors are Config's `LabelSelector`), and
// the `swiftlb fake-apiserver` command.
dependencies += [
    .package(url: "https://github.com/apple/swift-certificates", from: "1.0.0"),
    .package(url: "https://github.com/apple/swift-asn1", from: "1.0.0"),
]

targets += [
    .target(
        name: "KubeFake",
        dependencies: [
            "KubeJSON", "Config",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "X509", package: "swift-certificates"),
            .product(name: "SwiftASN1", package: "swift-asn1"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
        ],
        swiftSettings: swiftSettings
    ),
    .testTarget(
        name: "KubeFakeTests",
        dependencies: [
            "KubeFake", "KubeJSON", "Config",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ],
        swiftSettings: swiftSettings
    ),
]
swiftlbDependencies += ["KubeFake"]

// MARK: - Daemons: observability, speaker, controller, lab (issue 6)

dependencies += [
    .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
    .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
]

targets += [
    .target(
        name: "Observability",
        dependencies: [
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
        ],
        swiftSettings: swiftSettings
    ),
    .testTarget(
        name: "ObservabilityTests",
        dependencies: [
            "Observability",
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "HummingbirdTesting", package: "hummingbird"),
        ],
        swiftSettings: swiftSettings
    ),
]
swiftlbDependencies += ["Observability"]

dependencies += [.package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0")]

targets += [
    // The speaker: informers → ownership (Election) → Announcer, with gossip membership.
    .target(
        name: "Speaker",
        dependencies: [
            "Addressing", "ClusterModel", "Config", "Election", "Announcer", "Gossip", "GossipTransport",
            "Kube", "Observability",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ],
        swiftSettings: swiftSettings
    ),
    .testTarget(
        name: "SpeakerTests",
        dependencies: ["Speaker", "KubeFake", "SwiftLBTestKit"],
        swiftSettings: swiftSettings
    ),
    // The controller: informers → Allocation → Service status, behind a Lease.
    .target(
        name: "Controller",
        dependencies: [
            "Addressing", "ClusterModel", "Config", "Allocation", "Kube", "Observability",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ],
        swiftSettings: swiftSettings
    ),
    .testTarget(
        name: "ControllerTests",
        dependencies: [
            "Controller", "Kube", "KubeFake", "Observability", "SwiftLBTestKit",
            .product(name: "Prometheus", package: "swift-prometheus"),
        ],
        swiftSettings: swiftSettings
    ),
]
swiftlbDependencies += [
    "Speaker", "Controller",
    .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
    .product(name: "UnixSignals", package: "swift-service-lifecycle"),
    // `swiftlb status --speaker` reads a running speaker's /status.
    .product(name: "AsyncHTTPClient", package: "async-http-client"),
    .product(name: "NIOCore", package: "swift-nio"),
    .product(name: "NIOHTTP1", package: "swift-nio"),
]

// MARK: - Process memory: dropping the pages start-up touched (daemons call it once)

targets += [
    .target(name: "ProcessMemory", swiftSettings: swiftSettings),
    .testTarget(name: "ProcessMemoryTests", dependencies: ["ProcessMemory"], swiftSettings: swiftSettings),
]
swiftlbDependencies += ["ProcessMemory"]

// MARK: - Assembly

targets += [
    .executableTarget(
        name: "swiftlb", dependencies: swiftlbDependencies, swiftSettings: swiftSettings,
        // Release builds link with lld: `-z pack-relative-relocs` stores the 145,000 relative
        // relocations in 28 KB of RELR instead of 3.4 MB of RELA that the loader reads at
        // every start (glibc >= 2.36, as in Debian bookworm); `--no-export-dynamic` drops the
        // 2 MB dynamic symbol table nothing looks up (the loader searched it for every
        // library symbol). 5.5 MB less RSS per process. Linker/readonly-data.ld keeps
        // .rodata read-only (Swift objects mark some of theirs writable, which made the
        // whole merged section a private writable mapping the start-up trim must not touch),
        // and Linker/hot-code.order (Scripts/profile-code-order) puts the functions that run
        // after start-up together at the head of .text. docs/controller.md, Memory.
        linkerSettings: [
            .unsafeFlags(
                ["-use-ld=lld", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs", "-Xlinker", "--no-export-dynamic",
                 "-Xlinker", "-T", "-Xlinker", "\(Context.packageDirectory)/Linker/readonly-data.ld",
                 "-Xlinker", "--symbol-ordering-file=\(Context.packageDirectory)/Linker/hot-code.order",
                 "-Xlinker", "--no-warn-symbol-ordering"],
                .when(platforms: [.linux], configuration: .release)),
        ]
    ),
    // Runs the built `swiftlb` binary as an operator would.
    .testTarget(name: "CommandLineTests", dependencies: ["SwiftLBTestKit"], swiftSettings: swiftSettings),
]

// Sections may each declare a package they share (swift-nio, say); SwiftPM rejects duplicates,
// so keep the first declaration of each location.
var declaredLocations = Set<String>()
let uniqueDependencies = dependencies.filter { dependency in
    guard case .sourceControl(_, let location, _) = dependency.kind else { return true }
    return declaredLocations.insert(location.lowercased()).inserted
}

let package = Package(
    name: "SwiftLB",
    platforms: [.macOS(.v15)],
    // Every library target is a product too, so the Benchmarks/ and Fuzz/ packages can use it.
    products: [.executable(name: "swiftlb", targets: ["swiftlb"])]
        + targets.filter { $0.type == .regular }.map { .library(name: $0.name, targets: [$0.name]) },
    dependencies: uniqueDependencies,
    targets: targets
)
