import Gossip
import MsgPack

/// libFuzzer target: arbitrary bytes through the msgpack reader and every message decoder.
///
/// Nothing may trap, and whatever decodes must re-encode stably: writing a decoded value and
/// decoding that again yields the same bytes (the first write normalises non-canonical input
/// such as str8 or oversized integer markers).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let input = Array(UnsafeRawBufferPointer(start: start, count: count))

    var reader = MsgPackReader(input)
    if let value = try? reader.readValue() {
        var writer = MsgPackWriter()
        writer.write(value)
        var again = MsgPackReader(writer.bytes)
        guard let second = try? again.readValue(), again.isAtEnd else { fatalError("re-encoded value does not decode") }
        var rewriter = MsgPackWriter()
        rewriter.write(second)
        guard rewriter.bytes == writer.bytes else { fatalError("re-encoding is not stable") }
    }

    if let message = try? GossipMessage(decoding: input) {
        let bytes = message.encoded()
        guard let decoded = try? GossipMessage(decoding: bytes) else {
            fatalError("re-encoded message does not decode")
        }
        guard decoded.encoded() == bytes else { fatalError("message re-encoding is not stable") }
    }

    if let (pushPull, consumed) = try? PushPull.decode(body: input) {
        guard consumed <= input.count else { fatalError("consumed more than the input") }
        let bytes = Array(pushPull.encoded().dropFirst())
        guard let (again, used) = try? PushPull.decode(body: bytes), used == bytes.count,
            again.encoded().dropFirst().elementsEqual(bytes)
        else { fatalError("push/pull re-encoding is not stable") }
    }

    var typed = MsgPackReader(input)
    _ = try? typed.readUnsigned(UInt32.self)
    _ = try? typed.readSigned(Int.self)
    _ = try? typed.readString()
    _ = try? typed.readBool()
    _ = try? typed.readMapHeader()
    return 0
}

/// SwiftPM links an executable's `main` as `<module>_main`; that entry point hands control to
/// libFuzzer's driver (`LLVMFuzzerRunDriver`), which calls `LLVMFuzzerTestOneInput` per input.
@_silgen_name("LLVMFuzzerRunDriver")
func libFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafeRawPointer, Int) -> CInt
) -> CInt

@_cdecl("FuzzMsgPack_main")
public func fuzzMsgPackMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return libFuzzerDriver(&count, &arguments, fuzz)
}
