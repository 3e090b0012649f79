import Charts
import Foundation
import Vapor

/// The stylesheet (site.css and the charts' rules), read once at start-up and served under a name that changes with its
/// content, so browsers may keep it for a year.
public struct Assets: Sendable {
    public let css: String
    public let cssVersion: String

    public static func load(from resources: URL) throws -> Assets {
        let url = resources.appendingPathComponent("Public/site.css")
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw Abort(.internalServerError, reason: "The stylesheet \(url.path) is missing.")
        }
        // The charts' rules come from the Charts library, so they always match the SVG it writes.
        let css = String(decoding: data, as: UTF8.self) + "\n/* Charts */\n" + Charts.stylesheet + "\n"
        return Assets(css: css, cssVersion: String(Secret.hash(css).prefix(12)))
    }

    func stylesheetResponse() -> Response {
        var headers = HTTPHeaders()
        headers.contentType = HTTPMediaType(type: "text", subType: "css", parameters: ["charset": "utf-8"])
        headers.replaceOrAdd(name: .cacheControl, value: "public, max-age=31536000, immutable")
        return Response(status: .ok, headers: headers, body: .init(string: css))
    }
}
