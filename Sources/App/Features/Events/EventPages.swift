import Foundation
import Plot
import Syndication
import Vapor

/// The views of the calendar.
enum EventPages {

    static func slug(_ title: String, day: String) -> String {
        Slug.from(title, fallback: "event") + (day.count >= 4 ? "-" + day.prefix(4) : "")
    }

    /// "2018-04" → its first day.
    static func monthStart(_ text: String) -> DateComponents? {
        EventTime.date(text + "-01")
    }

    // MARK: - Dates and times

    static func formatter(_ style: String, zone: TimeZone, language: String = "en") -> DateFormatter {
        let formatter = DateFormatter()
        formatter.calendar = Calendar(identifier: .gregorian)
        formatter.locale = Locale(identifier: language)
        formatter.timeZone = zone
        formatter.setLocalizedDateFormatFromTemplate(style)
        return formatter
    }

    /// When, in the event's zone: "5–6 December 2017" or "10 April 2018, 09:00–17:00 (America/Santo_Domingo)".
    static func whenText(_ event: Event, t: Localizer, language: String = "en") -> String {
        let zone = TimeZone(identifier: event.timeZone) ?? .gmt
        let days = formatter("yMMMMd", zone: zone, language: language)
        if event.allDay {
            let first = days.string(from: event.startsAt)
            return event.firstDay == event.lastDay ? first : "\(first) – \(days.string(from: event.endsAt.addingTimeInterval(-1)))"
        }
        let time = formatter("Hm", zone: zone, language: language)
        let sameDay = event.firstDay == event.lastDay
        let start = days.string(from: event.startsAt) + ", " + time.string(from: event.startsAt)
        let end = sameDay ? time.string(from: event.endsAt) : days.string(from: event.endsAt) + ", " + time.string(from: event.endsAt)
        return "\(start) – \(end) (\(event.timeZone))"
    }

    /// The same times in the viewer's zone, when it differs.
    static func yourTime(_ event: Event, zone: String?, t: Localizer, language: String) -> String? {
        guard !event.allDay, let zone, zone != event.timeZone, let tz = TimeZone(identifier: zone),
              tz.secondsFromGMT(for: event.startsAt) != (TimeZone(identifier: event.timeZone) ?? .gmt).secondsFromGMT(for: event.startsAt) else { return nil }
        let days = formatter("yMMMMd", zone: tz, language: language)
        let time = formatter("Hm", zone: tz, language: language)
        return t("events.yourTime", ["time": days.string(from: event.startsAt) + ", " + time.string(from: event.startsAt) + " – " + time.string(from: event.endsAt), "zone": zone])
    }

    static func place(_ event: Event, country: String?) -> String {
        let parts = [event.venue, event.city, country ?? ""].filter { !$0.isEmpty }
        if parts.isEmpty { return event.online ? "Online" : "" }
        return parts.joined(separator: ", ") + (event.online ? " + online" : "")
    }

    // MARK: - Lists

    enum Mode { case upcoming, month, past }

    struct IndexModel {
        var filters: EventCalendar.Filters
        var mode: Mode
        var events: [Event]
        var month: DateComponents?
        var canCreate: Bool
        var references: ReferenceCache.Snapshot
        var outcomeCounts: [UUID: Int] = [:]
        var userZone: String?
    }

