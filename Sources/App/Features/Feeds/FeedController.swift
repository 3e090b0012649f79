import Fluent
import Foundation
import Syndication
import Vapor

/// `/feeds/documents.atom` (the repository's newest public documents, with the search page's
/// filters) and `/sitemap.xml`.
struct FeedController: RouteCollection {
    static let feedSize = 50

    func boot(routes: any RoutesBuilder) throws {
        routes.get(SiteURL.documentsFeed(query: []).route, use: documentsFeed)
        routes.get(SiteURL.sitemap.route, use: sitemap)
    }

    func documentsFeed(req: Request) async throws -> Response {
        let references = try await DocumentLibrary.References.load(req.application, db: req.db)
        let year = Calendar(identifier: .gregorian).component(.year, from: req.now)
        var state = DocumentSearchState(pairs: req.queryPairs, known: DocumentIndex.knownValues(references), currentYear: year)
        state.sort = .newest
        state.page = 1
        var request = state.request(query: SearchQuery.parse(state.q))
        request.limit = Self.feedSize
        request.facets = []
        request.sort = .newest
        // Feeds are public: they are read by programs that never log in.
        let result = try await SearchIndexes.make(for: req.db).search(request, viewer: .visitor, on: req.db)
        let ids = result.hits.compactMap { UUID(uuidString: $0.itemID) }
        let documents = ids.isEmpty ? [] : try await Access.listed(Document.query(on: req.db), for: .visitor).filter(\.$id ~~ ids).with(\.$themes).with(\.$files).all()
        let byID = Dictionary(uniqueKeysWithValues: documents.map { ($0.id!, $0) })
        let base = req.application.cpmg.settings.publicURL
        let english = req.application.cpmg.catalog.localizer(.en)
        let host = base.host ?? "cpmg"
        let entries: [AtomEntry] = ids.compactMap { byID[$0] }.map { document in
            let id = document.id!.uuidString
            let primary = document.files.sorted { $0.position < $1.position }.first
            return AtomEntry(
                id: AtomID.tag(authority: host, date: "2017", specific: "documents/\(id.lowercased())"),
                title: document.title,
                updated: document.updatedAt ?? req.now,
                published: document.publishedAt,
                authors: (document.authors.isEmpty ? [document.publisher] : document.authors).filter { !$0.isEmpty }.map { AtomPerson(name: $0) },
                summary: document.abstract.isEmpty ? nil : String(document.abstract.prefix(2000)),
                links: [.alternate(SiteURL.document(id).absolute(base: base))]
                    + (primary.map { [.enclosure(SiteURL.documentFileByID(id, $0.id!.uuidString).absolute(base: base), type: $0.mediaType, length: $0.size)] } ?? []),
                categories: [AtomCategory(term: document.kind.rawValue, label: english("documents.kind.\(document.kind.rawValue)"), scheme: nil)]
                    + document.themes.map { AtomCategory(term: $0.slug, label: $0.name, scheme: nil) }
            )
        }
        let selfURL = SiteURL.documentsFeed(query: state.queryItems { $0.page = 1; $0.sort = .relevance }).absolute(base: base)
        let feed = AtomFeed(
            id: AtomID.tag(authority: host, date: "2017", specific: "documents" + (req.url.query.map { "?" + $0 } ?? "")),
            title: state.q.isEmpty ? "CPMG — \(english("documents.title"))" : "CPMG — \(english("documents.titleFor", ["query": state.q]))",
            subtitle: english("site.name"),
            updated: entries.map(\.updated).max() ?? req.now,
            links: [.self(selfURL), .alternate(SiteURL.documents(query: state.queryItems { $0.page = 1 }).absolute(base: base))],
            authors: [AtomPerson(name: "CPMG")],
            language: "en",
            entries: entries
        )
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: "application/atom+xml; charset=utf-8")
        headers.replaceOrAdd(name: .cacheControl, value: "public, max-age=300")
        return Response(status: .ok, headers: headers, body: .init(string: feed.xml))
    }

    func sitemap(req: Request) async throws -> Response {
        let base = req.application.cpmg.settings.publicURL
        var entries = [
            Sitemap.Entry(location: SiteURL.home.absolute(base: base), changeFrequency: .daily),
            Sitemap.Entry(location: SiteURL.documents(query: []).absolute(base: base), changeFrequency: .daily),
            Sitemap.Entry(location: SiteURL.countries.absolute(base: base), changeFrequency: .weekly),
        ]
        entries.append(Sitemap.Entry(location: SiteURL.events(query: []).absolute(base: base), changeFrequency: .daily))
        entries.append(Sitemap.Entry(location: SiteURL.statistics.absolute(base: base), changeFrequency: .weekly))
        for indicator in try await StatIndicator.query(on: req.db).sort(\.$code).all() {
            entries.append(Sitemap.Entry(location: SiteURL.statisticsIndicator(indicator.code, query: []).absolute(base: base), changeFrequency: .monthly))
        }
        // What any visitor may find: the sitemap is public, whoever asks.
        for dataset in try await Access.listed(StatDataset.query(on: req.db), for: .visitor).all() {
            entries.append(Sitemap.Entry(location: SiteURL.statisticsDataset(dataset.slug).absolute(base: base), lastModified: dataset.updatedAt))
        }
        for event in try await Access.listed(Event.query(on: req.db), for: .visitor).sort(\.$startsAt, .descending).limit(5000).all() {
            entries.append(Sitemap.Entry(location: SiteURL.event(event.code).absolute(base: base), lastModified: event.updatedAt))
        }
        for country in try await Country.query(on: req.db).sort(\.$iso2).all() {
            entries.append(Sitemap.Entry(location: SiteURL.country(country.iso2.lowercased()).absolute(base: base), changeFrequency: .weekly))
        }
        let documents = try await Access.listed(Document.query(on: req.db), for: .visitor)
            .sort(\.$updatedAt, .descending).limit(Sitemap.maxEntriesPerFile - entries.count).all()
        entries += documents.map { Sitemap.Entry(location: SiteURL.document($0.id!.uuidString).absolute(base: base), lastModified: $0.updatedAt) }
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: "application/xml; charset=utf-8")
        return Response(status: .ok, headers: headers, body: .init(string: try Sitemap.urlSet(entries)))
    }
}
