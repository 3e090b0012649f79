import Foundation
import NIOCore
import NIOEmbedded
import NIOHTTP1
import NIOHTTPCompression
import Vapor

/// Inflates a compressed request body (`Content-Encoding: gzip` or `deflate`) before anything
/// reads it, never past the size the route accepts: 413 beyond it, 400 when it does not inflate,
/// 415 for other codings. The server's own decompressor is switched off because it can only
/// refuse a body by closing the connection, so the sender never learns why. (Multipart bodies
/// that would make MultipartKit trap are refused by `CheckedFormDataDecoder`.)
struct RequestBodyMiddleware: AsyncMiddleware {
    let maxBodySize: ByteCount
    /// Multipart forms carry files and may be larger.
    let maxUploadSize: ByteCount

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if let coding = request.headers.first(name: .contentEncoding)?.trimmingCharacters(in: .whitespaces).lowercased(),
           !coding.isEmpty, coding != "identity", [.POST, .PUT, .PATCH, .DELETE].contains(request.method) {
            try await inflate(request, coding: coding)
        }
        return try await next.respond(to: request)
    }

    private func inflate(_ request: Request, coding: String) async throws {
        guard let algorithm = ["gzip": "gzip", "x-gzip": "gzip", "deflate": "deflate"][coding] else {
            throw Abort(.unsupportedMediaType, reason: "error.badRequest")
        }
        let multipart = request.headers.contentType?.type == "multipart"
        let limit = multipart ? maxUploadSize.value : maxBodySize.value
        let tooLarge = Abort(.payloadTooLarge, reason: multipart ? "error.uploadTooLarge" : "error.tooLarge")
        let compressed: ByteBuffer
        do {
            compressed = try await request.body.collect(max: limit).get() ?? ByteBuffer()
        } catch let error as any AbortError where error.status == .payloadTooLarge {
            throw tooLarge
        } catch {
            throw Abort(.badRequest, reason: "error.badForm")
        }
        let inflated: ByteBuffer
        do {
            inflated = try Self.inflate(compressed, algorithm: algorithm, limit: limit)
        } catch NIOHTTPDecompression.DecompressionError.limit {
            throw tooLarge
        } catch {
            throw Abort(.badRequest, reason: "error.badForm")
        }
        guard inflated.readableBytes <= limit else { throw tooLarge }
        request.headers.remove(name: .contentEncoding)
        request.headers.replaceOrAdd(name: .contentLength, value: String(inflated.readableBytes))
        try request.content.encode(Empty(), using: Replacement(body: inflated))
    }

    /// Inflates with NIO's decompressor on a channel of its own: at most `limit` bytes come out,
    /// however small the input.
    static func inflate(_ compressed: ByteBuffer, algorithm: String, limit: Int) throws -> ByteBuffer {
        let channel = EmbeddedChannel()
        defer { _ = try? channel.finish(acceptAlreadyClosed: true) }
        try channel.pipeline.syncOperations.addHandler(NIOHTTPRequestDecompressor(limit: .size(limit)))
        var head = HTTPRequestHead(version: .http1_1, method: .POST, uri: "/")
        head.headers.add(name: "Content-Encoding", value: algorithm)
        var out = ByteBuffer()
        func drain() throws {
            try channel.throwIfErrorCaught()
            while let part = try channel.readInbound(as: HTTPServerRequestPart.self) {
                if case .body(var chunk) = part { out.writeBuffer(&chunk) }
            }
        }
        try channel.writeInbound(HTTPServerRequestPart.head(head))
        try channel.writeInbound(HTTPServerRequestPart.body(compressed))
        try drain()
        try channel.writeInbound(HTTPServerRequestPart.end(nil))
        try drain()
        return out
    }

    private struct Empty: Encodable {}

    /// Puts the inflated bytes where the compressed ones were, leaving the headers as they are.
    private struct Replacement: ContentEncoder {
        let body: ByteBuffer
        func encode<E: Encodable>(_ encodable: E, to body: inout ByteBuffer, headers: inout HTTPHeaders) throws {
            body.writeImmutableBuffer(self.body)
        }
    }
}
