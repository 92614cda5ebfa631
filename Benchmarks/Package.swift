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

let package = Package(
    name: "SwiftLBBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: dependencies,
    targets: targets
)