    static func index(_ model: IndexModel, _ context: PageContext) -> Node<HTML.BodyContext> {
        let t = context.t
        let f = model.filters
        let thisMonth = String(EventTime.day(Date(), TimeZone(identifier: "America/Port_of_Spain")!).prefix(7))
        return .div(
            .class("events-page"),
            .div(.class("page-head"), .h1(.text(t("events.title"))),
                 .if(model.canCreate, .p(.link(.eventNew, .class("button primary"), .text(t("events.new.link")))))),
            .nav(.class("subnav"), .attr("aria-label", t("events.views")), .ul(
                .li(.el("a", .attr("href", SiteURL.events(query: f.query).path), model.mode == .upcoming ? .attr("aria-current", "page") : .empty, .text(t("events.upcoming")))),
                .li(.el("a", .attr("href", SiteURL.events(query: f.query + [URLQueryItem(name: "month", value: thisMonth)]).path), model.mode == .month ? .attr("aria-current", "page") : .empty, .text(t("events.month")))),
                .li(.el("a", .attr("href", SiteURL.events(query: f.query + [URLQueryItem(name: "past", value: "1")]).path), model.mode == .past ? .attr("aria-current", "page") : .empty, .text(t("events.past")))),
                .li(.el("a", .attr("href", SiteURL.eventsICS(query: f.query).path), .text(t("events.subscribe")))),
                .li(.link(.eventsFeed, .text(t("events.atom"))))
            )),
            filterForm(model, context),
            modeView(model, context)
        )
    }

    static func filterForm(_ model: IndexModel, _ context: PageContext) -> Node<HTML.BodyContext> {
        let t = context.t
        let f = model.filters
        let refs = model.references
        var hidden: [Node<HTML.FormContext>] = []
        if model.mode == .month, let month = model.month { hidden.append(.input(.type(.hidden), .name("month"), .value(String(format: "%04d-%02d", month.year!, month.month!)))) }
        if model.mode == .past { hidden.append(.input(.type(.hidden), .name("past"), .value("1"))) }
        return .form(
            .class("event-filters"), .method(.get), .action(SiteURL.events(query: [])),
            .group(hidden),
            FormField.select(.init(name: "country", label: t("events.filter.country"), value: f.country, required: false), t,
                             options: refs.countryOptions(context.language).map { ($0.code, $0.name) }, prompt: t("events.filter.any")),
            FormField.select(.init(name: "network", label: t("events.filter.network"), value: f.network, required: false), t,
                             options: refs.networks.map { ($0.slug, t("network.\($0.slug)")) }, prompt: t("events.filter.any")),
            FormField.select(.init(name: "theme", label: t("events.filter.theme"), value: f.theme, required: false), t,
                             options: refs.themes.map { ($0.slug, t("theme.\($0.slug)")) }, prompt: t("events.filter.any")),
            FormField.select(.init(name: "type", label: t("events.filter.type"), value: f.kind, required: false), t,
                             options: Event.Kind.allCases.map { ($0.rawValue, t("events.kind.\($0.rawValue)")) }, prompt: t("events.filter.any")),
            .button(.type(.submit), .text(t("events.filter.apply")))
        )
    }

    static func modeView(_ model: IndexModel, _ context: PageContext) -> Node<HTML.BodyContext> {
        switch model.mode {
        case .month: return monthGrid(model, context)
        case .upcoming, .past:
            guard !model.events.isEmpty else {
                return .p(.class("empty"), .text(context.t(model.mode == .past ? "events.noPast" : "events.noUpcoming")))
            }
            return .ol(.class("event-list"), .forEach(model.events) { event in .li(eventItem(event, model, context)) })
        }
    }

    static func eventItem(_ event: Event, _ model: IndexModel, _ context: PageContext) -> Node<HTML.BodyContext> {
        let t = context.t
        let country = event.$country.id.flatMap { model.references.countriesByID[$0] }.map { $0.localizedName(context.language) }
        return .group(
            .h2(.class("event-title"), .link(.event(event.code), .text(event.title)),
                .if(event.status != .confirmed && event.status != .planned, .el("span", .class("badge status-\(event.status.rawValue)"), .text(t("events.status.\(event.status.rawValue)"))))),
            .p(.class("meta"),
               .el("span", .text(t("events.kind.\(event.kind.rawValue)"))), .text(" · "),
               .el("time", .attr("datetime", ISO8601DateFormatter().string(from: event.startsAt)), .text(whenText(event, t: t, language: context.language.rawValue))),
               .text(" · " + place(event, country: country))),
            .unwrap(yourTime(event, zone: model.userZone, t: t, language: context.language.rawValue)) { .p(.class("hint"), .text($0)) },
            .unwrap(event.id.flatMap { model.outcomeCounts[$0] }) { .p(.class("hint"), .text(t.plural("events.outcomeCount", $0))) }
        )
    }

