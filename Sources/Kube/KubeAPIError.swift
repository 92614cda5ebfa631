import Foundation

/// A `metav1.Status` object: what the API server answers on failure, and what a watch
/// stream carries in an `ERROR` event.
public struct StatusObject: Codable, Sendable, Equatable {
    public var kind: String?
    public var apiVersion: String?
    public var status: String?
    public var message: String?
    public var reason: String?
    public var code: Int?

    public init(status: String? = "Failure", message: String? = nil, reason: String? = nil, code: Int? = nil) {
        self.kind = "Status"
        self.apiVersion = "v1"
        self.status = status
        self.message = message
        self.reason = reason
        self.code = code
    }
}

/// A failure the API server reported: the HTTP code and the `Status` reason and message.
///
/// `reason` follows `metav1.StatusReason` (`NotFound`, `Conflict`, `AlreadyExists`,
/// `Expired`, `Gone`, `Unauthorized`, …); client-go's `apierrors.IsNotFound` and friends
/// match on these, and so do the `is…` properties here.
public struct KubeAPIError: Error, Sendable, Equatable, CustomStringConvertible {
    public var code: Int
    public var reason: String
    public var message: String

    public init(code: Int, reason: String, message: String) {
        self.code = code
        self.reason = reason
        self.message = message
    }

    /// Builds the error from a response; falls back to the HTTP status when the body is not
    /// a `Status` (a proxy's HTML page, an empty body).
    public init(httpStatus: Int, body: [UInt8]) {
        if let status = try? JSONDecoder().decode(StatusObject.self, from: Data(body)), status.kind == "Status" {
            self.init(status: status, fallbackCode: httpStatus)
        } else {
            let text = String(decoding: body.prefix(200), as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            self.init(
                code: httpStatus,
                reason: Self.defaultReason(httpStatus),
                message: text.isEmpty ? "HTTP \(httpStatus)" : text
            )
        }
    }

    public init(status: StatusObject, fallbackCode: Int = 500) {
        let code = status.code ?? fallbackCode
        self.init(
            code: code,
            reason: status.reason.flatMap { $0.isEmpty ? nil : $0 } ?? Self.defaultReason(code),
            message: status.message ?? ""
        )
    }

    public var isNotFound: Bool { code == 404 || reason == "NotFound" }
    public var isConflict: Bool { code == 409 && reason != "AlreadyExists" }
    public var isAlreadyExists: Bool { reason == "AlreadyExists" }
    /// 410: the requested resourceVersion is older than the server's history (`Expired` or `Gone`).
    public var isGone: Bool { code == 410 || reason == "Expired" || reason == "Gone" }
    public var isUnauthorized: Bool { code == 401 }

    public var description: String {
        "Kubernetes API error \(code) \(reason): \(message)"
    }

    static func defaultReason(_ code: Int) -> String {
        switch code {
        case 400: "BadRequest"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "NotFound"
        case 405: "MethodNotAllowed"
        case 409: "Conflict"
        case 410: "Gone"
        case 422: "Invalid"
        case 429: "TooManyRequests"
        case 500: "InternalError"
        case 503: "ServiceUnavailable"
        case 504: "Timeout"
        default: "Unknown"
        }
    }
}
