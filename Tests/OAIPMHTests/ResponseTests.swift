import XMLSupport
import Foundation
import OAIPMH
import Testing

@Suite("OAI-PMH responses")
struct ResponseTests {
    static let oai = "http://www.openarchives.org/OAI/2.0/"
    static let oaiDC = "http://www.openarchives.org/OAI/2.0/oai_dc/"
    static let dc = "http://purl.org/dc/elements/1.1/"

    let response = OAIResponse(baseURL: "https://cpmg.example.org/oai", responseDate: Date(timeIntervalSince1970: 1_520_245_230))
    let scheme = OAIIdentifierScheme(
        repositoryIdentifier: "cpmg.example.org", sampleLocalIdentifier: "documents/5b0d4c4e-1a52-4e0b-9a0c-6e2f9b0c7d11"
    )

    var record: OAIRecord {
        OAIRecord(
            header: OAIRecordHeader(
                identifier: scheme.identifier(local: "documents/1"),
                datestamp: Date(timeIntervalSince1970: 1_520_245_230),
                setSpecs: ["country:jm", "type:report"]
            ),
            metadata: DublinCore(
                titles: ["Labour migration in the Caribbean"],
                creators: ["López, María", "Pérez, Ana"],
                subjects: ["labour migration"],
                publishers: ["IOM"],
                dates: ["2018"],
                types: ["Report"],
                formats: ["application/pdf"],
                identifiers: ["https://cpmg.example.org/documents/1"] + DublinCore.doiIdentifiers("https://doi.org/10.1234/abc"),
                languages: ["en"],
                coverage: ["Jamaica"]
            )
        )
    }

    /// Parses the document and checks what every response shares.
    func parse(_ xml: String) throws -> XMLTree {
        #expect(xml.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"))
        let root = try XMLTree.parse(xml)
        #expect(root.name == "OAI-PMH")
        #expect(root.namespace == Self.oai)
        #expect(root.children.first?.name == "responseDate")
        #expect(root.child("responseDate")?.text == "2018-03-05T10:20:30Z")
        #expect(root.child("request")?.text == "https://cpmg.example.org/oai")
        #expect(xml.contains("xsi:schemaLocation=\"http://www.openarchives.org/OAI/2.0/ http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd\""))
        return root
    }

