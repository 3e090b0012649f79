import Fluent
import Foundation
import NIOConcurrencyHelpers

/// The countries, themes and networks, read once a minute instead of on every page: every page
/// that lists or filters by them needs them, and decoding 33 countries per request was a sixth
/// of the search page's time. A change made through the platform calls `invalidate()`; another
/// instance sees it within `lifetime`.
public final class ReferenceCache: Sendable {
    public struct Snapshot: Sendable {
        public let countries: [Country]
        public let themes: [Theme]
        public let networks: [Network]
        public let countriesByISO2: [String: Country]
        public let countriesByID: [UUID: Country]
        public var networksBySlug: [String: Network] { Dictionary(networks.map { ($0.slug, $0) }, uniquingKeysWith: { a, _ in a }) }
        public var themesBySlug: [String: Theme] { Dictionary(themes.map { ($0.slug, $0) }, uniquingKeysWith: { a, _ in a }) }
        /// Lower-case alpha-2 → name, per interface language.
        public let countryNames: [Language: [String: String]]

        init(countries: [Country], themes: [Theme], networks: [Network]) {
            self.countries = countries
            self.themes = themes
            self.networks = networks
            countriesByISO2 = Dictionary(uniqueKeysWithValues: countries.map { ($0.iso2.lowercased(), $0) })
            countriesByID = Dictionary(uniqueKeysWithValues: countries.compactMap { c in c.id.map { ($0, c) } })
            var names: [Language: [String: String]] = [:]
            for language in Language.allCases {
                names[language] = Dictionary(uniqueKeysWithValues: countries.map { ($0.iso2.lowercased(), $0.localizedName(language)) })
            }
            countryNames = names
        }

        public func countryName(_ iso2: String, _ language: Language) -> String {
            countryNames[language]?[iso2.lowercased()] ?? iso2.uppercased()
        }

        /// (lower-case alpha-2, name) in the language's alphabetical order, for pickers.
        public func countryOptions(_ language: Language) -> [(code: String, name: String)] {
            (countryNames[language] ?? [:]).map { ($0.key, $0.value) }.sorted { $0.1.localizedCompare($1.1) == .orderedAscending }
        }
    }

    let lifetime: TimeInterval
    private let state = NIOLockedValueBox<(snapshot: Snapshot, loaded: Date)?>(nil)

    public init(lifetime: TimeInterval = 60) {
        self.lifetime = lifetime
    }

    public func get(_ db: any Database, now: Date = Date()) async throws -> Snapshot {
        if let cached = state.withLockedValue({ $0 }), now.timeIntervalSince(cached.loaded) < lifetime {
            return cached.snapshot
        }
        let snapshot = Snapshot(
            countries: try await Country.query(on: db).all(),
            themes: try await Theme.query(on: db).all(),
            networks: try await Network.query(on: db).all()
        )
        state.withLockedValue { $0 = (snapshot, now) }
        return snapshot
    }

    public func invalidate() {
        state.withLockedValue { $0 = nil }
    }
}
