// swift-tools-version:6.1
//
// Benchmarks live in their own package so that `Scripts/test` never builds them. Each area
// appends its executables in its own section; `Scripts/bench/<name>` builds and runs them
// in release mode.

import PackageDescription

var targets: [Target] = []
var dependencies: [Package.Dependency] = [.package(name: "SwiftLB", path: "..")]

// MARK: - Foundation (Scripts/bench/cores)

targets += [
    // 10,000 Services on 1,000 nodes: full election, join/leave, one Service change, allocation, RSS.
    .executableTarget(
        name: "cores-benchmark",
        dependencies: [
            .product(name: "Addressing", package: "SwiftLB"),
            .product(name: "ClusterModel", package: "SwiftLB"),
            .product(name: "Config", package: "SwiftLB"),
            .product(name: "Election", package: "SwiftLB"),
            .product(name: "Allocation", package: "SwiftLB"),
        ],
        path: "Sources/CoresBenchmark",
        swiftSettings: [.swiftLanguageMode(.v6)]
    ),
]

// MARK: - Announcer (Scripts/bench/arp)

targets += [
    // Bounded ARP flood generator and reply timer (libpcap), run inside a client namespace.
    .executableTarget(
        name: "ARPFlood",
        dependencies: [
            "CFloodTiming",
            .product(name: "Announcer", package: "SwiftLB"),
            .product(name: "Packets", package: "SwiftLB"),
            .product(name: "Addressing", package: "SwiftLB"),
        ]
    ),
]

targets += [
    // The generator's timer slack (prctl is variadic, so Swift cannot call it).
    .target(name: "CFloodTiming", path: "Sources/CFloodTiming"),
]

// MARK: - Gossip (Scripts/bench/gossip)

// MARK: - Kube (Scripts/bench/kube)

// The client lists/syncs and watches in this process; it starts a KubeFake server as a child
// process (`KubeBenchmark serve`) so the client's peak RSS is measured alone.
targets += [
    .executableTarget(
        name: "KubeBenchmark",
        dependencies: [
            .product(name: "Kube", package: "SwiftLB"),
            .product(name: "KubeFake", package: "SwiftLB"),
        ],
        path: "Sources/KubeBenchmark"
    )
]

// MARK: - Daemons (Scripts/bench/failover, Scripts/bench/soak)

targets += [
    // What a client in the lab sees while an IP changes owner: ARP requests every 20 ms from a
    // raw AF_PACKET socket, every reply and gratuitous ARP with its MAC (Scripts/bench/failover,
    // Scripts/test.d/20-lab-selftest.sh). Frames and addresses come from the pure Packets and
    // Addressing modules; the socket is Glibc's AF_PACKET.
    .executableTarget(
        name: "arp-probe",
        dependencies: [
            .product(name: "Packets", package: "SwiftLB"),
            .product(name: "Addressing", package: "SwiftLB"),
        ],
        path: "Sources/ArpProbe",
        swiftSettings: [.swiftLanguageMode(.v6)]
    ),
    // What it sends and how it reads answers, and its recorder; run by Scripts/test.d/20-lab-selftest.sh.
    .testTarget(
        name: "ArpProbeTests",
        dependencies: [
            "arp-probe",
            .product(name: "Packets", package: "SwiftLB"),
            .product(name: "Addressing", package: "SwiftLB"),
        ],
        path: "Tests/ArpProbeTests",
        swiftSettings: [.swiftLanguageMode(.v6)]
    ),
]

let package = Package(
    name: "SwiftLBBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: dependencies,
    targets: targets
)
