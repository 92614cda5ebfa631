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

// MARK: - Gossip (Scripts/bench/gossip)

// MARK: - Kube (Scripts/bench/kube)

// MARK: - Daemons (Scripts/bench/failover, Scripts/bench/soak)

let package = Package(
    name: "SwiftLBBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: dependencies,
    targets: targets
)