    /// A month as a table (Monday first), each day with its events; on a phone the CSS shows it as a list of the days with events.
    static func monthGrid(_ model: IndexModel, _ context: PageContext) -> Node<HTML.BodyContext> {
        let t = context.t
        guard let month = model.month, let year = month.year, let number = month.month else { return .empty }
        let utc = TimeZone(identifier: "UTC")!
        let calendar = EventTime.calendar(utc)
        let first = calendar.date(from: month)!
        let days = calendar.range(of: .day, in: .month, for: first)!.count
        let weekday = (calendar.component(.weekday, from: first) + 5) % 7 // Monday 0
        let previous = EventTime.adding(days: -1, to: month)
        let next = EventTime.adding(days: days, to: month)
        func key(_ c: DateComponents) -> String { String(format: "%04d-%02d", c.year!, c.month!) }
        func eventsOn(_ day: Int) -> [Event] {
            let text = String(format: "%04d-%02d-%02d", year, number, day)
            return model.events.filter { $0.firstDay <= text && text <= $0.lastDay }
        }
        let monthName = formatter("yMMMM", zone: utc, language: context.language.rawValue).string(from: first)
        let cells: [Int?] = Array(repeating: nil, count: weekday) + (1...days).map { Optional($0) }
        let weeks = stride(from: 0, to: cells.count, by: 7).map { Array(cells[$0..<min(cells.count, $0 + 7)]) }
        let weekdayNames = (0..<7).map { offset -> String in
            let monday = calendar.date(from: DateComponents(year: 2018, month: 1, day: 1 + offset))!
            return formatter("EEEE", zone: utc, language: context.language.rawValue).string(from: monday)
        }
        return .div(
            .class("month"),
            .p(.class("month-nav"),
               .link(.events(query: model.filters.query + [URLQueryItem(name: "month", value: key(previous))]), .text("← " + t("events.previousMonth"))),
               .text(" "),
               .link(.events(query: model.filters.query + [URLQueryItem(name: "month", value: key(next))]), .text(t("events.nextMonth") + " →"))),
            .table(
                .class("month-grid"),
                .el("caption", .text(monthName)),
                .thead(.tr(.forEach(weekdayNames) { .th(.attr("scope", "col"), .text($0)) })),
                .tbody(.forEach(weeks) { week in
                    .tr(.forEach(week + Array(repeating: nil, count: 7 - week.count)) { day in
                        guard let day else { return .td(.class("blank")) }
                        let list = eventsOn(day)
                        return .td(
                            .class(list.isEmpty ? "day" : "day has-events"),
                            .el("span", .class("date"), .text(String(day))),
                            .if(!list.isEmpty, .ul(.forEach(list) { event in .li(.link(.event(event.code), .text(event.title))) }))
                        )
                    })
                })
            ),
            .if(model.events.isEmpty, .p(.class("empty"), .text(t("events.noneThisMonth"))))
        )
    }

    static func badMonth(_ month: String, _ context: PageContext) -> Node<HTML.BodyContext> {
        .div(.class("error-page"), .h1(.text(context.t("events.badMonth.title"))),
             .p(.text(context.t("events.badMonth.text", ["month": String(month.prefix(20))]))), .p(.link(.events(query: []), .text(context.t("events.upcoming")))))
    }

    // MARK: - Event page

    struct ShowModel {
        var event: Event
        var themes: [Theme]
        var country: Country?
        var network: Network?
        var registered: Int
        var waiting: Int
        var mine: EventRegistration.Status?
        var closedReason: EventRegistrations.Outcome?
        var outcomes: [EventOutcome]
        var hiddenOutcomes: Int
        var isOrganiser: Bool
        var userZone: String?
        var base: URL
        var now: Date
    }

