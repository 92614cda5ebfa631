import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import Speaker

/// Reads a running speaker's `/status` (the metrics port, 7472 by default).
enum SpeakerStatusFetch {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// - Parameter base: `http://HOST:PORT` (a bare `HOST:PORT` is taken as http).
    static func report(from base: String) async throws -> SpeakerStatusReport {
        var url = base
        while url.hasSuffix("/") { url.removeLast() }
        if !url.contains("://") { url = "http://" + url }
        let response: HTTPClientResponse
        let body: ByteBuffer
        do {
            response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url + "/status"), timeout: .seconds(10))
            body = try await response.body.collect(upTo: 64 << 20)
        } catch {
            throw Failure(description: "\(url)/status: \(error)")
        }
        guard response.status == .ok else {
            throw Failure(description: "\(url)/status answered HTTP \(response.status.code)")
        }
        do {
            return try SpeakerStatusReport.decode(Array(body.readableBytesView))
        } catch {
            throw Failure(description: "\(url)/status is not a speaker status report: \(error)")
        }
    }
}
