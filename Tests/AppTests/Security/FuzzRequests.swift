@testable import App
import Foundation
import PropertyBased
import Vapor

// MARK: - Requests

struct FuzzRequest: Sendable, CustomStringConvertible {
    static let csrf = "fuzz-csrf-token-0123456789abcdef"
    var method: String
    var target: [UInt8]
    var headers: [(String, String)]
    var body: [UInt8]

    /// The request on the wire, signed in with `session` (if any) and carrying the CSRF cookie.
    func bytes(session: String?) -> [UInt8] {
        var cookie = "\(CSRFMiddleware.cookieName(secure: false))=\(Self.csrf)"
        if let session { cookie += "; \(Sessions.cookieName)=\(session)" }
        var head = [("Host", "cpmg.test"), ("Connection", "close"), ("Cookie", cookie)] + headers
        if method != "GET" || !body.isEmpty { head.append(("Content-Length", String(body.count))) }
        var out = Array("\(method) ".utf8) + target + Array(" HTTP/1.1\r\n".utf8)
        for (name, value) in head { out += Array("\(name): \(value)\r\n".utf8) }
        return out + Array("\r\n".utf8) + body
    }

    /// Whether an HTTP/1.1 parser can read the request at all (a target of visible ASCII, header
    /// values without control characters, a head within NIO's 80 kB) and the server must read all
    /// of its body (not over the 1 MB form limit). A server may close the connection on anything
    /// else without an answer (Vapor does, and a 413 sent before the body is read can be lost to
    /// the reset); the health check that follows every batch shows it is still alive.
    var isWellFormed: Bool {
        let head = target.count + headers.reduce(0) { $0 + $1.0.utf8.count + $1.1.utf8.count + 4 }
        return head < 75_000 && body.count <= 1_000_000 && target.allSatisfy { (0x21...0x7E).contains($0) }
            && headers.allSatisfy { $0.1.unicodeScalars.allSatisfy { $0 == "\t" || (0x20...0x7E).contains($0.value) } }
    }

    var description: String {
        func shown(_ bytes: [UInt8], _ limit: Int) -> String {
            let text = String(decoding: bytes.prefix(limit), as: UTF8.self).debugDescription
            return bytes.count > limit ? "\(text)… (\(bytes.count) bytes)" : text
        }
        return "  \(method) \(shown(target, 300))\n  headers: \(headers)\n  body: \(shown(body, 600))"
    }
}

/// Makes the requests of one route from a seeded generator.
struct FuzzRequestBuilder {
    let route: Route
    let key: String
    let world: FuzzWorld

    var inputs: FuzzTests.Inputs { FuzzTests.inputs[key] ?? FuzzTests.Inputs(form: route.method == .POST ? FuzzTests.allFields : []) }

    func make(_ rng: inout Xoshiro) -> FuzzRequest {
        var request = FuzzRequest(method: route.method.rawValue, target: path(&rng), headers: [], body: [])
        if route.method == .GET || Int.random(in: 0..<5, using: &rng) == 0 {
            let query = pairs(names: inputs.query + ["lang"], query: true, &rng)
            if !query.isEmpty || Bool.random(using: &rng) { request.target += [UInt8(ascii: "?")] + query }
        }
        if route.method == .GET { headers(&request, &rng) } else { body(&request, &rng) }
        return request
    }

    // MARK: Path

    private func path(_ rng: inout Xoshiro) -> [UInt8] {
        var out: [UInt8] = []
        for component in route.path {
            out.append(UInt8(ascii: "/"))
            switch component {
            case .constant(let text):
                out += Array(text.utf8)
            case .parameter(let name):
                let valid = world.pathValues(name, key: key)
                if !valid.isEmpty && Int.random(in: 0..<10, using: &rng) < 6 {
                    out += Array(valid.randomElement(using: &rng)!.utf8)
                } else {
                    // A segment cannot hold "/", "?" or "#" unescaped (that would be another route or a query).
                    let junk = FuzzGen.value.run(using: &rng)
                    out += junk.urlEncoded.prefix(20_000).filter { ![UInt8(ascii: "/"), UInt8(ascii: "?"), UInt8(ascii: "#"), UInt8(ascii: " ")].contains($0) }
                }
            case .anything, .catchall:
                out += FuzzGen.value.run(using: &rng).urlEncoded.prefix(20_000).filter { $0 != UInt8(ascii: "?") && $0 != UInt8(ascii: " ") }
            }
        }
        return out.isEmpty ? [UInt8(ascii: "/")] : out
    }

