/// Sends raw Ethernet frames on one interface through libpcap (`pcap_inject`). Used by the
/// hidden `swiftlb announce-inject` test helper and the ARP benchmark's flood generator.
public final class FrameInjector: Sendable {
    private let capture: PcapCapture

    /// - Throws: `PcapError` if the interface cannot be opened.
    public init(interface: String) throws(PcapError) {
        capture = try PcapCapture(interface: interface)
    }

    /// - Throws: `PcapError` if the frame was not sent whole.
    public func send(_ frame: [UInt8]) throws(PcapError) {
        if let error = capture.inject(frame) { throw error }
    }

    /// Frames received on the interface since the last call (ARP and NS/NA only; never blocks),
    /// with the kernel's receive timestamps.
    public func receive() throws(PcapError) -> [CapturedFrame] {
        try capture.drain().get()
    }

    /// The descriptor that becomes readable when `receive()` has frames.
    public var fileDescriptor: Int32 { capture.fileDescriptor }

    public func close() { capture.close() }
}
