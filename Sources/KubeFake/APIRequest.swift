import KubeJSON

/// An HTTP request as the API layer sees it, independent of NIO so tests can call the
/// handler directly.
public struct APIRequest: Sendable {
    public var method: String
    /// The path without the query, percent-decoded per segment.
    public var path: String
    public var query: [String: String]
    /// Header names in lower case.
    public var headers: [String: String]
    public var body: [UInt8]

    public init(method: String, target: String, headers: [String: String] = [:], body: [UInt8] = []) {
        self.method = method.uppercased()
        let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        self.path = parts.first.map(String.init) ?? "/"
        var query: [String: String] = [:]
        if parts.count == 2 {
            for pair in parts[1].split(separator: "&") {
                let fields = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let key = Self.percentDecode(String(fields[0]))
                let value = fields.count == 2 ? Self.percentDecode(String(fields[1])) : ""
                if query[key] == nil { query[key] = value }
            }
        }
        self.query = query
        self.headers = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { first, _ in first })
        self.body = body
    }

    /// Path segments, each percent-decoded.
    public var segments: [String] {
        path.split(separator: "/", omittingEmptySubsequences: true).map { Self.percentDecode(String($0), plusIsSpace: false) }
    }

    /// Query decoding as Go's `url.ParseQuery`: `+` is a space, `%XX` a byte; malformed escapes
    /// are kept literally rather than rejected.
    static func percentDecode(_ text: String, plusIsSpace: Bool = true) -> String {
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "%"), index + 2 < bytes.count,
               let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2])
            {
                out.append(high << 4 | low)
                index += 3
            } else {
                out.append(plusIsSpace && byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
                index += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    var isWatch: Bool {
        guard let value = query["watch"] else { return false }
        return value == "1" || value.lowercased() == "true"
    }
}

/// What the handler answers: a whole body, or a stream of watch events.
public enum APIResponse: Sendable {
    case full(status: Int, contentType: String, body: [UInt8])
    case watch(WatchStream)

    static func json(_ status: Int, _ value: JSONValue) -> APIResponse {
        .full(status: status, contentType: "application/json", body: value.serialized())
    }

    static func error(_ error: APIError) -> APIResponse {
        .json(error.code, error.status)
    }

    public var statusCode: Int {
        switch self {
        case .full(let status, _, _): status
        case .watch: 200
        }
    }
}

/// One open watch: newline-delimited JSON watch events (`{"type":…,"object":…}`), each yielded
/// as one chunk the HTTP layer writes and flushes.
public struct WatchStream: Sendable {
    public enum Chunk: Sendable {
        case event([UInt8])
        /// Close the connection abruptly, as a network cut would (fault injection).
        case abort
    }

    public let id: Int
    public let chunks: AsyncStream<Chunk>
}
