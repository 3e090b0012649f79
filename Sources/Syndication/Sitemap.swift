import Foundation
import XMLSupport

/// Sitemaps (https://www.sitemaps.org/protocol.html, schema 0.9). One file may list at most
/// 50,000 URLs and weigh at most 50 MB uncompressed; the caller splits larger sites into several
/// sitemaps and lists them in a sitemap index (itself capped at 50,000 sitemaps).
public enum Sitemap {
    public static let maxEntriesPerFile = 50_000
    static let namespace = "http://www.sitemaps.org/schemas/sitemap/0.9"

    public struct Entry: Sendable, Hashable {
        /// An absolute URL on the site's own host.
        public var location: String
        public var lastModified: Date?
        public var changeFrequency: ChangeFrequency?
        /// 0.0 to 1.0, written with one decimal; values outside are clamped.
        public var priority: Double?

        public init(location: String, lastModified: Date? = nil, changeFrequency: ChangeFrequency? = nil, priority: Double? = nil) {
            self.location = location
            self.lastModified = lastModified
            self.changeFrequency = changeFrequency
            self.priority = priority
        }
    }

    public enum ChangeFrequency: String, Sendable, Hashable, CaseIterable {
        case always, hourly, daily, weekly, monthly, yearly, never
    }

    /// A sitemap file listed in an index.
    public struct File: Sendable, Hashable {
        public var location: String
        public var lastModified: Date?

        public init(location: String, lastModified: Date? = nil) {
            self.location = location
            self.lastModified = lastModified
        }
    }

    public struct TooManyEntries: Error, Sendable, Equatable, CustomStringConvertible {
        public let count: Int

        public init(count: Int) {
            self.count = count
        }

        public var description: String { "\(count) entries; a sitemap file holds at most \(Sitemap.maxEntriesPerFile)" }
    }

    /// A `urlset` document.
    public static func urlSet(_ entries: [Entry]) throws(TooManyEntries) -> String {
        guard entries.count <= maxEntriesPerFile else { throw TooManyEntries(count: entries.count) }
        var w = XMLWriter()
        w.element("urlset", [("xmlns", namespace)]) { w in
            for entry in entries {
                w.element("url") { w in
                    w.element("loc", text: entry.location)
                    if let date = entry.lastModified { w.element("lastmod", text: UTCDate.dateTime(date)) }
                    if let frequency = entry.changeFrequency { w.element("changefreq", text: frequency.rawValue) }
                    if let priority = entry.priority { w.element("priority", text: format(priority: priority)) }
                }
            }
        }
        return w.output
    }

    /// A `sitemapindex` document listing sitemap files.
    public static func index(_ files: [File]) throws(TooManyEntries) -> String {
        guard files.count <= maxEntriesPerFile else { throw TooManyEntries(count: files.count) }
        var w = XMLWriter()
        w.element("sitemapindex", [("xmlns", namespace)]) { w in
            for file in files {
                w.element("sitemap") { w in
                    w.element("loc", text: file.location)
                    if let date = file.lastModified { w.element("lastmod", text: UTCDate.dateTime(date)) }
                }
            }
        }
        return w.output
    }

    private static func format(priority: Double) -> String {
        // 0.5 is the protocol's default, and Int(_:) would trap on NaN.
        guard priority.isFinite else { return "0.5" }
        let tenths = Int((min(max(priority, 0), 1) * 10).rounded())
        return tenths == 10 ? "1.0" : "0.\(tenths)"
    }
}
