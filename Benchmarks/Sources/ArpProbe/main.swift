// arp-probe: what a client on the LAN sees while an IP changes owner. Runs inside the lab's
// client namespace (Scripts/lab), sends one ARP request (IPv4 target) or Neighbor
// Solicitation (IPv6 target) per interval on the interface it is told, and records every
// answer for the target with the answering MAC. Bounded in time
// (--duration-s, at most 600 s) and in count (--count).
#if canImport(Glibc)
import Addressing
import Glibc
import Packets

/// Seconds on `clock` (CLOCK_MONOTONIC for intervals, CLOCK_REALTIME for correlation).
func seconds(on clock: clockid_t) -> Double {
    var now = timespec()
    clock_gettime(clock, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
}

/// Writes one line to standard output unbuffered, so a reader sees it at once.
func emit(_ line: String) {
    var bytes = Array((line + "\n").utf8)
    var offset = 0
    while offset < bytes.count {
        let written = bytes.withUnsafeMutableBytes { write(1, $0.baseAddress! + offset, $0.count - offset) }
        if written <= 0 { return }
        offset += written
    }
    bytes.removeAll()
}

func fail(_ message: String, status: Int32) -> Never {
    let line = Array(("arp-probe: " + message + "\n").utf8)
    _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    exit(status)
}

func formatted(_ value: Double) -> String {
    // Microsecond resolution is plenty at a 20 ms probe interval.
    let micros = (value * 1e6).rounded()
    let whole = Int64(micros / 1e6)
    let fraction = Int64(abs(micros.truncatingRemainder(dividingBy: 1e6)))
    let text = String(fraction)
    return "\(whole).\(String(repeating: "0", count: 6 - text.count))\(text)"
}

let options: ProbeOptions
do {
    options = try ProbeOptions(arguments: Array(CommandLine.arguments.dropFirst()))
} catch {
    fail(error.description, status: 2)
}

let socketHandle: PacketSocket
let ownMac: MACAddress
/// The probe sent every interval: ARP for an IPv4 target, NDP for an IPv6 one.
let request: [UInt8]
do throws(PacketSocket.Failure) {
    let addresses = try PacketSocket.addresses(of: options.interface)
    ownMac = addresses.mac
    let etherType: UInt16
    switch (options.target, options.sourceIP ?? addresses.first(of: options.target.family)) {
    case (.v4(let target), .v4(let source)?):
        etherType = EtherType.arp
        request = Frame.arpProbe(from: ownMac, senderIP: source, asking: target).encoded()
    case (.v6(let target), .v6(let source)?):
        etherType = EtherType.ipv6
        request = Frame.neighborSolicitationProbe(from: ownMac, source: source, asking: target).encoded()
    default:
        let family = options.target.family.rawValue
        throw PacketSocket.Failure.noAddress(interface: options.interface, family: "\(family) (or --source-ip of that family)")
    }
    socketHandle = try PacketSocket(interfaceIndex: addresses.index, etherType: etherType)
} catch {
    fail(error.description, status: 1)
}

var recorder = ProbeRecorder(ownMac: ownMac, initialMac: options.initialMac)
let interval = Double(options.intervalMilliseconds) / 1000
let start = seconds(on: CLOCK_MONOTONIC)
let end = start + options.durationSeconds
var nextSend = start
var sent = 0
var stopAt = end
var stopReason = "duration"
var untilMacSeen: ProbeRecorder.Observation?
var buffer = [UInt8](repeating: 0, count: 2048)

probing: while true {
    var now = seconds(on: CLOCK_MONOTONIC)
    if now >= stopAt { break }
    if now >= nextSend {
        if let count = options.count, sent >= count {
            // One more interval has passed for late answers to the last probe.
            stopReason = "count"
            break
        }
        do {
            try socketHandle.send(request)
        } catch {
            fail(error.description, status: 1)
        }
        sent += 1
        nextSend += interval
        if nextSend < now { nextSend = now + interval }  // we were descheduled; do not burst
    }
    now = seconds(on: CLOCK_MONOTONIC)
    let waitSeconds = max(0, min(nextSend, stopAt) - now)
    let readable: Bool
    do {
        readable = try socketHandle.waitReadable(milliseconds: Int32((waitSeconds * 1000).rounded(.up)))
    } catch {
        fail(error.description, status: 1)
    }
    guard readable else { continue }
    while true {
        let frame: ArraySlice<UInt8>
        do {
            guard let received = try socketHandle.receive(into: &buffer) else { break }
            frame = received
        } catch {
            fail(error.description, status: 1)
        }
        let arrived = seconds(on: CLOCK_MONOTONIC)
        let answer: ProbeAnswer?
        do throws(DecodeError) {
            answer = try ProbeAnswer.decoding(frame, for: options.target)
        } catch {
            recorder.countMalformed()
            continue
        }
        let hadChange = recorder.change != nil
        guard
            let observation = recorder.observe(
                answer, seconds: arrived - start, wallSeconds: seconds(on: CLOCK_REALTIME), window: sent - 1)
        else { continue }
        if !options.quiet {
            emit(
                "{\"t\":\(formatted(observation.seconds)),\"wall\":\(formatted(observation.wallSeconds)),"
                    + "\"mac\":\"\(observation.mac)\",\"kind\":\"\(observation.kind.rawValue)\",\"window\":\(observation.window)}"
            )
        }
        if !hadChange, recorder.change != nil, options.untilMacChange {
            stopAt = min(stopAt, arrived + Double(options.lingerMilliseconds) / 1000)
            stopReason = "change"
        }
        if let untilMac = options.untilMac, untilMacSeen == nil, observation.mac == untilMac {
            untilMacSeen = observation
            stopAt = min(stopAt, arrived + Double(options.lingerMilliseconds) / 1000)
            stopReason = "until_mac"
        }
    }
}

let elapsed = seconds(on: CLOCK_MONOTONIC) - start
var summary = "{\"summary\":true,\"target\":\"\(options.target)\",\"interface\":\"\(options.interface)\""
summary += ",\"interval_ms\":\(options.intervalMilliseconds),\"sent\":\(sent)"
summary += ",\"replies\":\(recorder.replies),\"garps\":\(recorder.gratuitous),\"other_frames\":\(recorder.unrelatedFrames)"
summary += ",\"macs\":[" + recorder.macsInOrderSeen.map { "\"\($0)\"" }.joined(separator: ",") + "]"
summary += ",\"initial_mac\":" + (recorder.initialMac.map { "\"\($0)\"" } ?? "null")
if let change = recorder.change {
    summary += ",\"new_mac\":\"\(change.mac)\",\"change_t\":\(formatted(change.seconds)),\"change_wall\":\(formatted(change.wallSeconds))"
} else {
    summary += ",\"new_mac\":null,\"change_t\":null,\"change_wall\":null"
}
if options.untilMac != nil {
    if let seen = untilMacSeen {
        summary += ",\"until_mac_t\":\(formatted(seen.seconds)),\"until_mac_wall\":\(formatted(seen.wallSeconds))"
    } else {
        summary += ",\"until_mac_t\":null,\"until_mac_wall\":null"
    }
}
summary += ",\"dual_answer_windows\":\(recorder.dualAnswerWindowsAfterChange)"
summary += ",\"answered_windows_after_change\":\(recorder.answeredWindowsAfterChange)"
summary += ",\"stopped\":\"\(stopReason)\",\"duration_s\":\(formatted(elapsed))}"
emit(summary)
#else
fatalError("arp-probe needs Linux AF_PACKET sockets")
#endif
