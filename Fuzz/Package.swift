// swift-tools-version:6.1
//
// libFuzzer targets, in their own package so the sanitizer flags never touch the main
// build. Build one with:
//   swift build --package-path Fuzz -c release --product NAME \
//       -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
// Each area appends its executables in its own section; Scripts/test.d runs them briefly.

import PackageDescription

var targets: [Target] = []
var dependencies: [Package.Dependency] = [.package(name: "SwiftLB", path: "..")]
var products: [Product] = []

// MARK: - Announcer (frame decoder)

products += [.executable(name: "FrameDecoderFuzzer", targets: ["FrameDecoderFuzzer"])]
targets += [
    // Declares LLVMFuzzerRunDriver (see its header for why).
    .target(name: "CLibFuzzerDriver"),
    .executableTarget(
        name: "FrameDecoderFuzzer",
        dependencies: ["CLibFuzzerDriver", .product(name: "Packets", package: "SwiftLB")]
    ),
]

// MARK: - Gossip (msgpack, whole packets)

let package = Package(
    name: "SwiftLBFuzz",
    platforms: [.macOS(.v15)],
    products: products,
    dependencies: dependencies,
    targets: targets
)