    static func show(_ model: ShowModel, _ context: PageContext) -> Node<HTML.BodyContext> {
        let t = context.t
        let event = model.event
        let language = context.language
        let placeText = place(event, country: model.country?.localizedName(language))
        let mapQuery = [event.venue, event.city, model.country?.name ?? ""].filter { !$0.isEmpty }.joined(separator: ", ")
        var mapURL = URLComponents(string: "https://www.openstreetmap.org/search")!
        mapURL.queryItems = [URLQueryItem(name: "query", value: mapQuery)]
        return .div(
            .class("event-page"),
            .h1(.text(event.title)),
            .if(event.status == .cancelled || event.status == .postponed, .p(.class("notice warn"), .text(t("events.status.\(event.status.rawValue).long")))),
            .el("dl", .class("facts"),
                .div(.el("dt", .text(t("events.field.kind"))), .el("dd", .text(t("events.kind.\(event.kind.rawValue)")))),
                .div(.el("dt", .text(t("events.field.when"))), .el("dd", .el("time", .attr("datetime", ISO8601DateFormatter().string(from: event.startsAt)), .text(whenText(event, t: t, language: language.rawValue))),
                     .unwrap(yourTime(event, zone: model.userZone, t: t, language: language.rawValue)) { .el("span", .class("source"), .text($0)) })),
                .div(.el("dt", .text(t("events.field.where"))), .el("dd", .text(placeText),
                     .if(!mapQuery.isEmpty, .group(.text(" "), .el("a", .attr("href", mapURL.url?.absoluteString ?? "#"), .text(t("events.map"))))))),
                .if(event.online || !event.onlineLink.isEmpty, .div(.el("dt", .text(t("events.field.online"))), .el("dd",
                    Access.can(context.viewer, .seeMemberDetails) && !event.onlineLink.isEmpty ? .el("a", .attr("href", event.onlineLink), .text(event.onlineLink)) : .text(t("events.onlineMembers"))))),
                .div(.el("dt", .text(t("events.field.status"))), .el("dd", .text(t("events.status.\(event.status.rawValue)")))),
                .if(!event.organisers.isEmpty, .div(.el("dt", .text(t("events.field.organisers"))), .el("dd", .text(event.organisers)))),
                .if(!event.funders.isEmpty, .div(.el("dt", .text(t("events.field.funders"))), .el("dd", .text(event.funders)))),
                .unwrap(model.network) { network in .div(.el("dt", .text(t("events.field.network"))), .el("dd", .text(t("network.\(network.slug)")))) },
                .if(!model.themes.isEmpty, .div(.el("dt", .text(t("events.field.themes"))), .el("dd", .text(model.themes.map { t("theme.\($0.slug)") }.joined(separator: ", "))))),
                .if(!event.contact.isEmpty, .div(.el("dt", .text(t("events.field.contact"))), .el("dd", .text(event.contact))))
            ),
            .p(.link(.eventICS(event.code), .class("button"), .text(t("events.addToCalendar"))),
               .if(model.isOrganiser, .group(.text(" "), .link(.eventEdit(event.code), .class("button"), .text(t("events.edit.link"))),
                                           .text(" "), .link(.eventAttendees(event.code), .class("button"), .text(t("events.attendees.link")))))),
            .if(!event.descriptionMarkdown.isEmpty, .div(.class("prose"), .raw(MarkdownText.html(event.descriptionMarkdown)))),
            registrationBox(model, context),
            outcomesSection(model, context)
        )
    }

