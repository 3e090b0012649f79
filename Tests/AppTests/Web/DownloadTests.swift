@testable import App
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

/// Ranges and conditional requests (RFC 9110 §13–14) on every kind of file the platform serves.
@Suite("Downloads: ranges and conditional requests")
struct DownloadTests {
    /// A downloadable file: where it is, and what it holds.
    struct Served {
        let path: String
        let body: String
    }

    /// A document with a text file, and a dataset's whole download once it is kept as a file.
    static func files(_ app: Application) async throws -> [Served] {
        let editor = try await Fixtures.user(app, email: "editor@example.org", role: .editor)
        let text = "0123456789abcdefghijklmnopqrstuvwxyz"
        let document = try await DocumentFixtures.document(app, title: "Ranges", body: text, by: editor)
        try await StatisticsSeed.dataset(slug: "ranges", title: "Ranges", description: "", source: "Test", url: "", licence: "CC BY 4.0", caveats: "",
                                         observations: [.init(indicator: "SM.POP.NETM", area: "JM", year: 1950, value: -1.25, note: "", age: "")],
                                         db: app.db, now: Date())
        let browser = TestBrowser(app)
        let csv = try await browser.get("/statistics/datasets/ranges/data.csv")
        #expect(csv.status == .ok)
        let kept = try await browser.get("/statistics/datasets/ranges/data.csv")
        #expect(kept.headers.first(name: .eTag) != nil, "the second download comes from the kept file")
        return [Served(path: "/documents/\(document.id!.uuidString)/file", body: text), Served(path: "/statistics/datasets/ranges/data.csv", body: csv.text)]
    }

    static func get(_ app: Application, _ path: String, _ headers: [(String, String)]) async throws -> TestingHTTPResponse {
        var fields = HTTPHeaders()
        for (name, value) in headers { fields.add(name: name, value: value) }
        return try await TestBrowser(app).get(path, headers: fields)
    }

    @Test("Ranges: one range, suffixes, overlaps and huge numbers are answered by the rules; impossible ones are 416", arguments: TestDatabase.all)
    func ranges(database: TestDatabase) async throws {
        try await withApp(database) { app in
            for file in try await Self.files(app) {
                let size = file.body.utf8.count
                let body = Array(file.body.utf8)
                func expectPartial(_ range: String, _ from: Int, _ to: Int, sourceLocation: SourceLocation = #_sourceLocation) async throws {
                    let response = try await Self.get(app, file.path, [("Range", range)])
                    #expect(response.status == .partialContent, "\(range) on \(file.path)", sourceLocation: sourceLocation)
                    #expect(response.headers.first(name: .contentRange) == "bytes \(from)-\(to)/\(size)", "\(range) on \(file.path)", sourceLocation: sourceLocation)
                    #expect(Array(response.body.readableBytesView) == Array(body[from...to]), "\(range) on \(file.path)", sourceLocation: sourceLocation)
                }
                func expectWhole(_ range: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
                    let response = try await Self.get(app, file.path, [("Range", range)])
                    #expect(response.status == .ok, "\(range) on \(file.path)", sourceLocation: sourceLocation)
                    #expect(response.text == file.body, "\(range) on \(file.path)", sourceLocation: sourceLocation)
                }
                func expectUnsatisfiable(_ range: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
                    let response = try await Self.get(app, file.path, [("Range", range)])
                    #expect(response.status == .rangeNotSatisfiable, "\(range) on \(file.path): \(response.status)", sourceLocation: sourceLocation)
                    #expect(response.headers.first(name: .contentRange) == "bytes */\(size)", "\(range) on \(file.path)", sourceLocation: sourceLocation)
                }
                try await expectPartial("bytes=0-4", 0, 4)
                try await expectPartial("bytes=5-", 5, size - 1)
                try await expectPartial("bytes=-3", size - 3, size - 1)
                try await expectPartial("bytes=-\(size + 10)", 0, size - 1)
                try await expectPartial("bytes=2-\(size + 100)", 2, size - 1)
                try await expectPartial("bytes=0-99999999999999999999999999", 0, size - 1)
                try await expectPartial("bytes=-99999999999999999999999999", 0, size - 1)
                try await expectPartial("Bytes=1-2", 1, 2)
                // overlapping or touching ranges are one range
                try await expectPartial("bytes=0-4,2-8", 0, 8)
                try await expectPartial("bytes=0-4,5-9", 0, 9)
                try await expectPartial("bytes=3-5, 3-5", 3, 5)
                // several separate ranges: the whole file
                try await expectWhole("bytes=0-1,4-5")
                try await expectWhole("bytes=0-1,-2")
                // not a byte range, or not a range at all: ignored
                try await expectWhole("items=0-4")
                try await expectWhole("bytes=abc")
                try await expectWhole("bytes=1-2-3")
                try await expectWhole("bytes=")
                // nothing of the file is asked for
                try await expectUnsatisfiable("bytes=-0")
                try await expectUnsatisfiable("bytes=5-2")
                try await expectUnsatisfiable("bytes=\(size)-")
                try await expectUnsatisfiable("bytes=\(size + 5)-\(size + 9)")
                try await expectUnsatisfiable("bytes=99999999999999999999999999-")
                try await expectUnsatisfiable("bytes=99999999999999999999999999-99999999999999999999999999")
                try await expectUnsatisfiable("bytes=-0,-0")
            }
        }
    }

