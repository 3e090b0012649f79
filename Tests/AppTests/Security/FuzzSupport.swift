import Foundation
import NIOCore
import NIOPosix
import PropertyBased

// MARK: - A client that sends what browsers never do

/// HTTP/1.1 over a fresh connection, the request written byte for byte, so that a request can
/// carry what no well-behaved client sends: raw bytes ≥ 0x80 or control characters in the
/// target, invalid UTF-8 in a body, a body that does not match its content type. The answer is
/// read until the server closes the connection (every request says `Connection: close`).
struct RawHTTPClient: Sendable {
    let port: Int

    struct Answer: Sendable {
        var status: Int
        var headers: [(name: String, value: String)]
        /// The start of the body as received (chunk sizes included), for failure reports.
        var body: String

        func header(_ name: String) -> String? { headers.first { $0.name.lowercased() == name.lowercased() }?.value }
    }

    /// The server's answer, or nil when it closed the connection without one (or did not answer within `timeout`).
    func send(_ request: [UInt8], timeout: TimeAmount = .seconds(60)) async throws -> Answer? {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let done = loop.makePromise(of: ByteBuffer.self)
        let collector = Collector(done)
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: loop)
                .channelInitializer { $0.pipeline.addHandler(collector) }
                .connect(host: "127.0.0.1", port: port).get()
        } catch {
            done.fail(error)
            throw error
        }
        let timer = channel.eventLoop.scheduleTask(in: timeout) { channel.close(promise: nil) }
        // The server may answer (413) and close before the whole body is written: what it said counts.
        try? await channel.writeAndFlush(ByteBuffer(bytes: request)).get()
        let received = try await done.futureResult.get()
        timer.cancel()
        return Self.parse(Array(received.readableBytesView))
    }

    static func parse(_ bytes: [UInt8]) -> Answer? {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard bytes.count >= 12,
              let end = (0...(bytes.count - 4)).first(where: { bytes[$0..<$0 + 4].elementsEqual(separator) }) else { return nil }
        var lines = String(decoding: bytes[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { return nil }
        let headers = lines.compactMap { line -> (name: String, value: String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        return Answer(status: status, headers: headers, body: String(decoding: bytes[(end + 4)...].prefix(600), as: UTF8.self))
    }

    private final class Collector: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        private var received = ByteBuffer()
        private let done: EventLoopPromise<ByteBuffer>

        init(_ done: EventLoopPromise<ByteBuffer>) { self.done = done }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var chunk = Self.unwrapInboundIn(data)
            received.writeBuffer(&chunk)
        }

        func channelInactive(context: ChannelHandlerContext) { done.succeed(received) }

        func errorCaught(context: ChannelHandlerContext, error: any Error) { context.close(promise: nil) }
    }
}

// MARK: - Values

/// One generated value and how it travels.
enum FuzzValue: Sendable, CustomStringConvertible {
    /// Text as someone might type or paste it; percent-encoded in URLs and url-encoded bodies.
    case text(String)
    /// Written on the wire exactly as given: percent escapes that decode to invalid UTF-8 (`%C0%80`), `..%2f`.
    case wire(String)
    /// Bytes that are not UTF-8, percent-encoded in URLs and url-encoded bodies.
    case bytes([UInt8])
    /// Bytes that are not UTF-8, written raw everywhere (in the request target too).
    case rawBytes([UInt8])
    /// One of the very long values (`FuzzGen.huge`), encoded once: a megabyte takes a while to escape.
    case huge(Int)

    /// The characters a URL or url-encoded body may carry unescaped.
    private static let unreserved = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~".utf8)

    private static let hex = Array("0123456789ABCDEF".utf8)

    static func percentEncode(_ bytes: some Sequence<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.underestimatedCount)
        for byte in bytes {
            if unreserved.contains(byte) { out.append(byte) } else { out += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 15)]] }
        }
        return out
    }

    /// In a query string, a url-encoded body or a path segment.
    var urlEncoded: [UInt8] {
        switch self {
        case .text(let text): Self.percentEncode(text.utf8)
        case .wire(let text): Array(text.utf8)
        case .bytes(let bytes): Self.percentEncode(bytes)
        case .rawBytes(let bytes): bytes
        case .huge(let index): FuzzGen.hugeEncoded[index].urlEncoded
        }
    }

    /// In a multipart part (or anywhere nothing is escaped).
    var raw: [UInt8] {
        switch self {
        case .text(let text), .wire(let text): Array(text.utf8)
        case .bytes(let bytes), .rawBytes(let bytes): bytes
        case .huge(let index): FuzzGen.hugeEncoded[index].raw
        }
    }

    var description: String {
        func short(_ text: String) -> String { text.count > 80 ? "\(text.prefix(40).debugDescription)…(\(text.utf8.count) bytes)" : text.debugDescription }
        switch self {
        case .text(let text): return short(text)
        case .wire(let text): return "wire:" + short(text)
        case .bytes(let bytes): return "bytes:" + bytes.prefix(16).map { String(format: "%02X", $0) }.joined(separator: " ")
        case .rawBytes(let bytes): return "raw:" + bytes.prefix(16).map { String(format: "%02X", $0) }.joined(separator: " ")
        case .huge(let index): return short(FuzzGen.huge[index])
        }
    }
}

