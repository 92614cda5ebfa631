import Foundation

/// A core/v1 Secret. `data` values are base64 on the wire and bytes here (JSONDecoder's
/// default `Data` strategy is base64); a value that is not valid base64 fails decoding with
/// a `DecodingError` rather than being silently dropped. The memberlist key lives in one.
public struct Secret: KubeResource, Equatable {
    public static let apiVersion = "v1"
    public static let kind = "Secret"
    public static let plural = "secrets"
    public static let namespaced = true

    public var apiVersion: String? = Secret.apiVersion
    public var kind: String? = Secret.kind
    public var metadata: ObjectMeta
    public var type: String?
    public var data: [String: Data]?
    /// Write-only convenience field of the API: the server merges it into `data`.
    public var stringData: [String: String]?

    public init(metadata: ObjectMeta, type: String? = nil, data: [String: Data]? = nil) {
        self.metadata = metadata
        self.type = type
        self.data = data
    }
}
