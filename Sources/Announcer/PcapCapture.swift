import CPcap
import Glibc
import Synchronization

/// A libpcap failure, with the library's own message.
public struct PcapError: Error, Hashable, Sendable, CustomStringConvertible {
    public var interface: String
    public var step: String
    public var message: String
    public var description: String { "\(interface): \(step): \(message)" }
}

/// One libpcap handle on one interface: immediate mode (each frame is delivered as soon as it
/// arrives, not when a TPACKET block fills), non-blocking, incoming direction only (our own
/// injected frames are not captured back), and a kernel BPF filter so the process only wakes
/// for ARP and ICMPv6 Neighbor Solicitations/Advertisements.
///
/// C-handle wrapper: the `pcap_t` pointer lives in `handle`, a `Mutex`, and every libpcap call
/// is made while holding it. In practice one serial queue (the announcer's executor) uses it.
final class PcapCapture: Sendable {
    /// ARP, or ICMPv6 type 135/136 directly after a 40-byte IPv6 header; the same after one
    /// 802.1Q tag (`vlan` shifts the offsets of everything that follows it, so it comes last).
    static let filter = "arp or (icmp6 and (ip6[40] == 135 or ip6[40] == 136))"
        + " or (vlan and (arp or (icmp6 and (ip6[40] == 135 or ip6[40] == 136))))"
    /// Enough for any NS/NA with a few options; longer frames are truncated and fail to decode.
    static let snapshotLength: Int32 = 256
    /// The kernel ring (TPACKET_V3) between the interface and our loop, mapped into the
    /// process and so counted in full in its RSS. An ARP request takes well under 128 bytes
    /// of it, so 2 MB holds about 16,000: 0.8 s of a 20,000/s flood while the loop thread
    /// waits for a CPU (the worst wait measured on a saturated 2-vCPU host was 80 ms).
    static let ringBytes: Int32 = 2 << 20

    let interfaceName: String
    let fileDescriptor: Int32
    private let handle: Mutex<OpaquePointer?>

    init(interface: String) throws(PcapError) {
        interfaceName = interface
        let (pcap, fd) = try Self.open(interface)
        fileDescriptor = fd
        handle = Mutex(pcap)
    }

    private static func open(_ interface: String) throws(PcapError) -> (OpaquePointer, Int32) {
        var errorBuffer = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE))
        guard let pcap = pcap_create(interface, &errorBuffer) else {
            throw PcapError(interface: interface, step: "pcap_create", message: cString(errorBuffer))
        }
        func fail(_ step: String, _ message: String? = nil) -> PcapError {
            let error = PcapError(interface: interface, step: step, message: message ?? String(cString: pcap_geterr(pcap)))
            pcap_close(pcap)
            return error
        }
        pcap_set_snaplen(pcap, snapshotLength)
        pcap_set_promisc(pcap, 0)
        pcap_set_immediate_mode(pcap, 1)
        pcap_set_buffer_size(pcap, Self.ringBytes)
        let activation = pcap_activate(pcap)
        if activation < 0 { throw fail("pcap_activate", String(cString: pcap_statustostr(activation))) }
        if pcap_setdirection(pcap, PCAP_D_IN) != 0 { throw fail("pcap_setdirection") }
        var program = bpf_program()
        if pcap_compile(pcap, &program, filter, 1, PCAP_NETMASK_UNKNOWN) != 0 { throw fail("pcap_compile") }
        defer { pcap_freecode(&program) }
        if pcap_setfilter(pcap, &program) != 0 { throw fail("pcap_setfilter") }
        if pcap_setnonblock(pcap, 1, &errorBuffer) != 0 { throw fail("pcap_setnonblock", cString(errorBuffer)) }
        let fd = pcap_get_selectable_fd(pcap)
        if fd < 0 { throw fail("pcap_get_selectable_fd", "no selectable descriptor") }
        return (pcap, fd)
    }

    /// Reads every frame that is already waiting (never blocks).
    /// - Returns: the frames, or an error when the handle failed (e.g. the interface went away).
    func drain() -> Result<[CapturedFrame], PcapError> {
        handle.withLock { pcap -> Result<[CapturedFrame], PcapError> in
            guard let pcap else { return .success([]) }
            var frames: [CapturedFrame] = []
            let count = withUnsafeMutablePointer(to: &frames) { pointer in
                pcap_dispatch(pcap, -1, { user, header, bytes in
                    guard let user, let header, let bytes else { return }
                    let frames = UnsafeMutableRawPointer(user).assumingMemoryBound(to: [CapturedFrame].self)
                    let time = header.pointee.ts
                    frames.pointee.append(CapturedFrame(
                        bytes: Array(UnsafeBufferPointer(start: bytes, count: Int(header.pointee.caplen))),
                        timestamp: .seconds(time.tv_sec) + .microseconds(time.tv_usec)))
                }, UnsafeMutableRawPointer(pointer).assumingMemoryBound(to: UInt8.self))
            }
            if count < 0 {
                return .failure(PcapError(interface: interfaceName, step: "pcap_dispatch",
                                          message: String(cString: pcap_geterr(pcap))))
            }
            return .success(frames)
        }
    }

    /// Sends one complete Ethernet frame.
    func inject(_ frame: [UInt8]) -> PcapError? {
        handle.withLock { pcap -> PcapError? in
            guard let pcap else { return PcapError(interface: interfaceName, step: "pcap_inject", message: "closed") }
            let sent = frame.withUnsafeBytes { pcap_inject(pcap, $0.baseAddress, $0.count) }
            if sent == frame.count { return nil }
            return PcapError(interface: interfaceName, step: "pcap_inject", message: String(cString: pcap_geterr(pcap)))
        }
    }

    /// Closes the handle (and its descriptor). Call only after the read source watching
    /// `fileDescriptor` was cancelled.
    func close() {
        handle.withLock { pcap in
            if let open = pcap { pcap_close(open) }
            pcap = nil
        }
    }
}

/// The NUL-terminated text in a C character buffer.
func cString(_ buffer: [CChar]) -> String {
    String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// One captured frame and the kernel's receive time (since the Unix epoch, microsecond resolution).
public struct CapturedFrame: Sendable {
    public var bytes: [UInt8]
    public var timestamp: Duration

    /// The wall clock in the timestamps' terms (CLOCK_REALTIME since the epoch), to tell how
    /// long a frame waited before it was read, or how long a request took to be answered.
    public static func wallClockNow() -> Duration {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return .seconds(now.tv_sec) + .nanoseconds(now.tv_nsec)
    }
}
