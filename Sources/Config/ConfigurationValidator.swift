import Addressing

/// The checks that span documents, after every document has been read. They mirror
/// MetalLB's internal/config validation: unique pool names, no address in two places
/// (inside one pool or across pools), unique advertisement names. One deliberate
/// difference: an advertisement naming a pool that does not exist is an error here, where
/// MetalLB silently ignores the entry; an operator's typo would otherwise mean the pool is
/// quietly never announced.
enum ConfigurationValidator {
    static func validate(_ session: inout ParseSession) {
        checkDuplicatePools(&session)
        checkOverlaps(&session)
        checkAdvertisements(&session)
        noteUnannouncedPools(&session)
    }

    private static func place(_ document: ConfigDocument) -> String {
        "\(document.file): \(document)"
    }

    private static func checkDuplicatePools(_ session: inout ParseSession) {
        var firstByName: [String: LocatedPool] = [:]
        for located in session.pools {
            if let first = firstByName[located.pool.name] {
                session.fail(located.document, located.namePath,
                             "duplicate pool name \"\(located.pool.name)\" (first defined in \(place(first.document)))")
            } else {
                firstByName[located.pool.name] = located
            }
        }
    }

    /// Every pair of ranges that share an address, reported on the later one. Ranges are
    /// sorted by start so each is compared only with those it can reach: O(n log n + k).
    private static func checkOverlaps(_ session: inout ParseSession) {
        struct Entry {
            var range: AddressRange
            var pool: Int
            var position: Int
        }
        var entries: [Entry] = []
        for (poolIndex, located) in session.pools.enumerated() {
            for (position, range) in located.pool.ranges.enumerated() {
                entries.append(Entry(range: range, pool: poolIndex, position: position))
            }
        }
        entries.sort { ($0.range.first, $0.pool, $0.position) < ($1.range.first, $1.pool, $1.position) }
        var reported: [(earlier: Entry, later: Entry)] = []
        for i in entries.indices {
            // Sorted by start: every later entry of the family that starts before this one
            // ends overlaps it, and the first that does not ends the scan.
            var j = i + 1
            while j < entries.count, entries[j].range.family == entries[i].range.family,
                  entries[j].range.first <= entries[i].range.last {
                let (a, b) = (entries[i], entries[j])
                reported.append((a.pool, a.position) < (b.pool, b.position) ? (a, b) : (b, a))
                j += 1
            }
        }
        reported.sort { ($0.later.pool, $0.later.position, $0.earlier.pool, $0.earlier.position)
            < ($1.later.pool, $1.later.position, $1.earlier.pool, $1.earlier.position) }
        for (earlier, later) in reported {
            let laterPool = session.pools[later.pool]
            let earlierPool = session.pools[earlier.pool]
            let other = earlier.pool == later.pool
                ? earlierPool.rangePaths[earlier.position]
                : "\(earlierPool.rangePaths[earlier.position]) of pool \"\(earlierPool.pool.name)\" (\(place(earlierPool.document)))"
            session.fail(laterPool.document, laterPool.rangePaths[later.position],
                         "\(later.range) overlaps \(earlier.range) at \(other)")
        }
    }

    private static func checkAdvertisements(_ session: inout ParseSession) {
        let poolNames = Set(session.pools.map(\.pool.name))
        var firstByName: [String: LocatedAdvertisement] = [:]
        for located in session.advertisements where !located.advertisement.implied {
            let name = located.advertisement.name
            if let first = firstByName[name] {
                session.fail(located.document, located.namePath,
                             "duplicate L2Advertisement name \"\(name)\" (first defined in \(place(first.document)))")
            } else {
                firstByName[name] = located
            }
            for (pool, path) in zip(located.advertisement.ipAddressPools, located.poolPaths) where !poolNames.contains(pool) {
                session.fail(located.document, path,
                             "unknown pool \"\(pool)\" (MetalLB would silently ignore it, so the pool meant here would never be announced)")
            }
        }
    }

    private static func noteUnannouncedPools(_ session: inout ParseSession) {
        let configuration = Configuration(
            pools: session.pools.map(\.pool), l2Advertisements: session.advertisements.map(\.advertisement))
        for located in session.pools where configuration.advertisements(for: located.pool).isEmpty {
            session.note(located.document, located.namePath,
                         "no L2Advertisement covers pool \"\(located.pool.name)\": its addresses are assigned but never announced")
        }
    }
}
