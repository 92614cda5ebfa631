import Foundation

/// Why a request body is not JSON; the text goes into a 400 `Status`.
public struct JSONParseError: Error, Sendable, CustomStringConvertible {
    public var description: String
}

extension JSONValue {
    /// Parses bytes with Foundation's `JSONSerialization`, which rejects bad input with an
    /// error (never a trap) and limits nesting depth; it is two orders of magnitude faster
    /// than decoding this enum through `JSONDecoder`, which matters for bulk creates.
    public static func parse(_ bytes: some Collection<UInt8>) throws(JSONParseError) -> JSONValue {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
        } catch {
            let detail = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String
            throw JSONParseError(description: detail ?? "the data is not in the correct format")
        }
        return try convert(object)
    }

    public static func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        try parse(Array(text.utf8))
    }

    private static func convert(_ object: Any) throws(JSONParseError) -> JSONValue {
        switch object {
        case let string as String:
            return .string(string)
        case let number as NSNumber:
            // JSONSerialization makes booleans NSNumbers of type "c", integers "q"/"i", reals "d".
            switch String(cString: number.objCType) {
            case "c", "B": return .bool(number.boolValue)
            case "d", "f": return .double(number.doubleValue)
            default: return .int(number.int64Value)
            }
        case let array as [Any]:
            var elements: [JSONValue] = []
            elements.reserveCapacity(array.count)
            for element in array { elements.append(try convert(element)) }
            return .array(elements)
        case let dictionary as [String: Any]:
            var members: [String: JSONValue] = [:]
            members.reserveCapacity(dictionary.count)
            for (key, value) in dictionary { members[key] = try convert(value) }
            return .object(members)
        case is NSNull:
            return .null
        default:
            throw JSONParseError(description: "unexpected JSON value \(type(of: object))")
        }
    }
}
