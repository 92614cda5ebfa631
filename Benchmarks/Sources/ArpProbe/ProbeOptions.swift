import Addressing
import Packets

/// Command line of `arp-probe`. Hand-parsed (a handful of flags); addresses are read by the
/// shared `Addressing` and `Packets` parsers.
struct ProbeOptions: Sendable {
    struct UsageError: Error, CustomStringConvertible {
        var description: String
    }

    static let usage = """
        usage: arp-probe --interface IF --target IP [options]
          Sends an ARP request (IPv4) or a Neighbor Solicitation (IPv6) for IP on IF every
          interval and prints, as JSON lines, every answer for IP - ARP reply or solicited
          NA ("reply"), gratuitous ARP ("garp"), unsolicited NA ("unsolicited_na"):
          {"t":…,"wall":…,"mac":"…","kind":"reply|garp|unsolicited_na","window":…}
          (t: seconds since start on the monotonic clock; wall: CLOCK_REALTIME seconds, to
          line up with events outside the prober; window: index of the last probe sent).
          The last line is a summary object with "summary":true.
          --interval-ms N      probe interval (default 20, 1...10000)
          --duration-s S       stop after S seconds (default 10, at most 600)
          --count N            stop after N probes (and one more interval for late answers)
          --source-ip IP       sender IP of the requests (default: IF's first address of
                               the target's family, global before link-local)
          --initial-mac MAC    the owner before the event under test (default: first answer)
          --until-mac-change   (alias --watch) stop once a MAC other than the initial owner
                               has answered, after --linger-ms more
          --until-mac MAC      stop once MAC has answered (after --linger-ms more); the
                               summary's until_mac_t/until_mac_wall say when
          --linger-ms N        keep probing N ms after the stop condition (default 0; up to 60000),
                               to see whether two MACs answer the same probe
          --quiet              print only the summary line
        """

    var interface = ""
    /// An IPv4 target is probed with ARP, an IPv6 one with NDP.
    var target = IPAddress.v4(IPv4Address(0))
    var intervalMilliseconds = 20
    var durationSeconds = 10.0
    var count: Int?
    var sourceIP: IPAddress?
    var initialMac: MACAddress?
    var untilMacChange = false
    var untilMac: MACAddress?
    var lingerMilliseconds = 0
    var quiet = false

    init(arguments: [String]) throws(UsageError) {
        var remaining = arguments[...]
        var sawInterface = false
        var sawTarget = false
        func value(_ flag: String) throws(UsageError) -> String {
            guard let next = remaining.popFirst() else { throw UsageError(description: "\(flag) needs a value") }
            return next
        }
        func integer(_ flag: String, in range: ClosedRange<Int>) throws(UsageError) -> Int {
            let text = try value(flag)
            guard let number = Int(text), range.contains(number) else {
                throw UsageError(description: "\(flag) must be an integer in \(range.lowerBound)...\(range.upperBound), got '\(text)'")
            }
            return number
        }
        while let flag = remaining.popFirst() {
            switch flag {
            case "--interface":
                interface = try value(flag)
                sawInterface = true
            case "--target":
                let text = try value(flag)
                guard let ip = IPAddress(text) else { throw UsageError(description: "--target '\(text)' is not an IPv4 or IPv6 address") }
                target = ip
                sawTarget = true
            case "--interval-ms":
                intervalMilliseconds = try integer(flag, in: 1...10_000)
            case "--duration-s":
                let text = try value(flag)
                guard let seconds = Double(text), seconds > 0, seconds <= 600 else {
                    throw UsageError(description: "--duration-s must be in (0, 600], got '\(text)'")
                }
                durationSeconds = seconds
            case "--count":
                count = try integer(flag, in: 1...1_000_000)
            case "--source-ip":
                let text = try value(flag)
                guard let ip = IPAddress(text) else { throw UsageError(description: "--source-ip '\(text)' is not an IPv4 or IPv6 address") }
                sourceIP = ip
            case "--initial-mac":
                let text = try value(flag)
                guard let mac = MACAddress(text) else { throw UsageError(description: "--initial-mac '\(text)' is not a MAC address") }
                initialMac = mac
            case "--until-mac-change", "--watch":
                untilMacChange = true
            case "--until-mac":
                let text = try value(flag)
                guard let mac = MACAddress(text) else { throw UsageError(description: "--until-mac '\(text)' is not a MAC address") }
                untilMac = mac
            case "--linger-ms":
                lingerMilliseconds = try integer(flag, in: 0...60_000)
            case "--quiet":
                quiet = true
            case "-h", "--help":
                throw UsageError(description: Self.usage)
            default:
                throw UsageError(description: "unknown option '\(flag)'\n\(Self.usage)")
            }
        }
        guard sawInterface, sawTarget else { throw UsageError(description: "--interface and --target are required\n\(Self.usage)") }
        if let sourceIP, sourceIP.family != target.family {
            throw UsageError(description: "--source-ip \(sourceIP) and --target \(target) are of different families")
        }
    }
}
