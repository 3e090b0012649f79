import Foundation
@testable import OAIPMH
import Testing

@Suite("Resumption tokens")
struct ResumptionTokenTests {
    let key = Array("a server secret".utf8)
    let now = Date(timeIntervalSince1970: 1_700_000_000)

    var sample: ResumptionToken {
        ResumptionToken(
            arguments: OAIListArguments(set: "theme:border-management", from: OAIDate("2018-01-01"), until: OAIDate("2019-06-30")),
            after: ResumptionToken.Position(
                datestamp: Date(timeIntervalSince1970: 1_520_245_230.123456),
                identifier: "oai:cpmg.example.org:documents/5B0D4C4E-1A52-4E0B-9A0C-6E2F9B0C7D11"
            ),
            sent: 200,
            expires: now.addingTimeInterval(3600)
        )
    }

    @Test("A token decodes to exactly what was encoded, sub-second datestamp included")
    func roundTrip() throws {
        // given
        let text = sample.encoded(key: key)
        // when
        let decoded = try ResumptionToken(decoding: text, for: .listRecords, key: key, now: now)
        // then
        #expect(decoded == sample)
        #expect(decoded.after.datestamp == sample.after.datestamp)
        #expect(try ResumptionToken(decoding: text, for: .listIdentifiers, key: key, now: now) == sample)
    }

    @Test("Tokens use only URL-safe characters")
    func urlSafe() {
        let text = sample.encoded(key: key)
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.")
        #expect(text.allSatisfy(allowed.contains))
    }