    static func registrationBox(_ model: ShowModel, _ context: PageContext) -> Node<HTML.BodyContext> {
        let t = context.t
        let event = model.event
        guard event.registrationOpen else { return .empty }
        var nodes: [Node<HTML.BodyContext>] = [.h2(.text(t("events.registration.title")))]
        if let capacity = event.capacity {
            nodes.append(.p(.text(t("events.registration.places", ["taken": String(model.registered), "capacity": String(capacity), "waiting": String(model.waiting)]))))
        }
        if let deadline = event.registrationDeadline {
            let zone = TimeZone(identifier: event.timeZone) ?? .gmt
            nodes.append(.p(.class("hint"), .text(t("events.registration.deadline", ["date": formatter("yMMMMd", zone: zone, language: context.language.rawValue).string(from: deadline)]))))
        }
        switch (model.mine, context.viewer.isSignedIn) {
        case (.registered?, _):
            nodes.append(.p(.class("notice"), .text(t("events.registration.youAre"))))
            nodes.append(cancelForm(event, context))
        case (.waiting?, _):
            nodes.append(.p(.class("notice"), .text(t("events.registration.youWait"))))
            nodes.append(cancelForm(event, context))
        case (_, false):
            nodes.append(.p(.link(.login(returnTo: SiteURL.event(event.code).path), .text(t("events.registration.signIn")))))
        default:
            if let reason = model.closedReason {
                nodes.append(.p(.class("notice warn"), .text(t(reason == .closed ? "events.registration.closed" : "events.registration.notOpen"))))
            } else {
                let full = event.capacity.map { model.registered >= $0 } ?? false
                nodes.append(.form(.method(.post), .action(SiteURL.eventRegister(event.code)), Layout.csrfField(context),
                                   .button(.type(.submit), .class("primary"), .text(t(full || model.waiting > 0 ? "events.registration.joinWaiting" : "events.registration.register")))))
            }
        }
        return .section(.id("registration"), .class("registration"), .group(nodes))
    }

    static func cancelForm(_ event: Event, _ context: PageContext) -> Node<HTML.BodyContext> {
        .form(.method(.post), .action(SiteURL.eventCancel(event.code)), Layout.csrfField(context),
              .button(.type(.submit), .text(context.t("events.registration.cancel"))))
    }

    static func outcomesSection(_ model: ShowModel, _ context: PageContext) -> Node<HTML.BodyContext> {
        let t = context.t
        let event = model.event
        guard !model.outcomes.isEmpty || model.hiddenOutcomes > 0 || model.isOrganiser else { return .empty }
        return .section(
            .id("outcomes"),
            .h2(.text(t("events.outcomes.title"))),
            model.outcomes.isEmpty ? .p(.class("empty"), .text(t("events.outcomes.none"))) : .ul(.forEach(model.outcomes) { outcome in
                .li(.link(.document(outcome.document.id!.uuidString), .text(outcome.document.title)),
                    .el("span", .class("meta"), .text(" — " + t("events.outcome.\(outcome.role.rawValue)"))),
                    .if(model.isOrganiser, .form(.method(.post), .class("inline"), .action(SiteURL.eventOutcomeRemove(event.code, outcome.document.id!.uuidString)),
                                                 Layout.csrfField(context), .button(.type(.submit), .class("link"), .text(t("events.outcomes.remove"))))))
            }),
            .if(model.hiddenOutcomes > 0 && !context.viewer.isSignedIn, .p(.class("hint"), .link(.login(returnTo: SiteURL.event(event.code).path), .text(t("events.outcomes.signIn"))))),
            .if(model.isOrganiser, .form(
                .method(.post), .action(SiteURL.eventOutcomes(event.code)), .class("outcome-form"),
                Layout.csrfField(context),
                FormField.input(.init(name: "document", label: t("events.outcomes.document"), hint: t("events.outcomes.documentHint"), maxLength: 300), t),
                FormField.select(.init(name: "role", label: t("events.outcomes.role"), value: "report"), t,
                                 options: EventOutcome.Role.allCases.map { ($0.rawValue, t("events.outcome.\($0.rawValue)")) }),
                .button(.type(.submit), .text(t("events.outcomes.add"))),
                .p(.class("hint"), .el("a", .attr("href", SiteURL.documentNew.path + "?event=" + event.code), .text(t("events.outcomes.upload"))))
            ))
        )
    }