    // MARK: Fields

    /// Names and values. Half the time every field is there with a value it accepts but one or
    /// two, so that the request gets past the first check to the code behind it; otherwise any
    /// field may be missing, repeated or sent as an array, with values from anywhere, and names
    /// nobody reads come along.
    private func fields(names: [String], _ rng: inout Xoshiro) -> [(name: FuzzValue, value: FuzzValue)] {
        var out: [(name: FuzzValue, value: FuzzValue)] = []
        if !names.isEmpty && Bool.random(using: &rng) {
            let odd = Set((0..<Int.random(in: 1...2, using: &rng)).map { _ in Int.random(in: 0..<names.count, using: &rng) })
            for (index, name) in names.enumerated() {
                let plausible = FuzzTests.plausible(name, world)
                let value = odd.contains(index) ? FuzzGen.value.run(using: &rng) : .text(plausible.randomElement(using: &rng) ?? "Border data 2020")
                out.append((.text(name), value))
            }
            return out
        }
        for name in names where Int.random(in: 0..<10, using: &rng) < 8 {
            let plausible = FuzzTests.plausible(name, world)
            let value = !plausible.isEmpty && Bool.random(using: &rng) ? FuzzValue.text(plausible.randomElement(using: &rng)!) : FuzzGen.value.run(using: &rng)
            var fieldName = name
            if !name.hasSuffix("[]") && Int.random(in: 0..<8, using: &rng) == 0 { fieldName += "[]" }
            out.append((.text(fieldName), value))
            if Int.random(in: 0..<8, using: &rng) == 0 { out.append((.text(fieldName), FuzzGen.value.run(using: &rng))) }
        }
        for _ in 0..<Int.random(in: 0...2, using: &rng) { out.append((FuzzGen.name.run(using: &rng), FuzzGen.value.run(using: &rng))) }
        out.shuffle(using: &rng)
        return out
    }

    /// A query string or url-encoded body. In a query string, a value is cut to 20 kB: the whole
    /// request head has to stay within the HTTP parser's 80 kB to reach the application at all.
    private func pairs(names: [String], query: Bool, _ rng: inout Xoshiro) -> [UInt8] {
        let separator: [UInt8] = Int.random(in: 0..<12, using: &rng) == 0 ? Array(";".utf8) : [UInt8(ascii: "&")]
        var parts = fields(names: names, &rng).map { field -> [UInt8] in
            let value = query ? Array(field.value.urlEncoded.prefix(20_000)) : field.value.urlEncoded
            return Int.random(in: 0..<15, using: &rng) == 0 ? field.name.urlEncoded : field.name.urlEncoded + [UInt8(ascii: "=")] + value
        }
        if Int.random(in: 0..<15, using: &rng) == 0 { parts.append([]) }
        return parts.enumerated().reduce(into: [UInt8]()) { out, part in out += (part.offset == 0 ? [] : separator) + part.element }
    }

