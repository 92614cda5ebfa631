import Gossip
import GossipTransport

/// libFuzzer target: whole memberlist packets and streams through SwiftLB's decoders.
///
/// The first input byte picks the path; the rest is the data:
/// - bit 0: a keyring is configured (AES-128 key 00…0f) — the encrypted path;
/// - bit 1: verify-incoming off (undecryptable input falls through as plaintext);
/// - bit 2: the label "prod" is configured;
/// - bit 3: decode as a stream (TCP) instead of a datagram;
/// - bit 4: seal the data with the key first, so the fuzzer reaches everything behind
///   decryption (CRC, compression, compound, message bodies) instead of stopping at GCM.
/// Every decoded message is also parsed by the core's message decoders. Nothing may trap.
let key: [UInt8] = Array(0...15)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let input = Array(UnsafeRawBufferPointer(start: start, count: count))
    guard let mode = input.first else { return 0 }
    var data = Array(input.dropFirst())
    let keyring = mode & 1 != 0 ? try? GossipKeyring(keys: [key]) : nil
    let label: [UInt8] = mode & 4 != 0 ? Array("prod".utf8) : []
    let configuration = GossipWireConfiguration(
        keyring: keyring, verifyIncoming: mode & 2 == 0, label: label, maximumDecompressedSize: 1 << 20)
    if mode & 16 != 0, keyring != nil {
        if mode & 8 != 0 {
            guard let sealed = try? GossipStreamCodec(configuration: .init(keyring: keyring, label: label, compression: false))
                .encode(data, dialer: true)
            else { return 0 }
            data = sealed
        } else {
            guard let sealed = try? PacketEncryption.encrypt(data, key: key, additionalData: label) else { return 0 }
            data = label.isEmpty ? sealed : [0xf4, UInt8(label.count)] + label + sealed
        }
    }
    if mode & 8 != 0 {
        let codec = GossipStreamCodec(configuration: configuration)
        if let (message, _) = try? codec.decode(data, fromDialer: true) {
            if message.first == MessageType.pushPull.rawValue {
                _ = try? PushPull.decode(body: Array(message.dropFirst()))
            } else {
                _ = try? GossipMessage(decoding: message)
            }
        }
    } else {
        let codec = GossipPacketCodec(configuration: configuration)
        if let packet = try? codec.decodePacket(data) {
            for message in packet.messages {
                _ = try? GossipMessage(decoding: message)
            }
        }
    }
    return 0
}

/// SwiftPM links executables with `main` aliased to `<module>_main`; hand that entry point to
/// libFuzzer's driver, which then calls `LLVMFuzzerTestOneInput` for every input.
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafeRawPointer, Int) -> CInt
) -> CInt

@_cdecl("GossipPacketFuzz_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return runFuzzerDriver(&count, &arguments, fuzz)
}