    @Test("Conditional requests: If-None-Match, If-Modified-Since, If-Range and If-Match", arguments: TestDatabase.all)
    func conditionals(database: TestDatabase) async throws {
        try await withApp(database) { app in
            for file in try await Self.files(app) {
                let plain = try await Self.get(app, file.path, [])
                let etag = try #require(plain.headers.first(name: .eTag))
                let modified = try #require(plain.headers.first(name: .lastModified))
                #expect(plain.headers.first(name: .acceptRanges) == "bytes")
                // the browser's copy is current
                for value in ["*", etag, "\"other\", \(etag)", "W/\(etag)"] {
                    let response = try await Self.get(app, file.path, [("If-None-Match", value)])
                    #expect(response.status == .notModified, "If-None-Match: \(value) on \(file.path): \(response.status)")
                    #expect(response.body.readableBytes == 0)
                    #expect(response.headers.first(name: .eTag) == etag)
                }
                let bothCurrent = try await Self.get(app, file.path, [("If-None-Match", "*"), ("Range", "bytes=0-4")])
                #expect(bothCurrent.status == .notModified)
                #expect(try await Self.get(app, file.path, [("If-Modified-Since", modified)]).status == .notModified)
                // or it is not
                #expect(try await Self.get(app, file.path, [("If-None-Match", "\"other\"")]).status == .ok)
                #expect(try await Self.get(app, file.path, [("If-Modified-Since", "Mon, 01 Jan 2001 00:00:00 GMT")]).status == .ok)
                // If-None-Match wins over If-Modified-Since
                #expect(try await Self.get(app, file.path, [("If-None-Match", "\"other\""), ("If-Modified-Since", modified)]).status == .ok)

                // a resumed download of the same file gets its range; of an older one, the whole new file
                let resumed = try await Self.get(app, file.path, [("Range", "bytes=0-4"), ("If-Range", etag)])
                #expect(resumed.status == .partialContent)
                #expect(try await Self.get(app, file.path, [("Range", "bytes=0-4"), ("If-Range", modified)]).status == .partialContent)
                for stale in ["\"stale\"", "W/\(etag)", "Mon, 01 Jan 2001 00:00:00 GMT", "not a validator"] {
                    let response = try await Self.get(app, file.path, [("Range", "bytes=0-4"), ("If-Range", stale)])
                    #expect(response.status == .ok, "If-Range: \(stale) on \(file.path): \(response.status)")
                    #expect(response.text == file.body)
                }
                // and a write-style precondition that fails is 412
                #expect(try await Self.get(app, file.path, [("If-Match", "\"other\"")]).status == .preconditionFailed)
                #expect(try await Self.get(app, file.path, [("If-Match", etag)]).status == .ok)
                #expect(try await Self.get(app, file.path, [("If-Unmodified-Since", "Mon, 01 Jan 2001 00:00:00 GMT")]).status == .preconditionFailed)
            }
        }
    }
}
