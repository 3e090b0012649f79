import Foundation
import Vapor

/// The event form, read and checked; times are turned into instants in the event's zone.
struct EventForm {
    var title = ""
    var kind = Event.Kind.meeting.rawValue
    var description = ""
    var allDay = true
    var firstDay = ""
    var lastDay = ""
    var startTime = "09:00"
    var endTime = "17:00"
    var timeZone = ""
    var venue = ""
    var city = ""
    var country = ""
    var online = false
    var onlineLink = ""
    var organisers = ""
    var funders = ""
    var network = ""
    var themes: [String] = []
    var visibility = Visibility.public.rawValue
    var status = Event.Status.planned.rawValue
    var contact = ""
    var registrationOpen = false
    var capacity = ""
    var deadline = ""

    /// What the checks produce, for saving.
    struct Checked {
        var startsAt: Date
        var endsAt: Date
        var capacity: Int?
        var deadline: Date?
    }

    init() {}

    init(_ event: Event, countryCode: String?, networkSlug: String?, themes: [String]) {
        title = event.title
        kind = event.kind.rawValue
        description = event.descriptionMarkdown
        allDay = event.allDay
        firstDay = event.firstDay
        lastDay = event.lastDay
        let zone = TimeZone(identifier: event.timeZone) ?? .gmt
        startTime = EventTime.clock(event.startsAt, zone)
        endTime = EventTime.clock(event.endsAt, zone)
        timeZone = event.timeZone
        venue = event.venue
        city = event.city
        country = countryCode ?? ""
        online = event.online
        onlineLink = event.onlineLink
        organisers = event.organisers
        funders = event.funders
        network = networkSlug ?? ""
        self.themes = themes
        visibility = event.visibility.rawValue
        status = event.status.rawValue
        contact = event.contact
        registrationOpen = event.registrationOpen
        capacity = event.capacity.map(String.init) ?? ""
        deadline = event.registrationDeadline.map { EventTime.day($0, zone) } ?? ""
    }

    /// Reads the submitted form (`themes[]` repeated).
    init(_ input: FormInput, themes: [String]) {
        title = input["title"]
        kind = input["kind"]
        description = input.multiline("description")
        allDay = input["allDay"] == "1"
        firstDay = input["firstDay"]
        lastDay = input["lastDay"]
        startTime = input["startTime"]
        endTime = input["endTime"]
        timeZone = input["timeZone"]
        venue = input["venue"]
        city = input["city"]
        country = input["country"]
        online = input["online"] == "1"
        onlineLink = input["onlineLink"]
        organisers = input["organisers"]
        funders = input["funders"]
        network = input["network"]
        self.themes = themes
        visibility = input["visibility"]
        status = input["status"]
        contact = input["contact"]
        registrationOpen = input["registrationOpen"] == "1"
        capacity = input["capacity"]
        deadline = input["deadline"]
    }