// MARK: - Generators

/// The values every field and parameter is tried with. Generators come from `PropertyBased` and
/// are driven by a seeded `Xoshiro`, so a run is the same every time for a given seed.
enum FuzzGen {
    typealias AnyGen<T> = Generator<T, AnySequence<Any>>

    /// Numbers at and past the edges of every numeric type, and text that some parsers take for a number.
    static let numbers = [
        "1e308", "-1e308", "1.7976931348623157e309", "9223372036854775808", "-9223372036854775809", "9223372036854775807",
        "-9223372036854775808", "18446744073709551616", "2147483648", "-2147483649", "4294967296", "1e-400", "4.9e-324",
        "0x7fffffffffffffff", "0x10", "1e30", "-1e30", "1e19", "10000000000", "NaN", "nan", "-NaN", "inf", "-inf", "Infinity",
        "-Infinity", "-0", "+0", "0", "00", "-1", "1.5", "1,5", "1 000", "١٢٣", "１２３", "1_000", "0.1e1", ".5", "5.", "1e", "e5",
        String(repeating: "9", count: 400), "-" + String(repeating: "9", count: 400),
    ]

    /// Dates and times that do not exist or do not fit.
    static let calendar = [
        "2026-02-30", "2026-02-29", "2024-02-29", "99999-01-01", "0000-00-00", "0001-01-01", "-0001-01-01", "2026-13-01",
        "2026-00-10", "2026-1-1", "2026/01/01", "01/02/2026", "2026-01-01T00:00:00Z", "1900-01-01", "9999-12-31", "20260101",
        "25:61", "24:00", "23:59:60", "-1:00", "99:99", "12", "12:", ":30", "9:5", "12:00 PM", "T12:00",
    ]

    /// Control and formatting characters, alone and inside text.
    static let controls = [
        "\u{0}", "a\u{0}b", "\t", "\u{0B}", "\u{0C}", "\r", "\n", "\r\n", "\u{1B}[31mred", "\u{7F}", "\u{85}", "\u{9F}",
        "\u{202E}gpj.exe", "x\u{202E}", "\u{2028}", "\u{2029}", "\u{FEFF}", "\u{FEFF}1", "\u{200B}", "\u{2066}x\u{2069}",
        "", " ", "   ", " \t\n ", "\u{A0}", "\u{3000}",
    ]

    /// Unicode that normalises, folds or combines differently from how it looks.
    static let unicode = [
        "e\u{301}", "é", "ﬁ", "Å", "Å", "İ", "ı", "ß", "ẞ", "\u{10FFFF}", "😀", "🇯🇲", "👩‍👩‍👧", "a\u{300}\u{301}\u{302}\u{303}\u{304}",
        "Ω", "Ω", "K", "㈱", "Ⅻ", "\u{FFFD}", "\u{FFFF}", "\u{E000}", "𝕏",
    ]

