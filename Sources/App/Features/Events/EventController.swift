import CSVParser
import Fluent
import Foundation
import Vapor

/// `/events…`: the calendar, event pages, editing, registration, outcomes and iCalendar feeds.
struct EventController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(SiteURL.events(query: []).route, use: index)
        routes.get(SiteURL.eventsICS(query: []).route, use: feedICS)
        routes.get(SiteURL.eventNew.route, use: newForm)
        routes.post(SiteURL.eventNew.route, use: create)
        routes.get(SiteURL.event(":id").route, use: show)
        routes.get(SiteURL.eventEdit(":id").route, use: editForm)
        routes.post(SiteURL.eventEdit(":id").route, use: update)
        routes.post(SiteURL.eventRegister(":id").route, use: register)
        routes.post(SiteURL.eventCancel(":id").route, use: cancel)
        routes.get(SiteURL.eventAttendees(":id").route, use: attendees)
        routes.get(SiteURL.eventAttendeesCSV(":id").route, use: attendeesCSV)
        routes.post(SiteURL.eventOutcomes(":id").route, use: addOutcome)
        routes.post(SiteURL.eventOutcomeRemove(":id", ":document").route, use: removeOutcome)
        routes.get("calendar", ":token", use: privateFeed)
        routes.get(SiteURL.eventsFeed.route, use: atom)
        routes.get(SiteURL.accountCalendar.route, use: accountCalendar)
        routes.post(SiteURL.accountCalendar.route, use: newCalendarToken)
    }

    // MARK: - Finding events

    /// The event of the path when the viewer may see it; 404 otherwise (never a hint that it exists).
    private func visibleEvent(_ req: Request, id raw: String? = nil) async throws -> Event {
        let text = raw ?? req.parameters.get("id") ?? ""
        guard let id = UUID(uuidString: text), let event = try await Event.find(id, on: req.db), Access.canView(req.viewer, event) else {
            throw Abort(.notFound)
        }
        return event
    }

    private func requireOrganiser(_ req: Request, _ event: Event) throws {
        try req.authorize(.organiseEvent(networkID: event.$network.id))
    }

    // MARK: - Calendar pages

    func index(req: Request) async throws -> Response {
        let filters = EventCalendar.Filters(pairs: req.queryPairs)
        let references = try await req.application.cpmg.references.get(req.db, now: req.now)
        var model = EventPages.IndexModel(filters: filters, mode: .upcoming, events: [], month: nil,
                                          canCreate: Access.can(req.viewer, .createEvent), references: references)
        if let month = req.query[String.self, at: "month"] {
            guard let start = EventPages.monthStart(month) else {
                return req.page(.badRequest, title: req.t("events.title")) { EventPages.badMonth(month, $0) }
            }
            let zone = TimeZone(identifier: "America/Port_of_Spain")!
            let from = EventTime.instant(day: start, minutes: 0, zone: zone)!.addingTimeInterval(-86_400)
            let to = EventTime.instant(day: EventTime.adding(days: 32, to: start), minutes: 0, zone: zone)!
            model.mode = .month
            model.month = start
            model.events = try await EventCalendar.events(.between(from, to), filters: filters, viewer: req.viewer, db: req.db, now: req.now)
        } else if req.query[String.self, at: "past"] == "1" {
            model.mode = .past
            model.events = try await EventCalendar.events(.past, filters: filters, viewer: req.viewer, db: req.db, now: req.now, limit: 200)
            model.outcomeCounts = try await outcomeCounts(model.events, req: req)
        } else {
            model.events = try await EventCalendar.events(.upcoming, filters: filters, viewer: req.viewer, db: req.db, now: req.now, limit: 200)
        }
        model.userZone = try await userZone(req)
        let feed = SiteURL.eventsICS(query: filters.query).path
        return req.page(title: req.t("events.title"), current: .events(query: []),
                        head: .link(.rel(.alternate), .type("text/calendar"), .attr("href", feed), .attr("title", req.t("events.subscribe")))) {
            EventPages.index(model, $0)
        }
    }

    private func outcomeCounts(_ events: [Event], req: Request) async throws -> [UUID: Int] {
        let ids = events.compactMap(\.id)
        guard !ids.isEmpty else { return [:] }
        var counts: [UUID: Int] = [:]
        for outcome in try await EventOutcome.query(on: req.db).filter(\.$event.$id ~~ ids).all() { counts[outcome.$event.id, default: 0] += 1 }
        return counts
    }

    /// The signed-in user's zone (their country's), for showing times twice.
    private func userZone(_ req: Request) async throws -> String? {
        guard let iso2 = req.currentUser?.countryISO2 else { return nil }
        return try await Country.query(on: req.db).filter(\.$iso2 == iso2.uppercased()).first()?.timeZone
    }

    func show(req: Request) async throws -> Response {
        let raw = req.parameters.get("id") ?? ""
        if raw.hasSuffix(".ics") {
            let event = try await visibleEvent(req, id: String(raw.dropLast(4)))
            let text = EventCalendar.document([event], name: event.title, app: req.application, now: req.now, includeLinks: Access.can(req.viewer, .seeMemberDetails))
            return EventCalendar.response(text, filename: "\(event.slug).ics")
        }
        let event = try await visibleEvent(req)
        let eventID = try event.requireID()
        let themes = try await EventTheme.query(on: req.db).filter(\.$event.$id == eventID).with(\.$theme).all().map(\.theme)
        let country = try await event.$country.get(on: req.db)
        let network = try await event.$network.get(on: req.db)
        let registrations = try await EventRegistration.query(on: req.db).filter(\.$event.$id == eventID).all()
        let mine = req.viewer.userID.flatMap { id in registrations.first { $0.$user.id == id } }
        let outcomes = try await EventOutcome.query(on: req.db).filter(\.$event.$id == eventID).with(\.$document).all()
        let listed = Set(try await Access.listed(Document.query(on: req.db), for: req.viewer).filter(\.$id ~~ outcomes.map { $0.$document.id }).all(\.$id))
        let visibleOutcomes = outcomes.filter { listed.contains($0.$document.id) }
        let model = EventPages.ShowModel(
            event: event, themes: themes, country: country, network: network,
            registered: registrations.filter { $0.status == .registered }.count,
            waiting: registrations.filter { $0.status == .waiting }.count,
            mine: mine?.status, closedReason: EventRegistrations.closedReason(event, now: req.now),
            outcomes: visibleOutcomes, hiddenOutcomes: outcomes.count - visibleOutcomes.count,
            isOrganiser: Access.can(req.viewer, .organiseEvent(networkID: event.$network.id)),
            userZone: try await userZone(req), base: req.application.cpmg.settings.publicURL, now: req.now
        )
        return req.page(title: event.title, current: .events(query: []),
                        head: .element(named: "script", nodes: [.attr("type", "application/ld+json"), .raw(EventPages.jsonLD(model))])) {
            EventPages.show(model, $0)
        }
    }

    // MARK: - Creating and editing

    func newForm(req: Request) async throws -> Response {
        try req.authorize(.createEvent)
        var form = EventForm()
        form.timeZone = "America/Port_of_Spain"
        return try await renderForm(req, form: form, errors: FormErrors(), event: nil)
    }

    func create(req: Request) async throws -> Response {
        try req.authorize(.createEvent)
        let user = try req.requireUser()
        let (form, checked, errors) = try await read(req)
        guard let checked, errors.isEmpty else { return try await renderForm(req, form: form, errors: errors, event: nil, status: .unprocessableEntity) }
        let event = Event()
        event.slug = EventPages.slug(form.title, day: form.firstDay) + "-" + String(UUID().uuidString.prefix(6)).lowercased()
        event.sequence = 0
        event.$creator.id = try user.requireID()
        try await save(event, form: form, checked: checked, req: req)
        return req.redirect(to: .event(event.code), notice: "notice.eventSaved")
    }

    func editForm(req: Request) async throws -> Response {
        let event = try await visibleEvent(req)
        try requireOrganiser(req, event)
        let country = try await event.$country.get(on: req.db)
        let network = try await event.$network.get(on: req.db)
        let themes = try await EventTheme.query(on: req.db).filter(\.$event.$id == event.requireID()).with(\.$theme).all().map(\.theme.slug)
        let form = EventForm(event, countryCode: country?.iso2.lowercased(), networkSlug: network?.slug, themes: themes)
        return try await renderForm(req, form: form, errors: FormErrors(), event: event)
    }

    func update(req: Request) async throws -> Response {
        let event = try await visibleEvent(req)
        try requireOrganiser(req, event)
        let (form, checked, errors) = try await read(req)
        guard let checked, errors.isEmpty else { return try await renderForm(req, form: form, errors: errors, event: event, status: .unprocessableEntity) }
        event.sequence += 1
        try await save(event, form: form, checked: checked, req: req)
        return req.redirect(to: .event(event.code), notice: "notice.eventSaved")
    }

    private func read(_ req: Request) async throws -> (EventForm, EventForm.Checked?, FormErrors) {
        // Read by hand: the themes are a repeated field, which a [String: String] form cannot hold.
        let pairs = req.bodyPairs()
        let input = FormInput(values: Dictionary(pairs.filter { !$0.0.hasSuffix("[]") }, uniquingKeysWith: { _, last in last }))
        let form = EventForm(input, themes: pairs.filter { $0.0 == "themes[]" }.map(\.1))
        let snapshot = try await req.application.cpmg.references.get(req.db, now: req.now)
        var errors = FormErrors()
        let checked = form.check(countries: Set(snapshot.countriesByISO2.keys), networks: Set(snapshot.networksBySlug.keys),
                                 themeSlugs: Set(snapshot.themesBySlug.keys), errors: &errors)
        // Coordinators (not editors) may only file events under a network they coordinate.
        if !Access.can(req.viewer, .organiseEvent(networkID: snapshot.networksBySlug[form.network]?.id)) {
            errors.add("network", "events.form.networkYours")
        }
        return (form, errors.isEmpty ? checked : nil, errors)
    }

    private func save(_ event: Event, form: EventForm, checked: EventForm.Checked, req: Request) async throws {
        let snapshot = try await req.application.cpmg.references.get(req.db, now: req.now)
        event.title = form.title
        event.kind = Event.Kind(rawValue: form.kind) ?? .meeting
        event.descriptionMarkdown = form.description
        event.allDay = form.allDay
        event.firstDay = form.firstDay
        event.lastDay = form.lastDay
        event.startsAt = checked.startsAt
        event.endsAt = checked.endsAt
        event.timeZone = form.timeZone
        event.venue = form.venue
        event.city = form.city
        event.$country.id = form.country.isEmpty ? nil : snapshot.countriesByISO2[form.country]?.id
        event.online = form.online
        event.onlineLink = form.onlineLink
        event.organisers = form.organisers
        event.funders = form.funders
        event.$network.id = form.network.isEmpty ? nil : snapshot.networksBySlug[form.network]?.id
        event.visibility = Visibility(rawValue: form.visibility) ?? .public
        event.status = Event.Status(rawValue: form.status) ?? .planned
        event.contact = form.contact
        event.registrationOpen = form.registrationOpen
        event.capacity = checked.capacity
        event.registrationDeadline = checked.deadline
        try await req.db.transaction { db in
            try await event.save(on: db)
            let eventID = try event.requireID()
            try await EventTheme.query(on: db).filter(\.$event.$id == eventID).delete()
            for slug in Set(form.themes) { if let id = snapshot.themesBySlug[slug]?.id { try await EventTheme(eventID: eventID, themeID: id).create(on: db) } }
            try await EventIndexing.reindex(event, app: req.application, db: db)
        }
    }

    private func renderForm(_ req: Request, form: EventForm, errors: FormErrors, event: Event?, status: HTTPResponseStatus = .ok) async throws -> Response {
        let snapshot = try await req.application.cpmg.references.get(req.db, now: req.now)
        let title = event == nil ? req.t("events.new.title") : req.t("events.edit.title", ["title": event!.title])
        return req.page(status, title: title, current: .events(query: [])) {
            EventPages.form(form, errors: errors, event: event, references: snapshot, context: $0)
        }
    }

    // MARK: - Registration

    func register(req: Request) async throws -> Response {
        let event = try await visibleEvent(req)
        let user = try req.requireUser()
        let outcome = try await EventRegistrations.register(user, for: event, app: req.application, db: req.db, now: req.now, t: req.t)
        let notice: String = switch outcome {
        case .registered: "notice.eventRegistered"
        case .waiting: "notice.eventWaiting"
        case .alreadyRegistered: "notice.eventAlreadyRegistered"
        case .alreadyWaiting: "notice.eventAlreadyWaiting"
        case .closed: "notice.eventClosed"
        case .notOpen: "notice.eventNotOpen"
        }
        return req.redirect(to: .event(event.code), notice: notice)
    }

    /// A member may always give up their own place, even when the event has since been
    /// restricted to others; they are then sent back to their account, which names no title.
    func cancel(req: Request) async throws -> Response {
        let user = try req.requireUser()
        guard let id = req.parameters.get("id", as: UUID.self), let event = try await Event.find(id, on: req.db) else { throw Abort(.notFound) }
        guard Access.canView(req.viewer, event) else {
            let registered = try await EventRegistration.query(on: req.db).filter(\.$event.$id == id)
                .filter(\.$user.$id == user.requireID()).filter(\.$status != .cancelled).count() > 0
            guard registered else { throw Abort(.notFound) }
            _ = try await EventRegistrations.cancel(user, for: event, app: req.application, db: req.db, now: req.now)
            return req.redirect(to: .account, notice: "notice.eventCancelled")
        }
        let done = try await EventRegistrations.cancel(user, for: event, app: req.application, db: req.db, now: req.now)
        return req.redirect(to: .event(event.code), notice: done ? "notice.eventCancelled" : "notice.eventNothingToCancel")
    }

    func attendees(req: Request) async throws -> Response {
        let event = try await visibleEvent(req)
        try requireOrganiser(req, event)
        let rows = try await attendeeRows(event, req: req)
        return req.page(title: req.t("events.attendees.title", ["title": event.title]), current: .events(query: [])) {
            EventPages.attendees(event: event, rows: rows, context: $0)
        }
    }

    func attendeesCSV(req: Request) async throws -> Response {
        let event = try await visibleEvent(req)
        try requireOrganiser(req, event)
        let rows = try await attendeeRows(event, req: req)
        var lines = [["name", "email", "organisation", "country", "position", "status", "registered_at"]]
        let formatter = ISO8601DateFormatter()
        for row in rows {
            lines.append([row.user.name, row.user.email, row.user.organisation, row.user.countryISO2 ?? "", row.user.position,
                          row.registration.status.rawValue, formatter.string(from: row.registration.requestedAt)])
        }
        let text = lines.map { CSVCell.record($0.map(CSVCell.text)) }.joined(separator: "\r\n") + "\r\n"
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: "text/csv; charset=utf-8")
        headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"attendees-\(event.slug).csv\"")
        return Response(status: .ok, headers: headers, body: .init(string: "\u{FEFF}" + text))
    }

    private func attendeeRows(_ event: Event, req: Request) async throws -> [EventPages.AttendeeRow] {
        let registrations = try await EventRegistration.query(on: req.db).filter(\.$event.$id == event.requireID())
            .filter(\.$status != .cancelled).with(\.$user).sort(\.$requestedAt).all()
        return registrations.sorted { ($0.status == .registered ? 0 : 1, $0.requestedAt) < ($1.status == .registered ? 0 : 1, $1.requestedAt) }
            .map { EventPages.AttendeeRow(registration: $0, user: $0.user) }
    }

    // MARK: - Outcomes

    func addOutcome(req: Request) async throws -> Response {
        let event = try await visibleEvent(req)
        try requireOrganiser(req, event)
        let input = try FormInput.read(req)
        // A document's address or id, as pasted.
        let reference = input["document"]
        let idText = reference.split(separator: "/").map(String.init).last { UUID(uuidString: $0) != nil } ?? reference
        guard let id = UUID(uuidString: idText), let document = try await Document.find(id, on: req.db), Access.canView(req.viewer, document) else {
            return req.redirect(to: .event(event.code), notice: "notice.eventOutcomeUnknown")
        }
        let role = EventOutcome.Role(rawValue: input["role"]) ?? .other
        let eventID = try event.requireID()
        if try await EventOutcome.query(on: req.db).filter(\.$event.$id == eventID).filter(\.$document.$id == id).first() == nil {
            let outcome = EventOutcome()
            outcome.$event.id = eventID
            outcome.$document.id = id
            outcome.role = role
            try await outcome.create(on: req.db)
        }
        return req.redirect(to: SiteURL.event(event.code).path + "#outcomes", notice: "notice.eventOutcomeAdded")
    }

    func removeOutcome(req: Request) async throws -> Response {
        let event = try await visibleEvent(req)
        try requireOrganiser(req, event)
        guard let id = UUID(uuidString: req.parameters.get("document") ?? "") else { throw Abort(.notFound) }
        try await EventOutcome.query(on: req.db).filter(\.$event.$id == event.requireID()).filter(\.$document.$id == id).delete()
        return req.redirect(to: SiteURL.event(event.code).path + "#outcomes", notice: "notice.eventOutcomeRemoved")
    }

    // MARK: - Feeds

    /// The public calendar feed: public events only, whoever asks.
    func feedICS(req: Request) async throws -> Response {
        let filters = EventCalendar.Filters(pairs: req.queryPairs)
        let events = try await EventCalendar.events(.all, filters: filters, viewer: .visitor, db: req.db, now: req.now, limit: 1000)
        let text = EventCalendar.document(events, name: "CPMG — " + req.application.cpmg.catalog.localizer(.en)("events.title"),
                                          app: req.application, now: req.now, includeLinks: false)
        return EventCalendar.response(text, filename: "cpmg-events.ics")
    }

    /// A member's private feed: what they may see, by the token in the address.
    func privateFeed(req: Request) async throws -> Response {
        let raw = req.parameters.get("token") ?? ""
        guard raw.hasSuffix(".ics"), let viewer = try await EventCalendar.viewer(forToken: String(raw.dropLast(4)), db: req.db) else {
            throw Abort(.notFound)
        }
        let events = try await EventCalendar.events(.all, filters: EventCalendar.Filters(), viewer: viewer, db: req.db, now: req.now, limit: 1000)
        let text = EventCalendar.document(events, name: "CPMG — " + req.application.cpmg.catalog.localizer(.en)("events.title"),
                                          app: req.application, now: req.now, includeLinks: Access.can(viewer, .seeMemberDetails))
        return EventCalendar.response(text, filename: "cpmg-my-events.ics")
    }

    func atom(req: Request) async throws -> Response {
        let events = try await EventCalendar.events(.all, filters: EventCalendar.Filters(), viewer: .visitor, db: req.db, now: req.now, limit: 50)
        return EventPages.atom(events, app: req.application, now: req.now)
    }

    func accountCalendar(req: Request) async throws -> Response {
        _ = try req.requireUser()
        let has = try await CalendarToken.query(on: req.db).filter(\.$user.$id == req.viewer.userID!).first() != nil
        return req.page(title: req.t("events.calendar.title")) { EventPages.accountCalendar(token: nil, hasToken: has, context: $0) }
    }

    func newCalendarToken(req: Request) async throws -> Response {
        let user = try req.requireUser()
        let token = try await EventCalendar.newToken(for: user, db: req.db)
        return req.page(title: req.t("events.calendar.title")) {
            EventPages.accountCalendar(token: SiteURL.privateCalendar(token).absolute(base: req.application.cpmg.settings.publicURL), hasToken: true, context: $0)
        }
    }
}

extension Request {
    /// The (name, value) pairs of an url-encoded body, repeated names kept (`themes[]=a&themes[]=b`).
    func bodyPairs() -> [(String, String)] {
        guard let body = body.string else { return [] }
        return body.split(separator: "&").compactMap { pair -> (String, String)? in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                .map { String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0) }
            guard let name = parts.first, !name.isEmpty else { return nil }
            return (name, parts.count > 1 ? parts[1] : "")
        }
    }
}
