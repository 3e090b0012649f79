import Foundation
import NIOCore
import Vapor

/// Serves a file from disk with the conditional and range requests of RFC 9110 (§13, §14):
/// every download of the platform (document files, kept statistics files, dataset versions)
/// goes through here, so a resumed download or a cache check is answered the same everywhere.
enum FileResponse {
    /// What to answer, decided from the request's headers and the file's validators alone.
    enum Decision: Equatable {
        case whole
        /// Bytes `offset ..< offset + length`.
        case part(offset: Int64, length: Int64)
        case notModified
        case preconditionFailed
        case unsatisfiable
    }

    /// The file's validators: a strong ETag (modification time and size, as Vapor makes them)
    /// and the modification time.
    struct Validators {
        let etag: String
        let lastModified: Date
        let size: Int64
    }

    static func stream(_ req: Request, path: String, mediaType: HTTPMediaType) async throws -> Response {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              let size = (attributes[.size] as? NSNumber)?.int64Value,
              let modified = attributes[.modificationDate] as? Date
        else { throw Abort(.notFound) }
        let seconds = Int64(modified.timeIntervalSince1970.rounded(.down))
        let validators = Validators(etag: "\"\(seconds)-\(size)\"", lastModified: Date(timeIntervalSince1970: Double(seconds)), size: size)

        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .eTag, value: validators.etag)
        headers.lastModified = HTTPHeaders.LastModified(validators.lastModified)
        headers.replaceOrAdd(name: .acceptRanges, value: "bytes")

