import MultipartKit
import NIOCore
import Vapor

/// Reads multipart forms with MultipartKit, after checking the two things that make its parser
/// trap instead of throwing (which would take the whole process down with one request): a
/// boundary it cannot use, and a byte ≥ 0x80 where it reads a part's header name (it looks the
/// byte up in a 128-entry table). Such a body is a bad request (400). Registered for
/// `multipart/form-data` in `configure`, so every `req.content` read of a form goes through here.
struct CheckedFormDataDecoder: ContentDecoder {
    private let base = FormDataDecoder()

    func decode<D: Decodable>(_ decodable: D.Type, from body: ByteBuffer, headers: HTTPHeaders) throws -> D {
        try decode(D.self, from: body, headers: headers, userInfo: [:])
    }

    func decode<D: Decodable>(_ decodable: D.Type, from body: ByteBuffer, headers: HTTPHeaders, userInfo: [CodingUserInfoKey: any Sendable]) throws -> D {
        guard let boundary = headers.contentType?.parameters["boundary"], Self.isReadable(body, boundary: boundary) else {
            throw Abort(.badRequest, reason: "error.badForm")
        }
        return try base.decode(D.self, from: body, headers: headers, userInfo: userInfo)
    }

    /// Walks the body as MultipartKit's parser does and answers false if a header name holds a
    /// byte ≥ 0x80. The first delimiter is found with its own matcher (which also takes "--boundary"
    /// without a line end before it), the next ones are each "\r\n--boundary"; a delimiter followed
    /// by CR LF opens a block of "name: value" lines that ends with an empty line. Anything else
    /// that is malformed is left to MultipartKit, which throws.
    static func isReadable(_ body: ByteBuffer, boundary: String) -> Bool {
        // RFC 2046: 1 to 70 characters.
        guard (1...70).contains(boundary.utf8.count), boundary.utf8.allSatisfy({ (0x20...0x7E).contains($0) }) else { return false }
        let bytes = body.readableBytesView
        let delimiter = Array("\r\n--\(boundary)".utf8)
        let (cr, lf, colon): (UInt8, UInt8, UInt8) = (13, 10, 58)

        // The preamble, matched as MultipartKit matches it.
        var position = bytes.startIndex, matched = 0
        while matched < delimiter.count, position < bytes.endIndex {
            let byte = bytes[position]
            position += 1
            if matched == 0 && byte == delimiter[2] { matched = 3 }
            else if byte == delimiter[matched] { matched += 1 }
            else if matched > 0 && byte == cr { matched = 1 }
            else { matched = 0 }
        }
        guard matched == delimiter.count else { return true }

        while position + 1 < bytes.endIndex, bytes[position] == cr, bytes[position + 1] == lf {
            position += 2
            while position < bytes.endIndex, bytes[position] != cr {
                while position < bytes.endIndex, bytes[position] != colon {
                    if bytes[position] >= 0x80 { return false }
                    position += 1
                }
                guard let end = find([cr, lf], in: bytes, from: position) else { return true }
                position = end + 2
            }
            guard position + 1 < bytes.endIndex, bytes[position + 1] == lf,
                  let next = find(delimiter, in: bytes, from: position + 2) else { return true }
            position = next + delimiter.count
        }
        return true
    }

    private static func find(_ needle: [UInt8], in bytes: ByteBufferView, from start: Int) -> Int? {
        var index = start
        while index + needle.count <= bytes.endIndex {
            if bytes[index] == needle[0] && bytes[index..<index + needle.count].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }
}