    private func body(_ request: inout FuzzRequest, _ rng: inout Xoshiro) {
        let csrfInHeader = Int.random(in: 0..<10, using: &rng) > 0
        if csrfInHeader { request.headers.append(("X-CSRF-Token", FuzzRequest.csrf)) }
        var names = inputs.form
        if !csrfInHeader { names.append("_csrf") }
        switch Int.random(in: 0..<20, using: &rng) {
        case 0..<11:
            request.headers.append(("Content-Type", Int.random(in: 0..<10, using: &rng) == 0 ? "application/x-www-form-urlencoded; charset=iso-8859-1" : "application/x-www-form-urlencoded"))
            request.body = pairs(names: names, query: false, &rng)
            if !csrfInHeader { request.body += Array("&_csrf=\(FuzzRequest.csrf)".utf8) }
        case 11..<18:
            multipart(&request, names: names, &rng, csrf: !csrfInHeader)
        case 18:
            // A body that is not what it says it is.
            let types = ["application/json", "text/plain", "application/octet-stream", "multipart/form-data", "multipart/form-data; boundary=\"\"",
                         "application/x-www-form-urlencoded", "image/png"]
            request.headers.append(("Content-Type", types.randomElement(using: &rng)!))
            request.body = FuzzGen.value.run(using: &rng).raw + [0xFF, 0x00, 0x7B]
        default:
            // Compressed, or said to be.
            request.headers.append(("Content-Type", "application/x-www-form-urlencoded"))
            request.headers.append(("Content-Encoding", ["gzip", "deflate", "br", "gzip, gzip"].randomElement(using: &rng)!))
            request.body = [0x1F, 0x8B, 0x08, 0x00] + FuzzGen.value.run(using: &rng).raw
        }
    }

    private func multipart(_ request: inout FuzzRequest, names: [String], _ rng: inout Xoshiro, csrf: Bool) {
        let boundary = "cpmgfuzz\(UInt32.random(in: 0...UInt32.max, using: &rng))"
        request.headers.append(("Content-Type", "multipart/form-data; boundary=\(boundary)"))
        var body: [UInt8] = []
        func part(_ disposition: [UInt8], type: String? = nil, _ content: [UInt8]) {
            body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"".utf8) + disposition
            body += Array((type.map { "\r\nContent-Type: \($0)" } ?? "").utf8) + Array("\r\n\r\n".utf8) + content + Array("\r\n".utf8)
        }
        for field in fields(names: names, &rng) {
            part(field.name.raw.filter { $0 != UInt8(ascii: "\"") } + [UInt8(ascii: "\"")], field.value.raw)
        }
        for name in inputs.files where Bool.random(using: &rng) {
            let filename = FuzzGen.value.run(using: &rng).raw.filter { $0 != UInt8(ascii: "\"") && $0 != 13 && $0 != 10 }
            let type = ["text/csv", "application/pdf", "application/octet-stream", "text/plain; charset=utf-16"].randomElement(using: &rng)!
            part(Array("\(name)\"; filename=\"".utf8) + filename + [UInt8(ascii: "\"")], type: type, FuzzGen.fileContent.run(using: &rng))
        }
        if csrf { part(Array("_csrf\"".utf8), Array(FuzzRequest.csrf.utf8)) }
        // Now and then the closing delimiter is missing: an upload cut short.
        if Int.random(in: 0..<12, using: &rng) > 0 { body += Array("--\(boundary)--\r\n".utf8) }
        request.body = body
    }

    // MARK: Headers

    /// Headers that GET handlers read: language, ranges and validators for downloads.
    private func headers(_ request: inout FuzzRequest, _ rng: inout Xoshiro) {
        guard Int.random(in: 0..<3, using: &rng) == 0 else { return }
        let choices: [(String, [String])] = [
            ("Accept-Language", ["*", "xx", "es-419;q=NaN", "fr;q=2, nl;q=-1", "en;q=1e400", String(repeating: "a,", count: 2_000)]),
            ("Range", ["bytes=-0", "bytes=0-", "bytes=0-0", "bytes=5-1", "bytes=99999999999999999999-", "bytes=-99999999999999999999",
                       "bytes=0-0,1-1,2-2", "bytes=x-y", "items=0-1", "bytes=9223372036854775807-", "bytes=-9223372036854775808"]),
            ("If-None-Match", ["*", "\"x\"", "W/\"\"", "\u{7F}"]),
            ("If-Range", ["\"x\"", "Thu, 01 Jan 1970 00:00:00 GMT", "garbage"]),
            ("If-Modified-Since", ["Thu, 01 Jan 1970 00:00:00 GMT", "Fri, 31 Dec 99999 23:59:59 GMT", "yesterday"]),
        ]
        let (name, values) = choices.randomElement(using: &rng)!
        request.headers.append((name, values.randomElement(using: &rng)!))
    }
}
