/// Splits text made of JSON values written one after another (`{…}{…}` or one per line)
/// into the individual values, so each is read as its own document. YAML cannot read such
/// a stream whole, and a single JSON value is YAML, so each piece then goes to Yams.
enum JSONStreamSplitter {
    /// The values, or nil when the text does not start like JSON (then it is YAML) or the
    /// brackets never balance (Yams then reports the syntax error).
    static func values(in text: String) -> [Substring]? {
        var result: [Substring] = []
        var depth = 0
        var inString = false
        var escaped = false
        var start: String.Index?
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            if inString {
                if escaped { escaped = false }
                else if character == "\\" { escaped = true }
                else if character == "\"" { inString = false }
            } else if start == nil {
                if character == "{" || character == "[" {
                    start = index
                    depth = 1
                } else if !(character.isWhitespace || character == "\u{FEFF}") {
                    return nil
                }
            } else {
                switch character {
                case "\"": inString = true
                case "{", "[": depth += 1
                case "}", "]":
                    depth -= 1
                    if depth == 0, let first = start {
                        result.append(text[first...index])
                        start = nil
                    }
                default: break
                }
            }
            index = text.index(after: index)
        }
        guard start == nil, !result.isEmpty else { return nil }
        return result
    }
}
