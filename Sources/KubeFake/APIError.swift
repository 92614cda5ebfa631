import KubeJSON

/// A failed request as the API server reports it: a `meta/v1` `Status` object with the HTTP
/// code, a machine-readable `reason` (k8s.io/apimachinery/pkg/apis/meta/v1 StatusReason) and
/// `details` naming the object. Clients such as client-go switch on `reason`, so these must
/// match the real server's choices (k8s.io/apimachinery/pkg/api/errors/errors.go).
public struct APIError: Error, Sendable, Equatable, CustomStringConvertible {
    public var code: Int
    public var reason: String
    public var message: String
    public var details: JSONValue?

    public init(code: Int, reason: String, message: String, details: JSONValue? = nil) {
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details
    }

    public var description: String { "\(code) \(reason): \(message)" }

    /// The `Status` object sent as the response body (or inside a watch `ERROR` event).
    public var status: JSONValue {
        var object: [String: JSONValue] = [
            "kind": "Status", "apiVersion": "v1", "metadata": .object([:]), "status": "Failure",
            "message": .string(message), "reason": .string(reason), "code": .int(Int64(code)),
        ]
        if let details { object["details"] = details }
        return .object(object)
    }

    static func objectDetails(_ type: ResourceType, name: String) -> JSONValue {
        var details: [String: JSONValue] = ["name": .string(name), "kind": .string(type.plural)]
        if !type.group.isEmpty { details["group"] = .string(type.group) }
        return .object(details)
    }

    // MARK: The errors the registry produces

    public static func notFound(_ type: ResourceType, name: String) -> APIError {
        APIError(code: 404, reason: "NotFound", message: "\(type.qualifiedName) \"\(name)\" not found",
                 details: objectDetails(type, name: name))
    }

    public static func alreadyExists(_ type: ResourceType, name: String) -> APIError {
        APIError(code: 409, reason: "AlreadyExists", message: "\(type.qualifiedName) \"\(name)\" already exists",
                 details: objectDetails(type, name: name))
    }

    /// The optimistic-concurrency failure (`apierrors.NewConflict`): the client must re-read.
    public static func conflict(_ type: ResourceType, name: String, why: String) -> APIError {
        APIError(code: 409, reason: "Conflict",
                 message: "Operation cannot be fulfilled on \(type.qualifiedName) \"\(name)\": \(why)",
                 details: objectDetails(type, name: name))
    }

    public static let staleObject =
        "the object has been modified; please apply your changes to the latest version and try again"

    /// 422 with the offending field in `details.causes`, as validation errors are reported.
    public static func invalid(_ type: ResourceType, name: String, field: String, detail: String,
                               causeReason: String = "FieldValueInvalid") -> APIError {
        var details = objectDetails(type, name: name)
        details["kind"] = .string(type.kind)
        details["causes"] = .array([["reason": .string(causeReason), "message": .string("\(field): \(detail)"),
                                     "field": .string(field)]])
        return APIError(code: 422, reason: "Invalid",
                        message: "\(type.kind) \"\(name)\" is invalid: \(field): \(detail)", details: details)
    }

    public static func badRequest(_ message: String) -> APIError {
        APIError(code: 400, reason: "BadRequest", message: message)
    }

    /// 410 for a resourceVersion older than the kept history (`storage.NewTooLargeResourceVersionError`'s
    /// sibling `errors.NewResourceExpired`): watches get it as an `ERROR` event, lists as HTTP 410.
    public static func expired(_ message: String) -> APIError {
        APIError(code: 410, reason: "Expired", message: message)
    }

    public static let unauthorized = APIError(code: 401, reason: "Unauthorized", message: "Unauthorized")

    public static func methodNotAllowed(_ message: String) -> APIError {
        APIError(code: 405, reason: "MethodNotAllowed", message: message)
    }

    /// KubeFake speaks JSON only; Kubernetes protobuf bodies (which typed clients such as
    /// `kubectl create namespace` send) are refused like any other unknown format.
    public static func unsupportedMediaType(_ contentType: String, patch: Bool = false) -> APIError {
        let accepted = patch
            ? "application/merge-patch+json, application/strategic-merge-patch+json"
            : "application/json"
        return APIError(code: 415, reason: "UnsupportedMediaType",
                        message: "the body of the request was in an unknown format - accepted media types include: "
                            + "\(accepted) (got \(contentType))")
    }

    public static func pathNotFound(_ path: String) -> APIError {
        APIError(code: 404, reason: "NotFound", message: "the server could not find the requested resource",
                 details: ["causes": [["reason": "UnexpectedServerResponse", "message": .string("404 page not found: \(path)")]]])
    }

    public static func internalError(_ message: String) -> APIError {
        APIError(code: 500, reason: "InternalError", message: "Internal error occurred: \(message)")
    }
}
