import Foundation
import OAIPMH
import Testing

@Suite("Parsing OAI-PMH requests")
struct RequestParsingTests {
    /// A bad request and the error the protocol prescribes for it.
    struct BadCase: Sendable, CustomTestStringConvertible {
        let query: String
        let code: OAIError.Code
        var testDescription: String { "\(query) → \(code.rawValue)" }
    }

    /// `a=1&b=2` as the parameter list a web framework hands over (no percent-decoding needed here).
    static func parameters(_ query: String) -> [(String, String)] {
        query.split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
        }
    }

    static func parse(_ query: String) throws(OAIError) -> OAIRequest {
        try OAIRequest(parameters: parameters(query))
    }

    /// The error a query is refused with, or nil when it parses.
    static func errorCode(_ query: String) -> OAIError.Code? {
        do {
            _ = try parse(query)
            return nil
        } catch {
            #expect(!error.message.isEmpty)
            return error.code
        }
    }

    @Test("Each verb parses with its legal arguments")
    func goodRequests() throws {
        #expect(try Self.parse("verb=Identify") == .identify)
        #expect(try Self.parse("verb=ListMetadataFormats") == .listMetadataFormats(identifier: nil))
        #expect(try Self.parse("verb=ListMetadataFormats&identifier=oai:x:1") == .listMetadataFormats(identifier: "oai:x:1"))
        #expect(try Self.parse("verb=ListSets") == .listSets(resumptionToken: nil))
        #expect(try Self.parse("verb=ListSets&resumptionToken=abc") == .listSets(resumptionToken: "abc"))
        #expect(try Self.parse("verb=ListIdentifiers&metadataPrefix=oai_dc") == .listIdentifiers(.arguments(OAIListArguments())))
        #expect(try Self.parse("verb=ListRecords&resumptionToken=abc") == .listRecords(.resumptionToken("abc")))
        #expect(
            try Self.parse("verb=GetRecord&identifier=oai:x:1&metadataPrefix=oai_dc")
                == .getRecord(identifier: "oai:x:1", metadataPrefix: "oai_dc")
        )
    }

    @Test("Selective harvesting arguments are kept, in any order")
    func listArguments() throws {
        // when
        let request = try Self.parse("from=2018-01-01&set=country:jm&verb=ListRecords&until=2018-12-31&metadataPrefix=oai_dc")
        // then
        guard case let .listRecords(.arguments(list)) = request else {
            Issue.record("expected ListRecords with arguments, got \(request)")
            return
        }
        #expect(list.metadataPrefix == "oai_dc")
        #expect(list.set == "country:jm")
        #expect(list.from?.text == "2018-01-01")
        #expect(list.until?.granularity == .day)
        #expect(request.arguments.map(\.name) == ["verb", "metadataPrefix", "set", "from", "until"])
        #expect(request.arguments.map(\.value) == ["ListRecords", "oai_dc", "country:jm", "2018-01-01", "2018-12-31"])
    }

    @Test("A day-granularity until covers the whole day; a seconds one covers its second")
    func untilBounds() throws {
        let day = try Self.parse("verb=ListIdentifiers&metadataPrefix=oai_dc&from=2018-03-05&until=2018-03-05")
        guard case let .listIdentifiers(.arguments(list)) = day else { Issue.record("\(day)"); return }
        #expect(list.fromInclusive.map(OAIDatestamp.string) == "2018-03-05T00:00:00Z")
        #expect(list.untilExclusive.map(OAIDatestamp.string) == "2018-03-06T00:00:00Z")

        let second = try Self.parse("verb=ListIdentifiers&metadataPrefix=oai_dc&until=2018-03-05T10:20:30Z")
        guard case let .listIdentifiers(.arguments(list)) = second else { Issue.record("\(second)"); return }
        #expect(list.fromInclusive == nil)
        #expect(list.untilExclusive.map(OAIDatestamp.string) == "2018-03-05T10:20:31Z")
    }

    static let badCases: [BadCase] = [
        // badVerb: missing, unknown, wrong case, repeated (even when equal), empty
        BadCase(query: "metadataPrefix=oai_dc", code: .badVerb),
        BadCase(query: "verb=Frobnicate", code: .badVerb),
        BadCase(query: "verb=identify", code: .badVerb),
        BadCase(query: "verb=Identify&verb=Identify", code: .badVerb),
        BadCase(query: "verb=", code: .badVerb),
        BadCase(query: "verb=ListSets&verb=Frobnicate&bogus=1", code: .badVerb),
        // badArgument: illegal, repeated, empty, missing required, exclusive token
        BadCase(query: "verb=Identify&identifier=oai:x:1", code: .badArgument),
        BadCase(query: "verb=ListMetadataFormats&metadataPrefix=oai_dc", code: .badArgument),
        BadCase(query: "verb=ListSets&set=country:jm", code: .badArgument),
        BadCase(query: "verb=ListSets&resumptionToken=a&resumptionToken=b", code: .badArgument),
        BadCase(query: "verb=ListIdentifiers", code: .badArgument),
        BadCase(query: "verb=ListIdentifiers&metadataPrefix=oai_dc&identifier=oai:x:1", code: .badArgument),
        BadCase(query: "verb=ListRecords&metadataPrefix=oai_dc&metadataPrefix=oai_dc", code: .badArgument),
        BadCase(query: "verb=ListRecords&metadataPrefix=oai_dc&set=", code: .badArgument),
        BadCase(query: "verb=ListRecords&metadataPrefix=oai_dc&Set=country:jm", code: .badArgument),
        BadCase(query: "verb=ListRecords&resumptionToken=abc&metadataPrefix=oai_dc", code: .badArgument),
        BadCase(query: "verb=ListIdentifiers&resumptionToken=abc&from=2018-01-01", code: .badArgument),
        BadCase(query: "verb=GetRecord&metadataPrefix=oai_dc", code: .badArgument),
        BadCase(query: "verb=GetRecord&identifier=oai:x:1", code: .badArgument),
        BadCase(query: "verb=GetRecord&identifier=oai:x:1&metadataPrefix=oai_dc&set=a", code: .badArgument),
        // badArgument outranks cannotDisseminateFormat
        BadCase(query: "verb=ListRecords&metadataPrefix=marc21&from=yesterday", code: .badArgument),
        // cannotDisseminateFormat
        BadCase(query: "verb=ListRecords&metadataPrefix=marc21", code: .cannotDisseminateFormat),
        BadCase(query: "verb=ListIdentifiers&metadataPrefix=OAI_DC", code: .cannotDisseminateFormat),
        BadCase(query: "verb=GetRecord&identifier=oai:x:1&metadataPrefix=mods", code: .cannotDisseminateFormat),
    ]

    @Test("Bad requests get the error code the protocol prescribes", arguments: badCases)
    func badRequests(_ bad: BadCase) {
        #expect(Self.errorCode(bad.query) == bad.code)
    }

    static let badDates: [String] = [
        "from=2018-1-01",
        "from=18-01-01",
        "from=2018-02-30",
        "from=2019-02-29",
        "from=2018-13-01",
        "from=2018-01-01T00:00Z",
        "from=2018-01-01T24:00:00Z",
        "from=2018-01-01T10:00:00",
        "from=2018-01-01T10:00:00+01:00",
        "from=2018-01-01 10:00:00Z",
        // finer than the repository's seconds granularity
        "from=2018-01-01T10:00:00.5Z",
        "until=2018-01-01T10:00:00.123Z",
        // mixed granularity, reversed range
        "from=2018-01-01&until=2018-12-31T00:00:00Z",
        "from=2018-01-01T00:00:00Z&until=2018-12-31",
        "from=2018-12-31&until=2018-01-01",
        "from=2018-01-01T10:00:01Z&until=2018-01-01T10:00:00Z",
    ]

    @Test("Malformed, impossible, too fine, mixed or reversed dates are badArgument", arguments: badDates)
    func badDateArguments(_ dates: String) {
        #expect(Self.errorCode("verb=ListRecords&metadataPrefix=oai_dc&\(dates)") == .badArgument)
    }

    @Test("Equal bounds, leap days and both granularities are accepted")
    func goodDates() throws {
        for dates in [
            "from=2018-01-01&until=2018-01-01",
            "from=2020-02-29",
            "from=2000-02-29T23:59:59Z&until=2000-03-01T00:00:00Z",
            "until=1999-12-31T23:59:59Z",
        ] {
            _ = try Self.parse("verb=ListIdentifiers&metadataPrefix=oai_dc&\(dates)")
        }
    }

    @Test("Other supported formats can be declared by the caller")
    func otherPrefixes() throws {
        let request = try OAIRequest(
            parameters: [("verb", "ListRecords"), ("metadataPrefix", "oai_datacite")],
            metadataPrefixes: ["oai_dc", "oai_datacite"]
        )
        #expect(request == .listRecords(.arguments(OAIListArguments(metadataPrefix: "oai_datacite"))))
    }
}
