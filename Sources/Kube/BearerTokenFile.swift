import Foundation

/// A bearer token kept in a file that the kubelet rotates (projected service-account
/// tokens expire after an hour and are rewritten in place).
///
/// Like client-go's `cachingTokenSource` the file is re-read periodically (every minute by
/// default); in addition it is re-read at once when its modification time changes, and when
/// the server answers 401 (`invalidate()`), so a rotation is picked up by the next request.
public actor BearerTokenFile {
    public nonisolated let path: String
    let refreshInterval: Duration
    private var token: String?
    private var modificationDate: Date?
    private var readAt: ContinuousClock.Instant?

    public init(path: String, refreshInterval: Duration = .seconds(60)) {
        self.path = path
        self.refreshInterval = refreshInterval
    }

    /// The current token.
    /// - Throws: `KubeConfigError` when the file cannot be read or is empty.
    public func current() throws(KubeConfigError) -> String {
        let now = ContinuousClock.now
        let modified = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
        if let token, let readAt, modified == modificationDate, now - readAt < refreshInterval {
            return token
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw KubeConfigError(file: path, problem: "token file cannot be read")
        }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { throw KubeConfigError(file: path, problem: "token file is empty") }
        token = text
        modificationDate = modified
        readAt = now
        return text
    }

    /// Forgets the cached token, so the next request reads the file again.
    public func invalidate() {
        token = nil
    }
}
