import Fluent
import Foundation
import Vapor

/// The events of the platform's original description, put in the calendar on a fresh install
/// (each once, by its slug; never changed afterwards).
enum EventSeed {
    struct Item {
        var slug, title: String
        var kind: Event.Kind
        var first, last, zone, city, country: String
        var network: String?
        var themes: [String]
        var organisers, funders, description: String
    }

    static let items: [Item] = [
        Item(slug: "refugee-network-technical-workshop-2017", title: "Technical Workshop of the Refugee Specialized Thematic Network",
             kind: .workshop, first: "2017-12-05", last: "2017-12-06", zone: "America/Nassau", city: "Nassau", country: "BS",
             network: "refugee-protection", themes: ["refugee-protection"], organisers: "Caribbean Migration Consultations",
             funders: "Funded by UNHCR.", description: "Technical workshop of the CMC's Refugee Specialized Thematic Network."),
        Item(slug: "human-mobility-and-disasters-workshop-2018", title: "Workshop on Human Mobility and Disasters in the Caribbean",
             kind: .workshop, first: "2018-04-10", last: "2018-04-11", zone: "America/Santo_Domingo", city: "Santo Domingo", country: "DO",
             network: "climate-change", themes: ["climate-change", "emergency-preparedness"],
             organisers: "IOM, Migrants in Countries in Crisis (MICIC) initiative", funders: "Implemented with funds from PRM.",
             description: "Implemented by IOM's Migrants in Countries in Crisis (MICIC) initiative with funds from PRM. Additional coordination with the Caribbean Disaster Emergency Management Agency (CDEMA), the Disaster Displacement Platform and the Government of the Dominican Republic."),
        Item(slug: "counter-trafficking-network-first-meeting-2018", title: "First Meeting of the CMC Counter-Trafficking Network",
             kind: .meeting, first: "2018-04-26", last: "2018-04-27", zone: "America/Port_of_Spain", city: "Port of Spain", country: "TT",
             network: "counter-trafficking", themes: ["counter-trafficking"], organisers: "Caribbean Migration Consultations",
             funders: "Funded through a project with funds from PRM.", description: "First meeting of the Caribbean Migration Consultations Counter-Trafficking Network."),
    ]

    static func load(on db: any Database) async throws {
        let countries = Dictionary(uniqueKeysWithValues: try await Country.query(on: db).all().map { ($0.iso2, $0) })
        let networks = Dictionary(try await Network.query(on: db).all().map { ($0.slug, $0) }, uniquingKeysWith: { a, _ in a })
        let themes = Dictionary(try await Theme.query(on: db).all().map { ($0.slug, $0) }, uniquingKeysWith: { a, _ in a })
        for item in items where try await Event.query(on: db).filter(\.$slug == item.slug).first() == nil {
            guard let zone = TimeZone(identifier: item.zone), let first = EventTime.date(item.first), let last = EventTime.date(item.last),
                  let start = EventTime.instant(day: first, minutes: 0, zone: zone),
                  let end = EventTime.instant(day: EventTime.adding(days: 1, to: last), minutes: 0, zone: zone) else { continue }
            let event = Event()
            event.slug = item.slug
            event.title = item.title
            event.kind = item.kind
            event.descriptionMarkdown = item.description
            event.allDay = true
            event.firstDay = item.first
            event.lastDay = item.last
            event.startsAt = start
            event.endsAt = end
            event.timeZone = item.zone
            event.venue = ""
            event.city = item.city
            event.$country.id = countries[item.country]?.id
            event.online = false
            event.onlineLink = ""
            event.organisers = item.organisers
            event.funders = item.funders
            event.$network.id = item.network.flatMap { networks[$0]?.id }
            event.visibility = .public
            event.status = .confirmed
            event.contact = ""
            event.registrationOpen = false
            event.sequence = 0
            try await event.create(on: db)
            for slug in item.themes { if let id = themes[slug]?.id { try await EventTheme(eventID: event.requireID(), themeID: id).create(on: db) } }
        }
    }
}

/// Events in the shared search index (public and members-only, with their access tags).
enum EventIndexing {
    static let section = "events"

    static func entry(_ event: Event, app: Application, db: any Database) async throws -> SearchEntry {
        let t = app.cpmg.catalog.localizer(.en)
        let country = try await event.$country.get(on: db)
        let themes = try await EventTheme.query(on: db).filter(\.$event.$id == event.requireID()).with(\.$theme).all().map(\.theme)
        return SearchEntry(
            section: section, itemID: event.code, visibility: event.visibility, networkID: event.$network.id,
            title: event.title, authors: event.organisers, abstract: [event.city, country?.name ?? "", event.funders].filter { !$0.isEmpty }.joined(separator: ". "),
            body: event.descriptionMarkdown, url: SiteURL.event(event.code).path,
            summary: t("events.kind.\(event.kind.rawValue)") + " · " + EventPages.whenText(event, t: t),
            dateKey: Int(event.firstDay.replacingOccurrences(of: "-", with: "")) ?? 0,
            tags: [SearchTag("type", event.kind.rawValue)] + (country.map { [SearchTag("country", $0.iso2.lowercased())] } ?? [])
                + themes.map { SearchTag("theme", $0.slug) }
        )
    }

    static func reindex(_ event: Event, app: Application, db: any Database) async throws {
        try await SearchIndexes.make(for: db).upsert(try await entry(event, app: app, db: db), on: db)
    }

    static func indexAll(app: Application, db: any Database) async throws {
        for event in try await Event.query(on: db).all() { try await reindex(event, app: app, db: db) }
    }
}
