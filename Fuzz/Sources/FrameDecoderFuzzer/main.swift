import CLibFuzzerDriver
import Packets

/// libFuzzer entry: the frame decoder must never trap, and whatever it accepts must re-encode
/// to a frame that decodes to the same value (the encoder is total on decoded values).
@_cdecl("LLVMFuzzerTestOneInput")
public func frameDecoderFuzzTest(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let frame = try? Frame(decoding: bytes) else { return 0 }
    guard let again = try? Frame(decoding: frame.encoded()), again == frame else {
        fatalError("re-encoded frame does not decode to the same value: \(frame)")
    }
    return 0
}

/// SwiftPM aliases `main` to this symbol for executables; hand control to libFuzzer's driver.
@_cdecl("FrameDecoderFuzzer_main")
public func frameDecoderFuzzerMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv) { data, size in frameDecoderFuzzTest(data, size) }
}
