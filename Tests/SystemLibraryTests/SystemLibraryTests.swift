import CNetLinkRoute
import CPcap
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Proves the `systemLibrary` targets compile, link and call into the real C libraries.
@Suite struct SystemLibraryTests {
    @Test func libpcapReportsItsVersion() throws {
        let version = String(cString: pcap_lib_version())
        #expect(version.hasPrefix("libpcap version "))
    }

    /// Allocates an rtnl link cache inside a fresh network namespace of a dedicated thread:
    /// such a namespace holds exactly one interface, `lo`, which proves the cache was
    /// really filled from the kernel (and that the host's interfaces were not touched).
    @Test func rtnlLinkCacheInOwnNamespaceSeesOnlyLoopback() async throws {
        guard getuid() == 0 else { return }
        let names = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<[String], any Error>) in
            var thread = pthread_t()
            let box = Unmanaged.passRetained(ContinuationBox(continuation))
            let rc = pthread_create(&thread, nil, { raw in
                let box = Unmanaged<ContinuationBox>.fromOpaque(raw!).takeRetainedValue()
                box.continuation.resume(with: Result { try linkNamesInNewNamespace() })
                return nil
            }, box.toOpaque())
            if rc != 0 {
                box.release()
                continuation.resume(throwing: NetlinkError(step: "pthread_create", code: rc))
            } else {
                pthread_detach(thread)
            }
        }
        #expect(names == ["lo"])
    }
}

private final class ContinuationBox: @unchecked Sendable {
    // Used by exactly one thread, once.
    let continuation: CheckedContinuation<[String], any Error>
    init(_ continuation: CheckedContinuation<[String], any Error>) { self.continuation = continuation }
}

struct NetlinkError: Error { let step: String; let code: Int32 }

/// Moves the calling thread (only) into a new network namespace and lists its links
/// through libnl-route's link cache.
private func linkNamesInNewNamespace() throws -> [String] {
    // glibc declares unshare(2) only under _GNU_SOURCE, which Swift's Glibc module lacks.
    typealias Unshare = @convention(c) (Int32) -> Int32
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "unshare") else {
        throw NetlinkError(step: "dlsym(unshare)", code: 0)
    }
    let cloneNewNet: Int32 = 0x4000_0000
    guard unsafeBitCast(symbol, to: Unshare.self)(cloneNewNet) == 0 else {
        throw NetlinkError(step: "unshare", code: errno)
    }
    guard let socket = nl_socket_alloc() else { throw NetlinkError(step: "nl_socket_alloc", code: 0) }
    defer { nl_socket_free(socket) }
    var rc = nl_connect(socket, NETLINK_ROUTE)
    guard rc == 0 else { throw NetlinkError(step: "nl_connect", code: rc) }
    var cache: OpaquePointer?
    rc = rtnl_link_alloc_cache(socket, AF_UNSPEC, &cache)
    guard rc == 0, let cache else { throw NetlinkError(step: "rtnl_link_alloc_cache", code: rc) }
    defer { nl_cache_free(cache) }
    var names: [String] = []
    var object = nl_cache_get_first(cache)
    while let current = object {
        if let name = rtnl_link_get_name(current) { names.append(String(cString: name)) }
        object = nl_cache_get_next(current)
    }
    return names
}