    /// schema.org `Event`.
    static func jsonLD(_ model: ShowModel) -> String {
        let event = model.event
        let iso = ISO8601DateFormatter()
        iso.timeZone = TimeZone(identifier: event.timeZone) ?? .gmt
        var object: [String: Any] = [
            "@context": "https://schema.org", "@type": "Event", "name": event.title,
            "url": SiteURL.event(event.code).absolute(base: model.base),
            "startDate": event.allDay ? event.firstDay : iso.string(from: event.startsAt),
            "endDate": event.allDay ? event.lastDay : iso.string(from: event.endsAt),
            "eventStatus": "https://schema.org/" + ["cancelled": "EventCancelled", "postponed": "EventPostponed"][event.status.rawValue, default: "EventScheduled"],
            "eventAttendanceMode": "https://schema.org/" + (event.online ? (event.city.isEmpty ? "OnlineEventAttendanceMode" : "MixedEventAttendanceMode") : "OfflineEventAttendanceMode"),
        ]
        if !event.descriptionMarkdown.isEmpty { object["description"] = String(event.descriptionMarkdown.prefix(1000)) }
        if !event.city.isEmpty {
            object["location"] = ["@type": "Place", "name": [event.venue, event.city].filter { !$0.isEmpty }.joined(separator: ", "),
                                  "address": ["@type": "PostalAddress", "addressLocality": event.city, "addressCountry": model.country?.iso2 ?? ""]]
        }
        if !event.organisers.isEmpty { object["organizer"] = ["@type": "Organization", "name": event.organisers] }
        if !event.funders.isEmpty { object["funder"] = ["@type": "Organization", "name": event.funders] }
        return JSONLD.encode(object)
    }

    // MARK: - Form

