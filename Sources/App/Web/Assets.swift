import Foundation
import Vapor

/// The stylesheet, read once at start-up and served under a name that changes with its
/// content, so browsers may keep it for a year.
public struct Assets: Sendable {
    public let css: String
    public let cssVersion: String

    public static func load(from resources: URL) throws -> Assets {
        let url = resources.appendingPathComponent("Public/site.css")
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw Abort(.internalServerError, reason: "The stylesheet \(url.path) is missing.")
        }
        let version = Secret.hash(String(decoding: data, as: UTF8.self)).prefix(12)
        return Assets(css: String(decoding: data, as: UTF8.self), cssVersion: String(version))
    }

    func stylesheetResponse() -> Response {
        var headers = HTTPHeaders()
        headers.contentType = HTTPMediaType(type: "text", subType: "css", parameters: ["charset": "utf-8"])
        headers.replaceOrAdd(name: .cacheControl, value: "public, max-age=31536000, immutable")
        return Response(status: .ok, headers: headers, body: .init(string: css))
    }
}