        let offset: Int64, length: Int64, partial: Bool
        switch decide(method: req.method, headers: req.headers, validators) {
        case .notModified:
            return Response(status: .notModified, headers: headers)
        case .preconditionFailed:
            return Response(status: .preconditionFailed, headers: headers)
        case .unsatisfiable:
            headers.replaceOrAdd(name: .contentRange, value: "bytes */\(size)")
            return Response(status: .rangeNotSatisfiable, headers: headers)
        case .whole:
            (offset, length, partial) = (0, size, false)
        case .part(let from, let count):
            (offset, length, partial) = (from, count, true)
            headers.replaceOrAdd(name: .contentRange, value: "bytes \(from)-\(from + count - 1)/\(size)")
        }
        headers.contentType = mediaType
        let response = Response(status: partial ? .partialContent : .ok, headers: headers)
        let fileio = req.fileio
        response.body = .init(asyncStream: { writer in
            do {
                let chunks = try await fileio.readFile(at: path, offset: offset, byteCount: Int(length))
                do {
                    for try await chunk in chunks { try await writer.writeBuffer(chunk) }
                    try? await chunks.closeHandle()
                } catch {
                    try? await chunks.closeHandle()
                    throw error
                }
                try await writer.write(.end)
            } catch {
                try? await writer.write(.error(error))
            }
        }, count: Int(length), byteBufferAllocator: req.byteBufferAllocator)
        return response
    }

    // MARK: - The rules

    /// RFC 9110 §13.2.2's order: If-Match, If-Unmodified-Since, If-None-Match, If-Modified-Since,
    /// then Range with If-Range.
    static func decide(method: HTTPMethod, headers: HTTPHeaders, _ file: Validators) -> Decision {
        let readOnly = method == .GET || method == .HEAD
        if let ifMatch = headers.first(name: .ifMatch) {
            if !matches(ifMatch, file.etag, weak: false) { return .preconditionFailed }
        } else if let since = headers.first(name: .ifUnmodifiedSince).flatMap(httpDate), file.lastModified > since {
            return .preconditionFailed
        }
        if let ifNoneMatch = headers.first(name: .ifNoneMatch) {
            if matches(ifNoneMatch, file.etag, weak: true) { return readOnly ? .notModified : .preconditionFailed }
        } else if readOnly, let since = headers.first(name: .ifModifiedSince).flatMap(httpDate), file.lastModified <= since {
            return .notModified
        }
        guard method == .GET, let range = headers.first(name: .range) else { return .whole }
        if let ifRange = headers.first(name: .ifRange), !rangeStillApplies(ifRange, file) { return .whole }
        return decideRange(range, size: file.size)
    }

    /// An If-Range names the representation the client holds a part of: a strong ETag that is
    /// ours, or exactly our Last-Modified date. Anything else (weak, stale, unreadable) means the
    /// client's part is of another file, so it gets the whole new one.
    static func rangeStillApplies(_ value: String, _ file: Validators) -> Bool {
        let value = value.trimmingCharacters(in: .whitespaces)
        if value.hasPrefix("\"") || value.hasPrefix("W/") { return value == file.etag }
        return httpDate(value) == file.lastModified
    }

    /// A `Range` header against a file of `size` bytes: a range of another unit, or one that
    /// cannot be read, is ignored (the whole file); ranges that overlap or touch are merged; more
    /// than one separate range is answered with the whole file rather than a multipart body;
    /// nothing satisfiable (`bytes=-0`, `bytes=5-2`, a start past the end) is 416.
    static func decideRange(_ header: String, size: Int64) -> Decision {
        let parts = header.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces).lowercased() == "bytes", size > 0 else { return .whole }
        let specs = parts[1].split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard !specs.isEmpty, specs.count <= 100 else { return .whole }
        var satisfiable: [ClosedRange<Int64>] = []
        for spec in specs {
            let ends = spec.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard ends.count == 2 else { return .whole }
            let (first, last) = (ends[0], ends[1])
            if first.isEmpty {
                // A suffix: the last N bytes, all of them when N is larger than the file.
                guard let count = number(last) else { return .whole }
                if count > 0 { satisfiable.append(max(0, size - count)...(size - 1)) }
            } else {
                guard let start = number(first) else { return .whole }
                let end: Int64
                if last.isEmpty { end = size - 1 } else {
                    guard let value = number(last) else { return .whole }
                    if value < start { continue }  // invalid (RFC 9110 §14.1.1): satisfies nothing
                    end = min(value, size - 1)
                }
                if start < size { satisfiable.append(start...end) }
            }
        }
        guard !satisfiable.isEmpty else { return .unsatisfiable }
        var merged: [ClosedRange<Int64>] = []
        for range in satisfiable.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if let previous = merged.last, range.lowerBound <= previous.upperBound + 1 {
                merged[merged.count - 1] = previous.lowerBound...max(previous.upperBound, range.upperBound)
            } else {
                merged.append(range)
            }
        }
        guard merged.count == 1, let only = merged.first else { return .whole }
        return .part(offset: only.lowerBound, length: only.upperBound - only.lowerBound + 1)
    }

    /// Digits only; a number past what a file can hold saturates instead of failing, so that
    /// "bytes=0-99999999999999999999" means "to the end".
    static func number(_ text: String) -> Int64? {
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        var value: Int64 = 0
        for digit in text.utf8 {
            let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (plus, overflow2) = times.addingReportingOverflow(Int64(digit - 0x30))
            if overflow1 || overflow2 { return Int64.max / 2 }
            value = plus
        }
        return value
    }

    /// `"a", W/"b"` or `*` against our strong ETag; weak comparison ignores the W/ prefix.
    static func matches(_ list: String, _ etag: String, weak: Bool) -> Bool {
        let trimmed = list.trimmingCharacters(in: .whitespaces)
        if trimmed == "*" { return true }
        for candidate in trimmed.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            if candidate.hasPrefix("W/") {
                if weak && String(candidate.dropFirst(2)) == etag { return true }
            } else if candidate == etag {
                return true
            }
        }
        return false
    }

    /// An IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"), as `Last-Modified` is written; nil
    /// for anything else.
    static func httpDate(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.date(from: text.trimmingCharacters(in: .whitespaces))
    }
}