    static func form(_ form: EventForm, errors: FormErrors, event: Event?, references: ReferenceCache.Snapshot, context: PageContext) -> Node<HTML.BodyContext> {
        let t = context.t
        func spec(_ name: String, _ label: String, _ value: String, required: Bool = false, hint: String? = nil, type: HTMLInputType = .text, max: Int? = nil) -> FormField.Spec {
            FormField.Spec(name: name, label: t(label), value: value, error: errors[name], hint: hint.map { t($0) }, type: type, required: required, maxLength: max)
        }
        let action = event.map { SiteURL.eventEdit($0.code) } ?? SiteURL.eventNew
        let labels = ["title": t("events.field.title"), "kind": t("events.field.kind"), "firstDay": t("events.field.firstDay"), "lastDay": t("events.field.lastDay"),
                      "startTime": t("events.field.startTime"), "endTime": t("events.field.endTime"), "timeZone": t("events.field.timeZone"),
                      "city": t("events.field.city"), "country": t("events.field.country"), "onlineLink": t("events.field.onlineLink"),
                      "network": t("events.field.network"), "themes": t("events.field.themes"), "visibility": t("events.field.visibility"),
                      "status": t("events.field.status"), "capacity": t("events.field.capacity"), "deadline": t("events.field.deadline"),
                      "description": t("events.field.description"), "venue": t("events.field.venue"), "organisers": t("events.field.organisers"),
                      "funders": t("events.field.funders"), "contact": t("events.field.contact")]
        let zones = ["America/Port_of_Spain", "America/Jamaica", "America/Nassau", "America/Havana", "America/Santo_Domingo", "America/Port-au-Prince",
                     "America/Barbados", "America/Belize", "America/Guyana", "America/Paramaribo", "America/Puerto_Rico", "America/Curacao", "America/Aruba",
                     "America/Grand_Turk", "Atlantic/Bermuda", "America/Cayman", "America/Martinique", "America/Guadeloupe", "America/Cayenne",
                     "America/Antigua", "America/Dominica", "America/Grenada", "America/St_Kitts", "America/St_Lucia", "America/St_Vincent",
                     "America/Anguilla", "America/Montserrat", "America/Tortola", "America/St_Thomas", "America/Lower_Princes", "America/Kralendijk",
                     "America/Marigot", "America/St_Barthelemy", "America/New_York", "Europe/London", "Europe/Paris", "Europe/Amsterdam", "UTC"]
        let fields: [Node<HTML.FormContext>] = [
            Layout.csrfField(context),
            FormField.input(spec("title", "events.field.title", form.title, required: true, max: 200), t),
            FormField.select(spec("kind", "events.field.kind", form.kind, required: true), t, options: Event.Kind.allCases.map { ($0.rawValue, t("events.kind.\($0.rawValue)")) }),
            FormField.textarea(spec("description", "events.field.description", form.description, hint: "countries.form.markdownHint", max: 20_000), t, rows: 8),
            .div(.class("field"), FormField.checkbox(name: "allDay", value: "1", label: t("events.field.allDay"), checked: form.allDay)),
            FormField.input(spec("firstDay", "events.field.firstDay", form.firstDay, required: true, type: .date), t),
            FormField.input(spec("lastDay", "events.field.lastDay", form.lastDay, required: true, type: .date), t),
            FormField.input(spec("startTime", "events.field.startTime", form.startTime, hint: "events.field.timeHint", type: .time), t),
            FormField.input(spec("endTime", "events.field.endTime", form.endTime, type: .time), t),
            FormField.select(spec("timeZone", "events.field.timeZone", form.timeZone, required: true, hint: "events.field.timeZoneHint"), t,
                             options: (zones.contains(form.timeZone) || form.timeZone.isEmpty ? zones : [form.timeZone] + zones).map { ($0, $0) }),
            FormField.input(spec("venue", "events.field.venue", form.venue, max: 200), t),
            FormField.input(spec("city", "events.field.city", form.city, max: 100), t),
            FormField.select(spec("country", "events.field.country", form.country), t, options: references.countryOptions(context.language).map { ($0.code, $0.name) }, prompt: "—"),
            .div(.class("field"), FormField.checkbox(name: "online", value: "1", label: t("events.field.online"), checked: form.online)),
            FormField.input(spec("onlineLink", "events.field.onlineLink", form.onlineLink, hint: "events.field.onlineLinkHint", type: .url, max: 500), t),
            FormField.input(spec("organisers", "events.field.organisers", form.organisers, max: 500), t),
            FormField.input(spec("funders", "events.field.funders", form.funders, hint: "events.field.fundersHint", max: 500), t),
            FormField.select(spec("network", "events.field.network", form.network), t, options: references.networks.map { ($0.slug, t("network.\($0.slug)")) }, prompt: "—"),
            .element(named: "fieldset", nodes: [
                .class(errors["themes"] == nil ? "field" : "field has-error"), .element(named: "legend", text: t("events.field.themes")),
                .unwrap(errors["themes"]) { .p(.class("field-error"), .id("f-themes-error"), .text(t($0))) },
                .div(.class("checkbox-grid"), .forEach(references.themes) { theme in
                    FormField.checkbox(name: "themes[]", value: theme.slug, label: t("theme.\(theme.slug)"), checked: form.themes.contains(theme.slug))
                }),
            ]),
            FormField.select(spec("visibility", "events.field.visibility", form.visibility, required: true), t,
                             options: [Visibility.public, .members, .network].map { ($0.rawValue, t("visibility.\($0.rawValue)")) }),
            FormField.select(spec("status", "events.field.status", form.status, required: true), t, options: Event.Status.allCases.map { ($0.rawValue, t("events.status.\($0.rawValue)")) }),
            FormField.input(spec("contact", "events.field.contact", form.contact, max: 300), t),
            .div(.class("field"), FormField.checkbox(name: "registrationOpen", value: "1", label: t("events.field.registrationOpen"), checked: form.registrationOpen)),
            FormField.input(spec("capacity", "events.field.capacity", form.capacity, hint: "events.field.capacityHint", type: .number, max: 6), t),
            FormField.input(spec("deadline", "events.field.deadline", form.deadline, type: .date), t),
            .button(.type(.submit), .class("primary"), .text(t("events.form.save"))),
        ]
        return .div(
            .class("event-edit"),
            .h1(.text(event == nil ? t("events.new.title") : t("events.edit.title", ["title": event!.title]))),
            FormField.summary(errors, t, labels: labels),
            .form(.method(.post), .action(action), .group(fields))
        )
    }