    /// Text that means something to a parser, a shell, a spreadsheet or a browser.
    static let syntax = [
        "<script>alert(1)</script>", "\"'><img src=x onerror=alert(1)>", "=cmd|' /C calc'!A0", "+1", "@SUM(1)", "../../etc/passwd",
        "..\\..\\windows", "/", "//evil.example", "/\t/evil.example", "https://evil.example", "javascript:alert(1)", "%", "%%",
        "%zz", "+", "&", "=", "?", "#", ";", ",", "null", "undefined", "true", "[]", "{}", "$(id)", "`id`", "'; DROP TABLE users; --",
        "' OR '1'='1", "*", "\\", "\"", "'", "a,b,c", "NEAR(a b)", "\"unclosed", "title:x", "-", "--", "AND", "OR NOT", "(", ")",
    ]

    /// Percent escapes that decode to nothing valid.
    static let wire = [
        "%FF%FE", "%C0%80", "%ED%A0%80", "%F4%90%80%80", "%80", "%E2%82", "%C3", "..%2f..%2f", "%2e%2e%2f", "..%5c", "%00", "a%00b",
        "%0d%0aSet-Cookie:%20x=1", "%25", "%", "%G0", "a%", "%u202e", "%E2%80%AE", "+%2B+", "%FE%FF", "%EF%BB%BF",
    ]

