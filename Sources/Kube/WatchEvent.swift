/// One event of a watch stream (`metav1.WatchEvent`).
public enum WatchEvent<Object: KubeResource>: Sendable {
    case added(Object)
    case modified(Object)
    case deleted(Object)
    /// A progress marker: nothing changed up to `resourceVersion`; watches resume from it.
    case bookmark(resourceVersion: String)
    /// The server ended the watch with a `Status` (410 Expired when the resourceVersion
    /// is older than its history).
    case error(StatusObject)
}

/// Decodes one line of a watch stream: `{"type": …, "object": …}`.
///
/// The object is decoded according to the type: a BOOKMARK carries only
/// `metadata.resourceVersion`, an ERROR a `Status`, so neither is decoded as `Object`.
struct WatchEventEnvelope<Object: KubeResource>: Decodable {
    let event: WatchEvent<Object>

    private enum CodingKeys: String, CodingKey { case type, object }

    private struct Bookmark: Decodable {
        struct Metadata: Decodable { var resourceVersion: String? }
        var metadata: Metadata?
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let type = try container.decode(String.self, forKey: .type)
        switch type {
        case "ADDED": event = .added(try container.decode(Object.self, forKey: .object))
        case "MODIFIED": event = .modified(try container.decode(Object.self, forKey: .object))
        case "DELETED": event = .deleted(try container.decode(Object.self, forKey: .object))
        case "BOOKMARK":
            let bookmark = try container.decode(Bookmark.self, forKey: .object)
            event = .bookmark(resourceVersion: bookmark.metadata?.resourceVersion ?? "")
        case "ERROR": event = .error(try container.decode(StatusObject.self, forKey: .object))
        default:
            throw DecodingError.dataCorruptedError(
                forKey: .type,
                in: container,
                debugDescription: "unknown watch event type \"\(type)\""
            )
        }
    }
}