    // MARK: - Attendees, calendar address, feed

    struct AttendeeRow {
        var registration: EventRegistration
        var user: User
    }

    static func attendees(event: Event, rows: [AttendeeRow], context: PageContext) -> Node<HTML.BodyContext> {
        let t = context.t
        return .div(
            .h1(.text(t("events.attendees.title", ["title": event.title]))),
            .p(.link(.event(event.code), .text(t("events.attendees.back"))), .text(" · "), .link(.eventAttendeesCSV(event.code), .text(t("events.attendees.csv")))),
            rows.isEmpty ? .p(.class("empty"), .text(t("events.attendees.none"))) : .div(.class("table-scroll"), .table(
                .thead(.tr(.th(.text(t("join.name"))), .th(.text(t("join.organisation"))), .th(.text(t("join.country"))), .th(.text(t("events.attendees.status"))))),
                .tbody(.forEach(rows) { row in
                    .tr(.td(.text(row.user.name)), .td(.text(row.user.organisation)), .td(.text(row.user.countryISO2 ?? "")),
                        .td(.text(t("events.attendees.\(row.registration.status.rawValue)"))))
                })
            ))
        )
    }

    static func accountCalendar(token: String?, hasToken: Bool, context: PageContext) -> Node<HTML.BodyContext> {
        let t = context.t
        return .div(
            .h1(.text(t("events.calendar.title"))),
            .p(.text(t("events.calendar.text"))),
            .unwrap(token) { url in .group(.p(.class("notice"), .text(t("events.calendar.new"))), .p(.el("code", .class("calendar-url"), .text(url)))) },
            .if(token == nil && hasToken, .p(.class("hint"), .text(t("events.calendar.hidden")))),
            .form(.method(.post), .action(SiteURL.accountCalendar), Layout.csrfField(context),
                  .button(.type(.submit), .class("primary"), .text(t(hasToken ? "events.calendar.replace" : "events.calendar.create"))))
        )
    }

    static func atom(_ events: [Event], app: Application, now: Date) -> Response {
        let base = app.cpmg.settings.publicURL
        let host = base.host ?? "cpmg"
        let english = app.cpmg.catalog.localizer(.en)
        let entries = events.map { event in
            AtomEntry(
                id: AtomID.tag(authority: host, date: "2017", specific: "events/\(event.slug)"),
                title: event.title, updated: event.updatedAt ?? now, published: event.createdAt,
                authors: [AtomPerson(name: event.organisers.isEmpty ? "CPMG" : event.organisers)],
                summary: whenText(event, t: english) + " — " + place(event, country: nil) + (event.funders.isEmpty ? "" : ". " + event.funders)
                    + (event.descriptionMarkdown.isEmpty ? "" : "\n\n" + String(event.descriptionMarkdown.prefix(1500))),
                links: [.alternate(SiteURL.event(event.code).absolute(base: base))],
                categories: [AtomCategory(term: event.kind.rawValue, label: english("events.kind.\(event.kind.rawValue)"), scheme: nil)]
            )
        }
        let feed = AtomFeed(
            id: AtomID.tag(authority: host, date: "2017", specific: "events"), title: "CPMG — \(english("events.title"))", subtitle: english("site.name"),
            updated: entries.map(\.updated).max() ?? now,
            links: [.self(SiteURL.eventsFeed.absolute(base: base)), .alternate(SiteURL.events(query: []).absolute(base: base))],
            authors: [AtomPerson(name: "CPMG")], language: "en", entries: entries
        )
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: "application/atom+xml; charset=utf-8")
        return Response(status: .ok, headers: headers, body: .init(string: feed.xml))
    }
}