    @Test("Identify describes the repository and its identifiers")
    func identify() throws {
        // when
        let xml = response.identify(OAIRepository(
            name: "CPMG", adminEmails: ["oai@cpmg.example.org", "ops@cpmg.example.org"],
            earliestDatestamp: Date(timeIntervalSince1970: 1_000_000_000), identifierScheme: scheme
        ))
        // then
        let root = try parse(xml)
        #expect(root.child("request")?.attributes == ["verb": "Identify"])
        let identify = try #require(root.child("Identify"))
        #expect(identify.children.map(\.name) == [
            "repositoryName", "baseURL", "protocolVersion", "adminEmail", "adminEmail", "earliestDatestamp",
            "deletedRecord", "granularity", "description",
        ])
        #expect(identify.child("baseURL")?.text == "https://cpmg.example.org/oai")
        #expect(identify.child("protocolVersion")?.text == "2.0")
        #expect(identify.child("earliestDatestamp")?.text == "2001-09-09T01:46:40Z")
        #expect(identify.child("deletedRecord")?.text == "persistent")
        #expect(identify.child("granularity")?.text == "YYYY-MM-DDThh:mm:ssZ")
        let description = try #require(identify.child("description")?.child("oai-identifier"))
        #expect(description.namespace == "http://www.openarchives.org/OAI/2.0/oai-identifier")
        #expect(description.children.map(\.text) == [
            "oai", "cpmg.example.org", ":", "oai:cpmg.example.org:documents/5b0d4c4e-1a52-4e0b-9a0c-6e2f9b0c7d11",
        ])
    }

    @Test("ListMetadataFormats offers oai_dc with its schema and namespace")
    func listMetadataFormats() throws {
        let request = OAIRequest.listMetadataFormats(identifier: "oai:cpmg.example.org:documents/1")
        let root = try parse(response.listMetadataFormats(request: request))
        #expect(root.child("request")?.attributes == ["verb": "ListMetadataFormats", "identifier": "oai:cpmg.example.org:documents/1"])
        let format = try #require(root.child("ListMetadataFormats")?.child("metadataFormat"))
        #expect(format.children.map(\.text) == [
            "oai_dc", "http://www.openarchives.org/OAI/2.0/oai_dc.xsd", "http://www.openarchives.org/OAI/2.0/oai_dc/",
        ])
    }

    @Test("ListSets lists specs, names and descriptions")
    func listSets() throws {
        let xml = response.listSets(
            [
                OAISet(spec: "country:jm", name: "Jamaica"),
                OAISet(spec: "theme:border-management", name: "Border management", description: "Borders & ports"),
            ],
            request: .listSets(resumptionToken: nil)
        )
        let sets = try #require(try parse(xml).child("ListSets")).all("set")
        #expect(sets.map { $0.child("setSpec")?.text } == ["country:jm", "theme:border-management"])
        #expect(sets.map { $0.child("setName")?.text } == ["Jamaica", "Border management"])
        #expect(sets[0].child("setDescription") == nil)
        let dc = try #require(sets[1].child("setDescription")?.child("dc"))
        #expect(dc.namespace == Self.oaiDC)
        #expect(dc.child("description")?.text == "Borders & ports")
    }

    @Test("ListRecords writes headers and Dublin Core; a deleted record has a status and no metadata")
    func listRecords() throws {
        // given
        let deleted = OAIRecord(
            header: OAIRecordHeader(
                identifier: scheme.identifier(local: "documents/2"), datestamp: Date(timeIntervalSince1970: 1_520_245_231),
                setSpecs: ["country:tt"], isDeleted: true
            ),
            metadata: record.metadata
        )
        let request = try OAIRequest(parameters: [("verb", "ListRecords"), ("metadataPrefix", "oai_dc"), ("set", "country:jm")])
        // when
        let xml = response.listRecords([record, deleted], request: request)
        // then
        let root = try parse(xml)
        #expect(root.child("request")?.attributes == ["verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "country:jm"])
        let records = try #require(root.child("ListRecords")).all("record")
        #expect(records.count == 2)
        #expect(root.child("ListRecords")?.child("resumptionToken") == nil)

        let header = try #require(records[0].child("header"))
        #expect(header["status"] == nil)
        #expect(header.child("identifier")?.text == "oai:cpmg.example.org:documents/1")
        #expect(header.child("datestamp")?.text == "2018-03-05T10:20:30Z")
        #expect(header.all("setSpec").map(\.text) == ["country:jm", "type:report"])
        let dc = try #require(records[0].child("metadata")?.child("dc"))
        #expect(dc.namespace == Self.oaiDC)
        #expect(dc.children.allSatisfy { $0.namespace == Self.dc })
        #expect(dc.all("creator").map(\.text) == ["López, María", "Pérez, Ana"])
        #expect(dc.all("identifier").map(\.text) == [
            "https://cpmg.example.org/documents/1", "https://doi.org/10.1234/abc", "doi:10.1234/abc",
        ])
        #expect(dc.child("coverage")?.text == "Jamaica")

        #expect(records[1].child("header")?["status"] == "deleted")
        #expect(records[1].child("metadata") == nil)
    }

    @Test("ListIdentifiers writes headers only, with the resumption token's attributes")
    func listIdentifiers() throws {
        let resumption = OAIResumption(
            token: "1.abc.def", completeListSize: 250, cursor: 100, expirationDate: Date(timeIntervalSince1970: 1_520_248_830)
        )
        let xml = response.listIdentifiers(
            [record.header], resumption: resumption, request: .listIdentifiers(.resumptionToken("1.xyz.uvw"))
        )
        let root = try parse(xml)
        #expect(root.child("request")?.attributes == ["verb": "ListIdentifiers", "resumptionToken": "1.xyz.uvw"])
        let list = try #require(root.child("ListIdentifiers"))
        #expect(list.children.map(\.name) == ["header", "resumptionToken"])
        let token = try #require(list.child("resumptionToken"))
        #expect(token.text == "1.abc.def")
        #expect(token.attributes == ["completeListSize": "250", "cursor": "100", "expirationDate": "2018-03-05T11:20:30Z"])
    }

    @Test("The last page of an incomplete list carries an empty resumptionToken")
    func lastPage() throws {
        let xml = response.listIdentifiers(
            [record.header], resumption: OAIResumption(token: "", completeListSize: 101, cursor: 100),
            request: .listIdentifiers(.resumptionToken("t"))
        )
        #expect(xml.contains("<resumptionToken completeListSize=\"101\" cursor=\"100\"/>"))
        let token = try #require(try parse(xml).child("ListIdentifiers")?.child("resumptionToken"))
        #expect(token.text.isEmpty)
    }

    @Test("GetRecord holds one record")
    func getRecord() throws {
        let request = OAIRequest.getRecord(identifier: record.header.identifier, metadataPrefix: "oai_dc")
        let root = try parse(response.getRecord(record, request: request))
        #expect(root.child("request")?.attributes == [
            "verb": "GetRecord", "identifier": "oai:cpmg.example.org:documents/1", "metadataPrefix": "oai_dc",
        ])
        #expect(root.child("GetRecord")?.all("record").count == 1)
        #expect(root.child("GetRecord")?.child("record")?.child("metadata")?.child("dc")?.child("title")?.text
            == "Labour migration in the Caribbean")
    }

    @Test("badVerb and badArgument echo only the base URL")
    func errorsWithoutEcho() throws {
        for (parameters, code) in [
            ([("verb", "Frobnicate"), ("x", "1")], OAIError.Code.badVerb),
            ([("verb", "Identify"), ("x", "1")], .badArgument),
        ] {
            let xml = response.error([OAIError(code, "no")], parameters: parameters)
            let root = try parse(xml)
            #expect(root.child("request")?.attributes.isEmpty == true)
            #expect(root.child("error")?["code"] == code.rawValue)
            #expect(root.child("error")?.text == "no")
        }
    }

    @Test("Other errors echo the request's arguments; several errors may be reported")
    func errorsWithEcho() throws {
        let parameters = [("verb", "ListRecords"), ("metadataPrefix", "marc21")]
        let xml = response.error(
            [OAIError(.cannotDisseminateFormat, "Only oai_dc."), OAIError(.noRecordsMatch, "Nothing.")], parameters: parameters
        )
        let root = try parse(xml)
        #expect(root.child("request")?.attributes == ["verb": "ListRecords", "metadataPrefix": "marc21"])
        #expect(root.all("error").map { $0["code"] } == ["cannotDisseminateFormat", "noRecordsMatch"])
    }

    @Test("Markup characters are escaped and characters XML forbids are dropped")
    func escaping() throws {
        // given text and an attribute full of markup and control characters
        let nasty = "A <b>&amp; \"quoted\" 'apostrophe' \u{1}\u{8}\u{B}\u{C}\u{1F}\u{FFFE}\u{FFFF}end\ttab\r\nline 🌴"
        let kept = "A <b>&amp; \"quoted\" 'apostrophe' end\ttab\r\nline 🌴"
        var escaped = record
        escaped.metadata?.titles = [nasty]
        escaped.header.setSpecs = ["a]]>b"]
        let request = OAIRequest.getRecord(identifier: nasty, metadataPrefix: "oai_dc")
        // when
        let xml = response.getRecord(escaped, request: request)
        // then the document parses and gives the text back without the forbidden characters
        let root = try parse(xml)
        #expect(root.child("request")?["identifier"] == kept)
        #expect(root.child("GetRecord")?.child("record")?.child("metadata")?.child("dc")?.child("title")?.text == kept)
        #expect(root.child("GetRecord")?.child("record")?.child("header")?.child("setSpec")?.text == "a]]>b")
        #expect(!xml.contains("\u{1}"))
        #expect(xml.contains("&lt;b&gt;&amp;amp; "))
        #expect(xml.contains("identifier=\"A &lt;b&gt;&amp;amp; &quot;quoted&quot; &apos;apostrophe&apos; end&#9;tab&#13;&#10;line 🌴\""))
    }

    @Test("Identifiers map to and from local identifiers")
    func identifiers() {
        #expect(scheme.identifier(local: "documents/1") == "oai:cpmg.example.org:documents/1")
        #expect(scheme.localIdentifier(of: "oai:cpmg.example.org:documents/1") == "documents/1")
        #expect(scheme.localIdentifier(of: "oai:other.org:documents/1") == nil)
        #expect(scheme.localIdentifier(of: "oai:cpmg.example.org:") == nil)
        #expect(DublinCore.doiIdentifiers("doi:10.1/x") == ["https://doi.org/10.1/x", "doi:10.1/x"])
        #expect(DublinCore.doiIdentifiers("http://dx.doi.org/10.1/x") == ["https://doi.org/10.1/x", "doi:10.1/x"])
        #expect(DublinCore.doiIdentifiers("not a doi").isEmpty)
    }
}
