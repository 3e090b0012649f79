import XMLSupport
import Foundation
import Syndication
import Testing

@Suite("Sitemaps")
struct SitemapTests {
    static let namespace = "http://www.sitemaps.org/schemas/sitemap/0.9"

    @Test("A URL set is well-formed and carries loc, lastmod, changefreq and priority")
    func urlSet() throws {
        // when
        let xml = try Sitemap.urlSet([
            Sitemap.Entry(
                location: "https://cpmg.example.org/documents?country=jm&type=report",
                lastModified: Date(timeIntervalSince1970: 1_520_245_230), changeFrequency: .weekly, priority: 0.84
            ),
            Sitemap.Entry(location: "https://cpmg.example.org/"),
            Sitemap.Entry(location: "https://cpmg.example.org/countries", priority: 7),
        ])
        // then
        #expect(xml.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"\(Self.namespace)\">"))
        #expect(xml.contains("<loc>https://cpmg.example.org/documents?country=jm&amp;type=report</loc>"))
        let root = try XMLTree.parse(xml)
        #expect(root.name == "urlset")
        #expect(root.namespace == Self.namespace)
        let urls = root.all("url")
        #expect(urls.count == 3)
        #expect(urls[0].children.map(\.name) == ["loc", "lastmod", "changefreq", "priority"])
        #expect(urls[0].children.map(\.text) == [
            "https://cpmg.example.org/documents?country=jm&type=report", "2018-03-05T10:20:30Z", "weekly", "0.8",
        ])
        #expect(urls[1].children.map(\.name) == ["loc"])
        #expect(urls[2].child("priority")?.text == "1.0")
    }

    @Test("A sitemap index lists sitemap files")
    func index() throws {
        let xml = try Sitemap.index([
            Sitemap.File(location: "https://cpmg.example.org/sitemap-1.xml", lastModified: Date(timeIntervalSince1970: 0)),
            Sitemap.File(location: "https://cpmg.example.org/sitemap-2.xml"),
        ])
        let root = try XMLTree.parse(xml)
        #expect(root.name == "sitemapindex")
        #expect(root.namespace == Self.namespace)
        #expect(root.all("sitemap").map { $0.child("loc")?.text } == [
            "https://cpmg.example.org/sitemap-1.xml", "https://cpmg.example.org/sitemap-2.xml",
        ])
        #expect(root.all("sitemap")[0].child("lastmod")?.text == "1970-01-01T00:00:00Z")
    }

    @Test("More than 50,000 entries in one file is refused, exactly 50,000 is not")
    func cap() throws {
        let entries = Array(repeating: Sitemap.Entry(location: "https://cpmg.example.org/"), count: Sitemap.maxEntriesPerFile)
        _ = try Sitemap.urlSet(entries)
        #expect(throws: Sitemap.TooManyEntries(count: 50_001)) {
            try Sitemap.urlSet(entries + [Sitemap.Entry(location: "https://cpmg.example.org/x")])
        }
        #expect(throws: Sitemap.TooManyEntries.self) {
            try Sitemap.index(Array(repeating: Sitemap.File(location: "https://cpmg.example.org/s.xml"), count: 50_001))
        }
    }
}
