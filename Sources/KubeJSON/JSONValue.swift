/// A JSON document held generically, the way the real API server's storage layer and its
/// `unstructured.Unstructured` objects hold any resource: the fake never needs typed models,
/// and the client uses it for merge patches that must say `null` explicitly (deleting a
/// field) and for payloads without a typed model.
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
