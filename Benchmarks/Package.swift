// swift-tools-version:6.1
//
// Benchmarks live in their own package so that `Scripts/test` never builds them. Each area
// appends its executables in its own section; `Scripts/bench/<name>` builds and runs them
// in release mode.

import PackageDescription

var targets: [Target] = []
var dependencies: [Package.Dependency] = [.package(name: "SwiftLB", path: "..")]

// MARK: - Foundation (Scripts/bench/cores)

// MARK: - Announcer (Scripts/bench/arp)

targets += [
    // Bounded ARP flood generator and reply timer (libpcap), run inside a client namespace.
    .executableTarget(
        name: "ARPFlood",
        dependencies: [
            .product(name: "Announcer", package: "SwiftLB"),
            .product(name: "Packets", package: "SwiftLB"),
            .product(name: "Addressing", package: "SwiftLB"),
        ]
    ),
]

// MARK: - Gossip (Scripts/bench/gossip)

// MARK: - Kube (Scripts/bench/kube)

// MARK: - Daemons (Scripts/bench/failover, Scripts/bench/soak)

let package = Package(
    name: "SwiftLBBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: dependencies,
    targets: targets
)
