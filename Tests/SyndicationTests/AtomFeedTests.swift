import XMLSupport
import Foundation
import Syndication
import Testing

@Suite("Atom feeds")
struct AtomFeedTests {
    static let atom = "http://www.w3.org/2005/Atom"
    let march5 = Date(timeIntervalSince1970: 1_520_245_230)

    var feed: AtomFeed {
        AtomFeed(
            id: AtomID.tag(authority: "CPMG.example.org", date: "2018", specific: "feeds/documents"),
            title: "CPMG documents",
            subtitle: "New reports, laws & policies",
            updated: march5,
            links: [.self("https://cpmg.example.org/feeds/documents.atom"), .alternate("https://cpmg.example.org/documents")],
            authors: [AtomPerson(name: "CMC Secretariat", uri: "https://cpmg.example.org")],
            language: "en",
            entries: [
                AtomEntry(
                    id: AtomID.uuid(UUID(uuidString: "5B0D4C4E-1A52-4E0B-9A0C-6E2F9B0C7D11")!),
                    title: "Labour migration in the Caribbean",
                    updated: march5,
                    published: Date(timeIntervalSince1970: 1_520_000_000),
                    authors: [AtomPerson(name: "López, María"), AtomPerson(name: "Pérez, Ana")],
                    summary: "A regional study.",
                    content: .html("<p>A <em>regional</em> study &amp; more.</p>"),
                    links: [
                        .alternate("https://cpmg.example.org/documents/1"),
                        .enclosure("https://cpmg.example.org/documents/1/file", type: "application/pdf", length: 123_456),
                    ],
                    categories: [
                        AtomCategory(term: "jm", label: "Jamaica", scheme: "https://cpmg.example.org/countries"),
                        AtomCategory(term: "report"),
                    ]
                ),
                AtomEntry(
                    id: "tag:cpmg.example.org,2018:documents/2", title: "Second", updated: Date(timeIntervalSince1970: 0),
                    content: .text("plain")
                ),
            ]
        )
    }

    @Test("A feed parses back with its metadata and every entry")
    func structure() throws {
        // when
        let root = try XMLTree.parse(feed.xml)
        // then
        #expect(root.name == "feed")
        #expect(root.namespace == Self.atom)
        #expect(root.child("id")?.text == "tag:cpmg.example.org,2018:feeds/documents")
        #expect(root.child("title")?.text == "CPMG documents")
        #expect(root.child("subtitle")?.text == "New reports, laws & policies")
        #expect(root.child("updated")?.text == "2018-03-05T10:20:30Z")
        #expect(root.all("link").map { $0["rel"] } == ["self", "alternate"])
        #expect(root.all("link").first?["type"] == "application/atom+xml")
        #expect(root.child("author")?.child("name")?.text == "CMC Secretariat")

        let entries = root.all("entry")
        #expect(entries.count == 2)
        #expect(entries.map { $0.child("id")?.text } == [
            "urn:uuid:5b0d4c4e-1a52-4e0b-9a0c-6e2f9b0c7d11", "tag:cpmg.example.org,2018:documents/2",
        ])
        #expect(entries.map { $0.child("updated")?.text } == ["2018-03-05T10:20:30Z", "1970-01-01T00:00:00Z"])
        let first = entries[0]
        #expect(first.child("published")?.text == "2018-03-02T14:13:20Z")
        #expect(first.all("author").map { $0.child("name")?.text } == ["López, María", "Pérez, Ana"])
        #expect(first.child("summary")?.text == "A regional study.")
        #expect(first.child("content")?["type"] == "html")
        #expect(first.child("content")?.text == "<p>A <em>regional</em> study &amp; more.</p>")
        let enclosure = try #require(first.all("link").first { $0["rel"] == "enclosure" })
        #expect(enclosure.attributes == [
            "rel": "enclosure", "type": "application/pdf", "length": "123456",
            "href": "https://cpmg.example.org/documents/1/file",
        ])
        #expect(first.all("category").map(\.attributes) == [
            ["term": "jm", "label": "Jamaica", "scheme": "https://cpmg.example.org/countries"], ["term": "report"],
        ])
        #expect(entries[1].child("content")?["type"] == "text")
        #expect(entries[1].child("published") == nil)
    }

    @Test("Titles, attributes and content are escaped; forbidden characters are dropped")
    func escaping() throws {
        // given
        var nasty = feed
        nasty.title = "Fish & <chips> \"quoted\" 'single' \u{0}\u{7}end"
        nasty.entries[0].links = [.alternate("https://cpmg.example.org/search?q=a&type=\"report\"")]
        nasty.entries[0].content = .html("<script>alert('x')</script>]]>")
        // when
        let xml = nasty.xml
        let root = try XMLTree.parse(xml)
        // then
        #expect(root.child("title")?.text == "Fish & <chips> \"quoted\" 'single' end")
        #expect(root.all("entry")[0].child("link")?["href"] == "https://cpmg.example.org/search?q=a&type=\"report\"")
        #expect(root.all("entry")[0].child("content")?.text == "<script>alert('x')</script>]]>")
        #expect(!xml.contains("<script>"))
        #expect(!xml.contains("\u{7}"))
    }

    @Test("Identifiers follow the tag and urn:uuid schemes")
    func identifiers() {
        #expect(AtomID.tag(authority: "CPMG.example.org", date: "2018-03-05", specific: "documents/1")
            == "tag:cpmg.example.org,2018-03-05:documents/1")
        #expect(AtomID.uuid(UUID(uuidString: "5B0D4C4E-1A52-4E0B-9A0C-6E2F9B0C7D11")!)
            == "urn:uuid:5b0d4c4e-1a52-4e0b-9a0c-6e2f9b0c7d11")
    }
}
