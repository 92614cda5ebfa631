import Foundation

/// A JSON document held generically, the way the real API server's storage layer and its
/// `unstructured.Unstructured` objects hold any resource: the fake never needs typed models.
///
/// Integers and floating-point numbers are kept apart so that a port `80` written by a client
/// reads back as `80`, never `80.0` (Go's `encoding/json` would reject `80.0` for an int field).
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    // MARK: Access

    /// The member `key` of an object, or `nil` for other values and missing members.
    /// Setting on a non-object does nothing; setting `nil` removes the member.
    public subscript(key: String) -> JSONValue? {
        get {
            if case .object(let members) = self { return members[key] }
            return nil
        }
        set {
            guard case .object(var members) = self else { return }
            self = .null  // drop our reference so `members` is mutated in place, not copied
            members[key] = newValue
            self = .object(members)
        }
    }

    /// The value at a path of object keys (`["metadata", "name"]`). Setting creates missing
    /// intermediate objects (replacing non-objects on the way); setting `nil` removes the leaf.
    public subscript(path path: [String]) -> JSONValue? {
        get {
            var current: JSONValue? = self
            for key in path { current = current?[key] }
            return current
        }
        set { set(newValue, at: path[...]) }
    }

    private mutating func set(_ value: JSONValue?, at path: ArraySlice<String>) {
        guard let first = path.first else {
            if let value { self = value }
            return
        }
        guard case .object(var members) = self else { return }
        self = .null
        if path.count == 1 {
            members[first] = value
        } else if value != nil || members[first] != nil {
            var child = members.removeValue(forKey: first) ?? .object([:])
            if !child.isObject { child = .object([:]) }
            child.set(value, at: path.dropFirst())
            members[first] = child
        }
        self = .object(members)
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var intValue: Int64? {
        switch self {
        case .int(let i): return i
        case .double(let d) where d.rounded() == d && abs(d) < 9.0e15: return Int64(d)
        default: return nil
        }
    }

    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    public var objectValue: [String: JSONValue]? {
        if case .object(let o) = self { return o }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    public var isObject: Bool { objectValue != nil }

    /// Builds a value from Swift literals-like values: `[String: JSONValue]` etc. are easier with
    /// the `ExpressibleBy…Literal` conformances below.
    public static func from(_ dictionary: [String: JSONValue]) -> JSONValue { .object(dictionary) }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral, ExpressibleByFloatLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
    public init(nilLiteral: ()) { self = .null }
    public init(floatLiteral value: Double) { self = .double(value) }
}

// MARK: - Parsing

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

// MARK: - Serialising

extension JSONValue {
    /// Compact JSON with object keys sorted (stable output makes lists and tests reproducible).
    ///
    /// Written by hand rather than through `JSONEncoder` because lists of thousands of objects
    /// are serialised on every page and this path is several times faster; the stored bytes of
    /// each object are cached by `ObjectStore`, so each object is serialised once per write.
    public func serialized() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(into: &out)
        return out
    }

    public var jsonText: String { String(decoding: serialized(), as: UTF8.self) }

    public func write(into out: inout [UInt8]) {
        switch self {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .int(let i): out.append(contentsOf: String(i).utf8)
        case .double(let d):
            if d.isFinite {
                if d.rounded() == d && abs(d) < 1e15 {
                    out.append(contentsOf: String(Int64(d)).utf8)
                } else {
                    out.append(contentsOf: "\(d)".utf8)
                }
            } else {
                out.append(contentsOf: "null".utf8)
            }
        case .string(let s): Self.writeString(s, into: &out)
        case .array(let elements):
            out.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                element.write(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            for (index, key) in members.keys.sorted().enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                Self.writeString(key, into: &out)
                out.append(UInt8(ascii: ":"))
                members[key]!.write(into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    static func writeString(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [92, 34])
            case UInt8(ascii: "\\"): out.append(contentsOf: [92, 92])
            case 0x0A: out.append(contentsOf: [92, UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [92, UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [92, UInt8(ascii: "t")])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: [92, UInt8(ascii: "u"), 48, 48, hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
