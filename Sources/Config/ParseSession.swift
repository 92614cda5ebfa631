import Addressing

/// A pool as read, with where it came from, so cross-document checks (duplicates,
/// overlaps) can point at the exact field.
struct LocatedPool {
    var pool: AddressPoolConfig
    var document: ConfigDocument
    var namePath: String
    /// Field path of each entry of `pool.ranges`, same order.
    var rangePaths: [String]
}

/// An advertisement as read, with where it came from.
struct LocatedAdvertisement {
    var advertisement: L2AdvertisementConfig
    var document: ConfigDocument
    var namePath: String
    /// Field path of each entry of `advertisement.ipAddressPools`, same order.
    var poolPaths: [String]
}

/// Everything gathered while reading the documents of one configuration.
struct ParseSession {
    var pools: [LocatedPool] = []
    var advertisements: [LocatedAdvertisement] = []
    var errors: [ConfigError] = []
    var notes: [ConfigNote] = []

    mutating func fail(_ document: ConfigDocument, _ fieldPath: String, _ reason: String) {
        errors.append(ConfigError(document: document, fieldPath: fieldPath, reason: reason))
    }

    mutating func note(_ document: ConfigDocument, _ fieldPath: String, _ message: String) {
        notes.append(ConfigNote(document: document, fieldPath: fieldPath, message: message))
    }
}

/// Field-path building: `spec` + `addresses` → `spec.addresses`, then `[2]`.
extension String {
    func field(_ key: String) -> String { isEmpty ? key : self + "." + key }
    func element(_ index: Int) -> String { self + "[\(index)]" }
}
