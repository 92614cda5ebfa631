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

// msgpack values and message bodies; Scripts/test.d/40-gossip-fuzz-msgpack.sh.
targets += [
    .executableTarget(
        name: "FuzzMsgPack",
        dependencies: [.product(name: "MsgPack", package: "SwiftLB"), .product(name: "Gossip", package: "SwiftLB")]
    ),
]
products += [.executable(name: "FuzzMsgPack", targets: ["FuzzMsgPack"])]

// Whole-packet decoding (label, AES-GCM, CRC, LZW, compound, messages); Scripts/test.d/41-gossip-fuzz-packet.sh.
targets += [
    .executableTarget(
        name: "GossipPacketFuzz",
        dependencies: [
            .product(name: "GossipTransport", package: "SwiftLB"),
            .product(name: "Gossip", package: "SwiftLB"),
        ]
    ),
]
products += [.executable(name: "GossipPacketFuzz", targets: ["GossipPacketFuzz"])]

let package = Package(
    name: "SwiftLBFuzz",
    platforms: [.macOS(.v15)],
    products: products,
    dependencies: dependencies,
    targets: targets
)