    /// Every problem named at its field; the instants when there is none.
    func check(countries: Set<String>, networks: Set<String>, themeSlugs: Set<String>, errors: inout FormErrors) -> Checked? {
        func text(_ name: String, _ value: String, required: Bool = true, max: Int) {
            if required && value.isEmpty { errors.add(name, "form.required") }
            else if value.count > max { errors.add(name, "form.tooLong") }
        }
        text("title", title, max: 200)
        if Event.Kind(rawValue: kind) == nil { errors.add("kind", "form.required") }
        text("description", description, required: false, max: 20_000)
        text("venue", venue, required: false, max: 200)
        text("city", city, required: false, max: 100)
        text("organisers", organisers, required: false, max: 500)
        text("funders", funders, required: false, max: 500)
        text("contact", contact, required: false, max: 300)
        if !country.isEmpty && !countries.contains(country) { errors.add("country", "events.form.unknownCountry") }
        if !network.isEmpty && !networks.contains(network) { errors.add("network", "events.form.unknownNetwork") }
        if themes.contains(where: { !themeSlugs.contains($0) }) { errors.add("themes", "events.form.unknownTheme") }
        if Visibility(rawValue: visibility) == nil || visibility == Visibility.draft.rawValue { errors.add("visibility", "form.required") }
        if Event.Status(rawValue: status) == nil { errors.add("status", "form.required") }
        if !onlineLink.isEmpty, !(onlineLink.hasPrefix("https://") || onlineLink.hasPrefix("http://")) || onlineLink.count > 500 || URL(string: onlineLink) == nil {
            errors.add("onlineLink", "events.form.linkInvalid")
        }
        if online && onlineLink.isEmpty && city.isEmpty { errors.add("onlineLink", "events.form.linkRequired") }
        if !online && city.isEmpty { errors.add("city", "events.form.placeRequired") }

        let zone = TimeZone(identifier: timeZone)
        if timeZone.isEmpty { errors.add("timeZone", "form.required") }
        else if zone == nil || !timeZone.contains("/") { errors.add("timeZone", "events.form.timeZoneUnknown") }
        let first = EventTime.date(firstDay)
        let last = EventTime.date(lastDay)
        if firstDay.isEmpty { errors.add("firstDay", "form.required") } else if first == nil { errors.add("firstDay", "events.form.dateInvalid") }
        if lastDay.isEmpty { errors.add("lastDay", "form.required") } else if last == nil { errors.add("lastDay", "events.form.dateInvalid") }
        if !allDay {
            if EventTime.minutes(startTime) == nil { errors.add("startTime", "events.form.timeInvalid") }
            if EventTime.minutes(endTime) == nil { errors.add("endTime", "events.form.timeInvalid") }
        }
        var capacityValue: Int? = nil
        if !capacity.isEmpty {
            if let value = Int(capacity), value >= 0, value <= 100_000 { capacityValue = value } else { errors.add("capacity", "events.form.capacityInvalid") }
        }
        var deadlineValue: Date? = nil
        if !deadline.isEmpty, let zone {
            if let day = EventTime.date(deadline), let end = EventTime.instant(day: day, minutes: 24 * 60 - 1, zone: zone) { deadlineValue = end.addingTimeInterval(59) }
            else { errors.add("deadline", "events.form.dateInvalid") }
        }
        guard let zone, let first, let last, errors.isEmpty else { return nil }
        let start: Date?
        let end: Date?
        if allDay {
            start = EventTime.instant(day: first, minutes: 0, zone: zone)
            end = EventTime.instant(day: EventTime.adding(days: 1, to: last), minutes: 0, zone: zone)
        } else {
            start = EventTime.instant(day: first, minutes: EventTime.minutes(startTime) ?? 0, zone: zone)
            end = EventTime.instant(day: last, minutes: EventTime.minutes(endTime) ?? 0, zone: zone)
        }
        guard let start, let end else { errors.add("firstDay", "events.form.dateInvalid"); return nil }
        if end <= start { errors.add(allDay ? "lastDay" : "endTime", "events.form.endBeforeStart"); return nil }
        if let deadlineValue, deadlineValue > end { errors.add("deadline", "events.form.deadlineAfterEnd"); return nil }
        return Checked(startsAt: start, endsAt: end, capacity: capacityValue, deadline: deadlineValue)
    }
}

/// Days and clock times in an event's zone (Gregorian, yyyy-mm-dd and HH:mm).
enum EventTime {
    static func calendar(_ zone: TimeZone) -> Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        calendar.locale = Locale(identifier: "en_US_POSIX")
        return calendar
    }

    /// yyyy-mm-dd as components, checked (no 30 February).
    static func date(_ text: String) -> DateComponents? {
        let parts = text.split(separator: "-").map { Int($0) }
        guard text.count == 10, parts.count == 3, let y = parts[0], let m = parts[1], let d = parts[2], (1900...2200).contains(y) else { return nil }
        let calendar = calendar(TimeZone(identifier: "UTC")!)
        guard let date = calendar.date(from: DateComponents(year: y, month: m, day: d)) else { return nil }
        let back = calendar.dateComponents([.year, .month, .day], from: date)
        guard back.year == y, back.month == m, back.day == d else { return nil }
        return DateComponents(year: y, month: m, day: d)
    }

    static func adding(days: Int, to day: DateComponents) -> DateComponents {
        let calendar = calendar(TimeZone(identifier: "UTC")!)
        let date = calendar.date(byAdding: .day, value: days, to: calendar.date(from: day)!)!
        return calendar.dateComponents([.year, .month, .day], from: date)
    }

    /// HH:mm → minutes after midnight.
    static func minutes(_ text: String) -> Int? {
        let parts = text.split(separator: ":").map { Int($0) }
        guard parts.count == 2, let h = parts[0], let m = parts[1], (0...23).contains(h), (0...59).contains(m) else { return nil }
        return h * 60 + m
    }

    static func instant(day: DateComponents, minutes: Int, zone: TimeZone) -> Date? {
        var components = day
        components.hour = minutes / 60
        components.minute = minutes % 60
        return calendar(zone).date(from: components)
    }

    static func day(_ date: Date, _ zone: TimeZone) -> String {
        let c = calendar(zone).dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0)
    }

    static func clock(_ date: Date, _ zone: TimeZone) -> String {
        let c = calendar(zone).dateComponents([.hour, .minute], from: date)
        return String(format: "%02d:%02d", c.hour ?? 0, c.minute ?? 0)
    }
}
