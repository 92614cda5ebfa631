import Foundation

/// Why a watch stream could not be decoded.
public struct WatchDecodeError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        /// A line grew past the limit without a newline.
        case lineTooLong(limit: Int)
        /// A line was not a watch event (bad JSON, missing fields, unknown type).
        case malformedEvent(String)
        /// The stream ended in the middle of a line.
        case truncated
    }

    public var reason: Reason

    public var description: String {
        switch reason {
        case .lineTooLong(let limit): "watch event longer than \(limit) bytes"
        case .malformedEvent(let detail): "malformed watch event: \(detail)"
        case .truncated: "watch stream ended in the middle of an event"
        }
    }
}

/// Splits a watch response body into events.
///
/// The API server writes one JSON object per line (`application/json;stream=watch`), but the
/// transport delivers arbitrary chunks: a chunk may hold half an event or several. Bytes are
/// buffered until a newline completes a line; each complete line is decoded at once, so
/// events reach the informer as they arrive. Never traps: bad input is a `WatchDecodeError`.
public struct WatchEventDecoder<Object: KubeResource> {
    private var buffer: [UInt8] = []
    /// Index in `buffer` up to which no newline exists.
    private var scanned = 0
    public let maximumLineLength: Int
    private let decoder = JSONDecoder()

    public init(maximumLineLength: Int = 16 << 20) {
        self.maximumLineLength = maximumLineLength
    }

    /// Adds received bytes and returns the events completed by them, in order.
    public mutating func feed(_ bytes: some Collection<UInt8>) throws(WatchDecodeError) -> [WatchEvent<Object>] {
        buffer.append(contentsOf: bytes)
        var events: [WatchEvent<Object>] = []
        var lineStart = 0
        var index = scanned
        while index < buffer.count {
            if buffer[index] == UInt8(ascii: "\n") {
                if let event = try decodeLine(buffer[lineStart..<index]) { events.append(event) }
                lineStart = index + 1
            }
            index += 1
        }
        if lineStart > 0 { buffer.removeSubrange(0..<lineStart) }
        scanned = buffer.count
        if buffer.count > maximumLineLength {
            throw WatchDecodeError(reason: .lineTooLong(limit: maximumLineLength))
        }
        return events
    }

    /// Ends the stream: a last event without a trailing newline is decoded; a partial one
    /// is an error.
    public mutating func finish() throws(WatchDecodeError) -> [WatchEvent<Object>] {
        defer {
            buffer = []
            scanned = 0
        }
        guard !buffer.isEmpty else { return [] }
        do {
            return try decodeLine(buffer[...]).map { [$0] } ?? []
        } catch {
            throw WatchDecodeError(reason: .truncated)
        }
    }

    private func decodeLine(_ line: ArraySlice<UInt8>) throws(WatchDecodeError) -> WatchEvent<Object>? {
        if line.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\r") || $0 == UInt8(ascii: "\t") }) {
            return nil
        }
        do {
            return try decoder.decode(WatchEventEnvelope<Object>.self, from: Data(line)).event
        } catch let error as DecodingError {
            throw WatchDecodeError(reason: .malformedEvent(Self.describe(error)))
        } catch {
            throw WatchDecodeError(reason: .malformedEvent("\(error)"))
        }
    }

    static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, let context):
            "missing \(pathString(context.codingPath + [key]))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            "wrong type at \(pathString(context.codingPath))"
        case .dataCorrupted(let context):
            context.codingPath.isEmpty
                ? "not JSON" : "\(context.debugDescription) at \(pathString(context.codingPath))"
        @unknown default:
            "undecodable"
        }
    }

    static func pathString(_ path: [any CodingKey]) -> String {
        path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }
}
