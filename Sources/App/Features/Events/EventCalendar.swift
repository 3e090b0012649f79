import Fluent
import Foundation
import ICalendar
import Vapor

/// Events as iCalendar, and the lists every view and feed draws from.
enum EventCalendar {
    /// Filters of the list and feeds: country (iso2), network (slug), theme (slug), type.
    struct Filters: Equatable, Sendable {
        var country = ""
        var network = ""
        var theme = ""
        var kind = ""

        init() {}
        init(pairs: [(String, String)]) {
            for (name, value) in pairs {
                let clean = String(value.lowercased().prefix(60)).filter { $0.isLetter || $0.isNumber || $0 == "-" }
                switch name {
                case "country": country = clean
                case "network": network = clean
                case "theme": theme = clean
                case "type": kind = clean
                default: break
                }
            }
        }

        var isEmpty: Bool { country.isEmpty && network.isEmpty && theme.isEmpty && kind.isEmpty }
        var query: [URLQueryItem] {
            [("country", country), ("network", network), ("theme", theme), ("type", kind)].filter { !$0.1.isEmpty }.map { URLQueryItem(name: $0.0, value: $0.1) }
        }
    }

    enum Range { case upcoming, past, between(Date, Date), all }

    /// The events the viewer may see, in the range, filtered; soonest first (past: latest first).
    static func events(_ range: Range, filters: Filters, viewer: Viewer, db: any Database, now: Date, limit: Int = 500) async throws -> [Event] {
        let query = Access.listed(Event.query(on: db), for: viewer)
        switch range {
        case .upcoming: query.filter(\.$endsAt >= now).sort(\.$startsAt)
        case .past: query.filter(\.$endsAt < now).sort(\.$startsAt, .descending)
        case .between(let from, let to): query.filter(\.$endsAt > from).filter(\.$startsAt < to).sort(\.$startsAt)
        case .all: query.sort(\.$startsAt, .descending)
        }
        if !filters.kind.isEmpty {
            guard let kind = Event.Kind(rawValue: filters.kind) else { return [] }
            query.filter(\.$kind == kind)
        }
        if !filters.country.isEmpty {
            guard let country = try await Country.query(on: db).filter(\.$iso2 == filters.country.uppercased()).first() else { return [] }
            query.filter(\.$country.$id == country.id)
        }
        if !filters.network.isEmpty {
            guard let network = try await Network.query(on: db).filter(\.$slug == filters.network).first() else { return [] }
            query.filter(\.$network.$id == network.id)
        }
        if !filters.theme.isEmpty {
            guard let theme = try await Theme.query(on: db).filter(\.$slug == filters.theme).first() else { return [] }
            let ids = try await EventTheme.query(on: db).filter(\.$theme.$id == theme.requireID()).all().map { $0.$event.id }
            guard !ids.isEmpty else { return [] }
            query.filter(\.$id ~~ ids)
        }
        return try await query.limit(limit).all()
    }

    /// The events as one iCalendar document. `includeLinks` adds the online link (members only).
    static func document(_ events: [Event], name: String, app: Application, now: Date, includeLinks: Bool) -> String {
        let base = app.cpmg.settings.publicURL
        let host = base.host ?? "cpmg"
        let items = events.map { event -> ICalEvent in
            let zone = event.timeZone
            let when: ICalEvent.When
            if event.allDay, let first = dayDate(event.firstDay), let last = dayDate(event.lastDay) {
                when = .allDay(first: first, last: last)
            } else {
                when = .timed(start: event.startsAt, end: event.endsAt, timeZone: zone)
            }
            var description = event.descriptionMarkdown
            if !event.funders.isEmpty { description += (description.isEmpty ? "" : "\n\n") + event.funders }
            if includeLinks, !event.onlineLink.isEmpty { description += "\n\nOnline: " + event.onlineLink }
            let place = [event.venue, event.city].filter { !$0.isEmpty }.joined(separator: ", ")
            return ICalEvent(
                uid: "event-\(event.slug)@\(host)",
                sequence: event.sequence,
                stamp: event.updatedAt ?? now,
                lastModified: event.updatedAt,
                summary: event.title,
                description: description.isEmpty ? nil : description,
                location: place.isEmpty ? (event.online ? "Online" : nil) : place,
                url: SiteURL.event(event.code).absolute(base: base),
                status: event.status == .cancelled ? .cancelled : event.status == .confirmed ? .confirmed : .tentative,
                when: when,
                organizerName: event.organisers.isEmpty ? nil : event.organisers,
                categories: [event.kind.rawValue]
            )
        }
        return ICalendarWriter(calendarName: name).render(items)
    }

    static func dayDate(_ text: String) -> DayDate? {
        guard let c = EventTime.date(text), let y = c.year, let m = c.month, let d = c.day else { return nil }
        return DayDate(year: y, month: m, day: d)
    }

    static func response(_ text: String, filename: String) -> Response {
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: "text/calendar; charset=utf-8")
        headers.replaceOrAdd(name: .contentDisposition, value: "inline; filename=\"\(filename)\"")
        headers.replaceOrAdd(name: .cacheControl, value: "no-cache")
        return Response(status: .ok, headers: headers, body: .init(string: text))
    }

    // MARK: - Private feeds

    /// A new secret address for the user's private calendar (the old one stops working).
    static func newToken(for user: User, db: any Database) async throws -> String {
        let token = Secret.make()
        let userID = try user.requireID()
        try await CalendarToken.query(on: db).filter(\.$user.$id == userID).delete()
        let row = CalendarToken()
        row.$user.id = userID
        row.tokenHash = Secret.hash(token)
        try await row.create(on: db)
        return token
    }

    /// The viewer a private calendar token stands for (an active member), or nil.
    static func viewer(forToken token: String, db: any Database) async throws -> Viewer? {
        guard token.count >= 20, token.count <= 64,
              let row = try await CalendarToken.query(on: db).filter(\.$tokenHash == Secret.hash(token)).with(\.$user).first(),
              row.user.status == .active else { return nil }
        return try await Viewer.load(for: row.user, db: db)
    }
}
