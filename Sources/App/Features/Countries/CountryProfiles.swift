import Fluent
import FluentSQL
import Foundation
import Vapor

/// Reading, saving and restoring country profiles; every save is a revision.
enum CountryProfiles {
    static let section = "countries"
    static let maxMarkdown = 20_000
    static let maxSources = 4_000

    /// The profile as it stands: the latest revision, or on a fresh install the key facts from
    /// the reference data (number 0).
    static func current(_ country: Country, db: any Database) async throws -> (content: ProfileContent, number: Int) {
        if let latest = try await latestRevision(country, db: db) { return (latest.content, latest.number) }
        return (try await initialContent(country, db: db), 0)
    }

    static func latestRevision(_ country: Country, db: any Database) async throws -> CountryRevision? {
        try await CountryRevision.query(on: db).filter(\.$country.$id == country.requireID()).sort(\.$number, .descending).first()
    }

    /// The content of revision `number` (0: the initial content).
    static func content(_ country: Country, number: Int, db: any Database) async throws -> ProfileContent? {
        if number == 0 { return try await initialContent(country, db: db) }
        return try await CountryRevision.query(on: db).filter(\.$country.$id == country.requireID()).filter(\.$number == number).first()?.content
    }

    /// Key facts from the reference data and its sourced figures; sections empty.
    static func initialContent(_ country: Country, db: any Database) async throws -> ProfileContent {
        let figures = try await CountryFigure.query(on: db).filter(\.$country.$id == country.requireID()).all()
        let byIndicator = Dictionary(figures.map { ($0.indicator, $0) }, uniquingKeysWith: { a, _ in a })
        func figure(_ names: [String]) -> ProfileContent.Figure? {
            names.lazy.compactMap { byIndicator[$0] }.first.map { ProfileContent.Figure(value: $0.value, year: $0.year, source: $0.sourceName) }
        }
        var content = ProfileContent()
        content.facts = ProfileContent.Facts(
            officialName: country.name, capital: country.capital,
            languages: country.officialLanguages.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: "; "),
            currency: country.currency, timeZone: country.timeZone,
            population: figure(["population", "population_un_wpp2024"]), area: figure(["land_area_km2", "total_area_km2"])
        )
        return content
    }

    enum Outcome {
        case saved(number: Int)
        /// Someone saved the same part since `base`: their version and its revision number.
        case conflict(theirs: ProfileContent, number: Int)
    }

    /// Saves one part. When the part changed since the revision the editor started from, nothing
    /// is saved and the caller shows the conflict with the editor's text still in the form.
    static func save(_ part: ProfilePart, from edited: ProfileContent, base: Int, summary: String, country: Country, user: User,
                     app: Application, db: any Database, now: Date) async throws -> Outcome {
        do {
            return try await saveOnce(part, from: edited, base: base, summary: summary, country: country, user: user, app: app, db: db, now: now)
        } catch {
            // Two saves at the same moment: the second meets the first's revision number.
            guard let latest = try await latestRevision(country, db: db), latest.number > base else { throw error }
            return .conflict(theirs: latest.content, number: latest.number)
        }
    }

    private static func saveOnce(_ part: ProfilePart, from edited: ProfileContent, base: Int, summary: String, country: Country, user: User,
                                 app: Application, db: any Database, now: Date) async throws -> Outcome {
        let outcome: Outcome = try await db.transaction { db in
            let (latest, number) = try await current(country, db: db)
            if number != base {
                let original = try await content(country, number: base, db: db) ?? ProfileContent()
                if value(of: part, in: latest) != value(of: part, in: original) { return .conflict(theirs: latest, number: number) }
            }
            var merged = latest
            switch part {
            case .facts: merged.facts = edited.facts
            default: merged.sections[part.rawValue] = edited.section(part.rawValue)
            }
            let revision = CountryRevision()
            revision.$country.id = try country.requireID()
            revision.number = number + 1
            revision.$user.id = try user.requireID()
            revision.at = now
            revision.summary = summary
            revision.part = part.rawValue
            revision.contentJSON = merged.json
            try await revision.create(on: db)
            try await reindex(country, content: merged, app: app, db: db)
            return .saved(number: number + 1)
        }
        return outcome
    }

    /// A new revision with the content of an old one.
    static func restore(_ number: Int, country: Country, user: User, summary: String, app: Application, db: any Database, now: Date) async throws -> Int? {
        try await db.transaction { db in
            guard number > 0, let old = try await content(country, number: number, db: db) else { return nil }
            let (_, latest) = try await current(country, db: db)
            let revision = CountryRevision()
            revision.$country.id = try country.requireID()
            revision.number = latest + 1
            revision.$user.id = try user.requireID()
            revision.at = now
            revision.summary = summary
            revision.part = "restore"
            revision.contentJSON = old.json
            try await revision.create(on: db)
            try await reindex(country, content: old, app: app, db: db)
            return latest + 1
        }
    }

    static func value(of part: ProfilePart, in content: ProfileContent) -> String {
        switch part {
        case .facts: String(decoding: (try? JSONEncoder.sorted.encode(content.facts)) ?? Data(), as: UTF8.self)
        default: String(decoding: (try? JSONEncoder.sorted.encode(content.section(part.rawValue))) ?? Data(), as: UTF8.self)
        }
    }

    // MARK: - Search

    /// Spelling variants of language names, so that either finds the country.
    static let languageVariants: [String: [String]] = [
        "papiamentu": ["Papiamento"], "papiamento": ["Papiamentu"], "haitian creole": ["Kreyòl ayisyen"],
    ]

    static func searchEntry(_ country: Country, content: ProfileContent, catalog: Catalog) -> SearchEntry {
        let names = Language.allCases.map { country.localizedName($0) }
        let facts = content.facts
        let languages = facts.languages.split(whereSeparator: { $0 == ";" || $0 == "\n" }).map { $0.trimmingCharacters(in: .whitespaces) }
        let variants = languages.flatMap { languageVariants[$0.lowercased()] ?? [] }
        let prose = ProfilePart.sections.map { part in
            let section = content.section(part.rawValue)
            return section.markdown + "\n" + section.sources
        }.joined(separator: "\n\n")
        return SearchEntry(
            section: section, itemID: country.iso2.lowercased(), visibility: .public,
            title: country.name, authors: Array(Set(names + [facts.officialName])).sorted().joined(separator: "; "),
            abstract: ([facts.capital] + languages + variants + [country.sovereignState ?? ""]).filter { !$0.isEmpty }.joined(separator: ". "),
            body: "\(country.iso2) \(country.iso3) \(facts.currency) \(facts.timeZone)\n\n" + prose,
            url: SiteURL.country(country.iso2.lowercased()).path, summary: facts.capital,
            tags: [SearchTag("country", country.iso2.lowercased())]
        )
    }

    static func reindex(_ country: Country, content: ProfileContent, app: Application, db: any Database) async throws {
        try await SearchIndexes.make(for: db).upsert(searchEntry(country, content: content, catalog: app.cpmg.catalog), on: db)
    }

    /// Every country's profile into the index (start-up and `cpmg reindex`).
    static func indexAll(app: Application, db: any Database) async throws {
        for country in try await Country.query(on: db).all() {
            try await reindex(country, content: try await current(country, db: db).content, app: app, db: db)
        }
    }
}
