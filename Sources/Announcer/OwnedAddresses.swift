public import Addressing

/// The IPs this node announces and, per IP, the interfaces its L2Advertisements allow
/// (nil = every usable interface, as for an advertisement without `interfaces`).
public struct OwnedAddresses: Hashable, Sendable {
    public private(set) var entries: [IPAddress: Set<String>?] = [:]

    public init() {}

    public init(_ addresses: [IPAddress], interfaces: Set<String>? = nil) {
        for address in addresses { entries[address] = .some(interfaces) }
    }

    public mutating func insert(_ address: IPAddress, interfaces: Set<String>?) {
        entries[address] = .some(interfaces)
    }

    public mutating func remove(_ address: IPAddress) { entries[address] = nil }

    public var addresses: [IPAddress] { entries.keys.sorted() }

    public func contains(_ address: IPAddress) -> Bool { entries[address] != nil }

    /// True when `address` is owned and may be announced on `interface`.
    public func allows(_ address: IPAddress, on interface: String) -> Bool {
        guard let allowed = entries[address] else { return false }
        return allowed?.contains(interface) ?? true
    }
}