    /// Byte sequences that are not UTF-8: lone continuation bytes, overlong forms, surrogates, truncations.
    static let invalidUTF8: [[UInt8]] = [
        [0xFF, 0xFE], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0x80], [0xE2, 0x82], [0xF8, 0x88, 0x80, 0x80, 0x80], [0xC3],
        [0x41, 0xFF, 0x42], [0xF4, 0x90, 0x80, 0x80], [0xFE], [0xC1, 0xBF],
    ]

    static let boundary: AnyGen<String> = Gen<String?>.element(of: numbers + calendar + controls + unicode + syntax).map { $0! }.eraseToAny()

    /// Scalars from the interesting planes (no surrogates: they are not scalars).
    static let scalar: AnyGen<Character> = Gen.frequency([
        (weight: 4, gen: Gen.character(in: " "..."~").eraseToAny()),
        (weight: 1, gen: Gen.character(in: "\u{0}"..."\u{1F}").eraseToAny()),
        (weight: 2, gen: Gen.character(in: "\u{80}"..."\u{2FF}").eraseToAny()),
        (weight: 1, gen: Gen.character(in: "\u{300}"..."\u{36F}").eraseToAny()),
        (weight: 1, gen: Gen.character(in: "\u{2000}"..."\u{206F}").eraseToAny()),
        (weight: 1, gen: Gen.character(in: "\u{FE00}"..."\u{FFFF}").eraseToAny()),
        (weight: 1, gen: Gen.character(in: "\u{1F300}"..."\u{1F6FF}").eraseToAny()),
    ]).eraseToAny()

    static let randomText: AnyGen<String> = scalar.string(of: 0...40).eraseToAny()

    /// Numbers as text: any double, any 64-bit integer (signed or not), and integers with many digits.
    static let randomNumber: AnyGen<String> = Gen.frequency([
        (weight: 1, gen: zip(Gen.bool, Gen.double(in: 0...Double.greatestFiniteMagnitude)).map { ($0 ? "-" : "") + String($1) }.eraseToAny()),
        (weight: 1, gen: Gen.double(in: -1000...1000).map { String($0) }.eraseToAny()),
        (weight: 1, gen: Gen.int64().map { String($0) }.eraseToAny()),
        (weight: 1, gen: Gen.uint64().map { String($0) }.eraseToAny()),
        (weight: 1, gen: Gen.int(in: -3...3000).map { String($0) }.eraseToAny()),
        (weight: 1, gen: Gen.number.string(of: 15...60).eraseToAny()),
    ]).eraseToAny()

    /// Dates and times with every part out of range somewhere.
    static let randomDate: AnyGen<String> = Gen.frequency([
        (weight: 2, gen: zip(Gen.int(in: -1...100_000), Gen.int(in: 0...14), Gen.int(in: 0...40))
            .map { String(format: "%04d-%02d-%02d", $0, $1, $2) }.eraseToAny()),
        (weight: 1, gen: zip(Gen.int(in: -1...30), Gen.int(in: 0...70)).map { String(format: "%02d:%02d", $0, $1) }.eraseToAny()),
    ]).eraseToAny()

    /// Very long values: 1 MB (a url-encoded form holds one, with room for the other fields), or 10 to 100 kB.
    static let huge = [
        String(repeating: "9", count: 1_000_000), String(repeating: "a", count: 1_000_000), String(repeating: "é", count: 50_000),
        String(repeating: "\u{202E}", count: 20_000), String(repeating: "1,", count: 5_000), String(repeating: "<b>", count: 3_000),
    ]
    static let hugeEncoded = huge.map { (urlEncoded: FuzzValue.percentEncode($0.utf8), raw: Array($0.utf8)) }

    /// Any value, weighted towards the edges.
    static let value: AnyGen<FuzzValue> = Gen.frequency([
        (weight: 6, gen: boundary.map { FuzzValue.text($0) }.eraseToAny()),
        (weight: 3, gen: randomText.map { FuzzValue.text($0) }.eraseToAny()),
        (weight: 3, gen: randomNumber.map { FuzzValue.text($0) }.eraseToAny()),
        (weight: 2, gen: randomDate.map { FuzzValue.text($0) }.eraseToAny()),
        (weight: 2, gen: Gen<String?>.element(of: wire).map { FuzzValue.wire($0!) }.eraseToAny()),
        (weight: 1, gen: Gen<[UInt8]?>.element(of: invalidUTF8).map { FuzzValue.bytes($0!) }.eraseToAny()),
        (weight: 0.3, gen: Gen<[UInt8]?>.element(of: invalidUTF8).map { FuzzValue.rawBytes(Array("x".utf8) + $0!) }.eraseToAny()),
        (weight: 0.15, gen: Gen.int(in: 0...(huge.count - 1)).map { FuzzValue.huge($0) }.eraseToAny()),
    ]).eraseToAny()

    /// A parameter or field name nobody asked for.
    static let name: AnyGen<FuzzValue> = Gen.frequency([
        (weight: 2, gen: Gen.letterOrNumber.string(of: 1...12).map { FuzzValue.text($0) }.eraseToAny()),
        (weight: 1, gen: Gen<String?>.element(of: ["x[]", "a[b]", "a[b][c]", "[]", "a[", "a]", "_csrf", "__proto__", "lang", "a.b", "a b", "é"])
            .map { FuzzValue.text($0!) }.eraseToAny()),
        (weight: 1, gen: value),
    ]).eraseToAny()

    /// File contents for an upload field: empty, random bytes, a CSV with bad cells, or a PDF header with nothing after it.
    static let fileContent: AnyGen<[UInt8]> = Gen.frequency([
        (weight: 1, gen: Gen.always([UInt8]()).eraseToAny()),
        (weight: 2, gen: Gen.uint8().array(of: 1...2048).eraseToAny()),
        (weight: 3, gen: zip(boundary, randomNumber, boundary).map { period, value, note in
            Array("indicator,area,period,value,note\r\nFUZZ.IND,JM,\(period),\(value),\(note)\r\nFUZZ.IND,\(note),2020,\(value),\r\n".utf8)
        }.eraseToAny()),
        (weight: 1, gen: Gen.always(Array("%PDF-1.4\n%%EOF".utf8)).eraseToAny()),
    ]).eraseToAny()
}

/// A stable 64-bit hash (FNV-1a), so that a route keeps its cases when others are added.
func fuzzHash(_ text: String) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
    return hash
}
