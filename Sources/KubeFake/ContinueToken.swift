import Foundation
import KubeJSON

/// The opaque `continue` token of a paginated list. Like the real one it is base64 of JSON
/// naming the list's resourceVersion and the storage key to continue after.
struct ContinueToken: Equatable {
    var resourceVersion: Int64
    var startAfter: String

    var encoded: String {
        let json: JSONValue = ["v": "meta.k8s.io/v1", "rv": .int(resourceVersion), "start": .string(startAfter)]
        return base64URL(json.serialized())
    }

    init(resourceVersion: Int64, startAfter: String) {
        self.resourceVersion = resourceVersion
        self.startAfter = startAfter
    }

    init(decoding text: String) throws(APIError) {
        let invalid = APIError.badRequest("continue key is not valid: \(text.prefix(80))")
        guard let bytes = decodeBase64URL(text), let json = try? JSONValue.parse(bytes),
              json["v"]?.stringValue == "meta.k8s.io/v1", let rv = json["rv"]?.intValue,
              let start = json["start"]?.stringValue, rv > 0
        else { throw invalid }
        self.resourceVersion = rv
        self.startAfter = start
    }
}

/// base64url without padding (Go's `base64.RawURLEncoding`), via Foundation.
func base64URL(_ bytes: [UInt8]) -> String {
    Data(bytes).base64EncodedString()
        .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        .replacingOccurrences(of: "=", with: "")
}

func decodeBase64URL(_ text: String) -> [UInt8]? {
    var standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
    while standard.utf8.count % 4 != 0 { standard += "=" }
    return Data(base64Encoded: standard).map(Array.init)
}
