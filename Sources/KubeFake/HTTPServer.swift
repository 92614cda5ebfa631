import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// The HTTP/1.1 listener: NIO's HTTP codec behind an optional TLS handler, one task per
/// connection reading requests in order and answering each through `KubeFakeAPI`. Watch
/// responses are chunked, one JSON event per chunk, each written and flushed as it happens.
final class HTTPServer: Sendable {
    typealias Connection = NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>

    /// Requests larger than this are refused with 413 (the real server's limit is 3 MiB).
    static let maximumBodySize = 8 * 1024 * 1024

    let localAddress: SocketAddress
    private let listener: any Channel
    private let acceptTask: Task<Void, Never>

    private init(localAddress: SocketAddress, listener: any Channel, acceptTask: Task<Void, Never>) {
        self.localAddress = localAddress
        self.listener = listener
        self.acceptTask = acceptTask
    }

    static func start(
        host: String, port: Int, tls: NIOSSLContext?, api: KubeFakeAPI, logger: Logger
    ) async throws -> HTTPServer {
        let serverChannel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 256)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .bind(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls { try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls)) }
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    return try Connection(wrappingChannelSynchronously: channel)
                }
            }
        guard let localAddress = serverChannel.channel.localAddress else {
            throw IOError(errnoCode: 22, reason: "listener has no local address")
        }
        let listener = serverChannel.channel
        let acceptTask = Task {
            do {
                try await withThrowingDiscardingTaskGroup { group in
                    try await serverChannel.executeThenClose { connections in
                        for try await connection in connections {
                            group.addTask { await serve(connection, api: api, logger: logger) }
                        }
                    }
                }
            } catch {
                logger.debug("listener ended", metadata: ["kubefake.error": "\(error)"])
            }
        }
        return HTTPServer(localAddress: localAddress, listener: listener, acceptTask: acceptTask)
    }

    /// Closes the listener and every connection (the accept task's children are cancelled).
    func shutdown() async {
        try? await listener.close()
        acceptTask.cancel()
        await acceptTask.value
    }

    private static func serve(_ connection: Connection, api: KubeFakeAPI, logger: Logger) async {
        let channel = connection.channel
        do {
            try await connection.executeThenClose { inbound, outbound in
                var head: HTTPRequestHead?
                var body: [UInt8] = []
                var tooLarge = false
                for try await part in inbound {
                    switch part {
                    case .head(let requestHead):
                        head = requestHead
                        body = []
                        tooLarge = false
                    case .body(let buffer):
                        if body.count + buffer.readableBytes > maximumBodySize {
                            tooLarge = true
                            body = []
                        } else if !tooLarge {
                            body.append(contentsOf: buffer.readableBytesView)
                        }
                    case .end:
                        guard let requestHead = head else { continue }
                        head = nil
                        var headers: [String: String] = [:]
                        for (name, value) in requestHead.headers { headers[name.lowercased()] = value }
                        let request = APIRequest(method: requestHead.method.rawValue, target: requestHead.uri,
                                                 headers: headers, body: body)
                        body = []
                        let response = tooLarge
                            ? APIResponse.error(APIError(code: 413, reason: "RequestEntityTooLarge",
                                                         message: "the request body is larger than \(maximumBodySize) bytes"))
                            : await api.handle(request)
                        logger.trace("request", metadata: [
                            "kubefake.method": "\(request.method)", "kubefake.path": "\(request.path)",
                            "kubefake.status": "\(response.statusCode)",
                        ])
                        let keepAlive = requestHead.isKeepAlive
                        switch response {
                        case .full(let status, let contentType, let bytes):
                            var responseHeaders = HTTPHeaders()
                            responseHeaders.add(name: "Content-Type", value: contentType)
                            responseHeaders.add(name: "Content-Length", value: String(bytes.count))
                            responseHeaders.add(name: "Cache-Control", value: "no-cache, private")
                            if !keepAlive { responseHeaders.add(name: "Connection", value: "close") }
                            try await outbound.write(.head(HTTPResponseHead(
                                version: requestHead.version, status: HTTPResponseStatus(statusCode: status),
                                headers: responseHeaders)))
                            if requestHead.method != .HEAD, !bytes.isEmpty {
                                try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: bytes))))
                            }
                            // Not `return` on `Connection: close`: leaving closes the channel at once and
                            // would cut a large body still queued; the client closes after reading it.
                            try await outbound.write(.end(nil))
                        case .watch(let stream):
                            var responseHeaders = HTTPHeaders()
                            responseHeaders.add(name: "Content-Type", value: "application/json")
                            responseHeaders.add(name: "Cache-Control", value: "no-cache, private")
                            responseHeaders.add(name: "Transfer-Encoding", value: "chunked")
                            try await outbound.write(.head(HTTPResponseHead(
                                version: requestHead.version, status: .ok, headers: responseHeaders)))
                            // A client that goes away ends its watch at once, not at the next event.
                            let id = stream.id
                            channel.closeFuture.whenComplete { _ in
                                Task { await api.finishWatcher(id) }
                            }
                            var aborted = false
                            for await chunk in stream.chunks {
                                switch chunk {
                                case .event(let bytes):
                                    await api.pauseGate.wait()
                                    try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: bytes))))
                                case .abort:
                                    aborted = true
                                }
                                if aborted { break }
                            }
                            if aborted || Task.isCancelled {
                                try? await channel.close()
                                return
                            }
                            try await outbound.write(.end(nil))
                        }
                    }
                }
            }
        } catch {
            logger.trace("connection ended", metadata: ["kubefake.error": "\(error)"])
        }
    }
}