    @Test("Any change to a token, or another key, is detected")
    func tampering() {
        let text = sample.encoded(key: key)
        var flipped = 0
        for index in text.indices where text[index] != "." {
            let replacement: Character = text[index] == "A" ? "B" : "A"
            var changed = text
            changed.replaceSubrange(index...index, with: [replacement])
            #expect(throws: OAIError.self) { try ResumptionToken(decoding: changed, for: .listRecords, key: key, now: now) }
            flipped += 1
        }
        #expect(flipped > 50)
        #expect(throws: OAIError(.badResumptionToken, "The resumption token is invalid.")) {
            try ResumptionToken(decoding: text, for: .listRecords, key: Array("another secret".utf8), now: now)
        }
    }

    @Test("Garbage is a badResumptionToken, not a crash", arguments: [
        "", "abc", "1", "1..", "1.e30.", "2.e30.AAAA", "1.!!!!.AAAA", "1.e30.AAAA.AAAA", "%00", "1.\u{0}.x",
    ])
    func garbage(_ text: String) {
        #expect(throws: OAIError.self) { try ResumptionToken(decoding: text, for: .listRecords, key: key, now: now) }
        do {
            _ = try ResumptionToken(decoding: text, for: .listRecords, key: key, now: now)
        } catch {
            #expect(error.code == .badResumptionToken)
        }
    }

    @Test("A signed payload that is not a token is still refused")
    func signedNonsense() {
        let signed = "1." + Base64URL.encode(Array("{\"x\":1}".utf8))
        let mac = HMAC.sha256(key: key, message: Array(signed.utf8)).prefix(16)
        #expect(throws: OAIError.self) {
            try ResumptionToken(decoding: signed + "." + Base64URL.encode(Array(mac)), for: .listRecords, key: key, now: now)
        }
    }

    @Test("An expired token is refused")
    func expiry() {
        let text = sample.encoded(key: key)
        #expect(throws: OAIError(.badResumptionToken, "The resumption token has expired.")) {
            try ResumptionToken(decoding: text, for: .listRecords, key: key, now: now.addingTimeInterval(3601))
        }
    }

    @Test("A ListSets token does not resume ListRecords, nor the reverse")
    func kinds() throws {
        let sets = ResumptionToken(arguments: nil, after: .init(datestamp: nil, identifier: "country:jm"), sent: 50)
        let setsText = sets.encoded(key: key)
        #expect(try ResumptionToken(decoding: setsText, for: .listSets, key: key, now: now) == sets)
        #expect(throws: OAIError.self) { try ResumptionToken(decoding: setsText, for: .listRecords, key: key, now: now) }
        #expect(throws: OAIError.self) { try OAIListStart.resumptionToken(setsText).resolve(for: .listRecords, key: key, now: now) }
        #expect(throws: OAIError.self) {
            try ResumptionToken(decoding: sample.encoded(key: key), for: .listSets, key: key, now: now)
        }
    }

    @Test("Flow control: one page has no token, a middle page a token, the last page an empty one")
    func flowControl() throws {
        let arguments = OAIListArguments()
        let position = ResumptionToken.Position(datestamp: now, identifier: "oai:x:3")
        // a list complete in one response
        #expect(OAIResumption.forPage(
            count: 3, last: position, hasMore: false, arguments: arguments, previous: nil, completeListSize: 3, key: key
        ) == nil)
        // first page of three
        let first = try #require(OAIResumption.forPage(
            count: 3, last: position, hasMore: true, arguments: arguments, previous: nil, completeListSize: 7, key: key
        ))
        #expect(first.cursor == 0)
        #expect(first.completeListSize == 7)
        let token = try ResumptionToken(decoding: first.token, for: .listIdentifiers, key: key, now: now)
        #expect(token.sent == 3)
        #expect(token.after == position)
        // second page
        let second = try #require(OAIResumption.forPage(
            count: 3, last: position, hasMore: true, arguments: arguments, previous: token, completeListSize: 7, key: key
        ))
        #expect(second.cursor == 3)
        let secondToken = try ResumptionToken(decoding: second.token, for: .listIdentifiers, key: key, now: now)
        // last page
        let last = try #require(OAIResumption.forPage(
            count: 1, last: position, hasMore: false, arguments: arguments, previous: secondToken, completeListSize: 7, key: key
        ))
        #expect(last == OAIResumption(token: "", completeListSize: 7, cursor: 6))
    }

    @Test("Keyset paging harvests every record once while new ones are added")
    func harvestWhileAdding() throws {
        // given a repository of 10 records, some sharing a datestamp
        struct Row { var datestamp: Date; var identifier: String }
        var rows = (0..<10).map { Row(datestamp: Date(timeIntervalSince1970: Double(1000 + $0 / 3)), identifier: "oai:x:\($0)") }
        func page(after: ResumptionToken.Position?, limit: Int) -> [Row] {
            rows.sorted { ($0.datestamp, $0.identifier) < ($1.datestamp, $1.identifier) }
                .filter { row in
                    guard let after, let d = after.datestamp else { return true }
                    return row.datestamp > d || (row.datestamp == d && row.identifier > after.identifier)
                }
                .prefix(limit + 1).map { $0 }
        }
        // when a harvester pages through four at a time while records are added
        var harvested: [String] = []
        var start = OAIListStart.arguments(OAIListArguments())
        var rounds = 0
        while true {
            let (arguments, previous) = try start.resolve(for: .listRecords, key: key, now: now)
            let fetched = page(after: previous?.after, limit: 4)
            let items = Array(fetched.prefix(4))
            harvested += items.map(\.identifier)
            rows.append(Row(datestamp: Date(timeIntervalSince1970: 2000 + Double(rounds)), identifier: "oai:x:new\(rounds)"))
            rounds += 1
            let resumption = OAIResumption.forPage(
                count: items.count,
                last: items.last.map { .init(datestamp: $0.datestamp, identifier: $0.identifier) },
                hasMore: fetched.count > 4, arguments: arguments, previous: previous, completeListSize: nil, key: key
            )
            guard let resumption, !resumption.token.isEmpty else { break }
            start = .resumptionToken(resumption.token)
            #expect(rounds < 20)
        }
        // then every original record came exactly once, in order, and the harvest ended
        #expect(Array(harvested.prefix(10)) == (0..<10).map { "oai:x:\($0)" })
        #expect(Set(harvested).count == harvested.count)
    }

    @Test("HMAC-SHA-256 matches the published test vectors")
    func hmacVectors() {
        func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }
        #expect(hex(SHA256.hash(Array("abc".utf8))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(hex(SHA256.hash([])) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(
            hex(SHA256.hash(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        )
        // RFC 4231 test cases 2 and 6 (a key longer than the block)
        #expect(
            hex(HMAC.sha256(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8)))
                == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        )
        #expect(
            hex(HMAC.sha256(
                key: [UInt8](repeating: 0xAA, count: 131),
                message: Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8)
            )) == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        )
    }
}
