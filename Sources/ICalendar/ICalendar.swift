// ICalendar — a small, dependency-free iCalendar (RFC 5545) writer for a
// published events calendar. Foundation only; all public types are Sendable
// value types.

import Foundation

// MARK: - DayDate

/// A calendar day in the proleptic Gregorian calendar, with no time zone.
public struct DayDate: Sendable, Equatable, Comparable, Hashable {
    public var year: Int
    public var month: Int
    public var day: Int

    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// The day `days` days after this one (before it when negative).
    /// Out-of-range months or days are normalised (e.g. 30 February → 2 March).
    public func adding(days: Int) -> DayDate {
        DayDate(dayNumber: dayNumber + days)
    }

    public static func < (lhs: DayDate, rhs: DayDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    /// Days since 1970-01-01.
    var dayNumber: Int {
        let monthIndex = month - 1
        let y = year + floorDiv(monthIndex, 12)
        let m = floorMod(monthIndex, 12) + 1
        return CivilCalendar.dayNumber(year: y, month: m, day: 1) + (day - 1)
    }

    init(dayNumber: Int) {
        let c = CivilCalendar.civil(fromDayNumber: dayNumber)
        self.init(year: c.year, month: c.month, day: c.day)
    }
}

// MARK: - ICalEvent

/// One event of the calendar (a VEVENT).
public struct ICalEvent: Sendable, Equatable {
    public enum Status: String, Sendable {
        case tentative = "TENTATIVE"
        case confirmed = "CONFIRMED"
        case cancelled = "CANCELLED"
    }

    public enum When: Sendable, Equatable {
        /// All-day: first and last day INCLUSIVE (the writer emits DTEND as the day after the last, VALUE=DATE).
        case allDay(first: DayDate, last: DayDate)
        /// Timed: UTC instants, written as local times with TZID of the IANA zone.
        case timed(start: Date, end: Date, timeZone: String)
    }

    public var uid: String
    public var sequence: Int
    /// DTSTAMP, written in UTC (…Z).
    public var stamp: Date
    public var lastModified: Date?
    public var summary: String
    public var description: String?
    public var location: String?
    public var url: String?
    public var status: Status
    public var when: When
    public var organizerName: String?
    /// ORGANIZER;CN=…:mailto:… (the property is omitted when nil).
    public var organizerEmail: String?
    public var categories: [String]

    public init(
        uid: String,
        sequence: Int = 0,
        stamp: Date,
        lastModified: Date? = nil,
        summary: String,
        description: String? = nil,
        location: String? = nil,
        url: String? = nil,
        status: Status = .confirmed,
        when: When,
        organizerName: String? = nil,
        organizerEmail: String? = nil,
        categories: [String] = []
    ) {
        self.uid = uid
        self.sequence = sequence
        self.stamp = stamp
        self.lastModified = lastModified
        self.summary = summary
        self.description = description
        self.location = location
        self.url = url
        self.status = status
        self.when = when
        self.organizerName = organizerName
        self.organizerEmail = organizerEmail
        self.categories = categories
    }
}

// MARK: - ICalendarWriter

/// Renders events as one VCALENDAR object.
public struct ICalendarWriter: Sendable {
    public var productID: String
    public var calendarName: String?
    public var method: String?
    public var refreshInterval: String?

    public init(
        productID: String = "-//CPMG//Caribbean Platform for Migration Governance//EN",
        calendarName: String? = nil,
        method: String? = "PUBLISH",
        refreshInterval: String? = "PT6H"
    ) {
        self.productID = productID
        self.calendarName = calendarName
        self.method = method
        self.refreshInterval = refreshInterval
    }

    /// The whole VCALENDAR: CRLF line endings, lines folded at 75 octets (never splitting a UTF-8 sequence),
    /// TEXT values escaped (backslash, semicolon, comma, newline → \n), one VTIMEZONE per TZID used.
    public func render(_ events: [ICalEvent]) -> String {
        var out = ContentWriter()
        out.line("BEGIN:VCALENDAR")
        out.line("VERSION:2.0")
        out.line("PRODID:" + ICalFormat.escapeText(productID))
        out.line("CALSCALE:GREGORIAN")
        if let method, !method.isEmpty {
            out.line("METHOD:" + ICalFormat.token(method))
        }
        if let calendarName {
            out.line("X-WR-CALNAME:" + ICalFormat.escapeText(calendarName))
        }
        if let refreshInterval, !refreshInterval.isEmpty {
            let duration = ICalFormat.token(refreshInterval)
            out.line("REFRESH-INTERVAL;VALUE=DURATION:" + duration)
            out.line("X-PUBLISHED-TTL:" + duration)
        }

        // Resolve each zone once; remember the span of event instants per zone.
        var zones: [String: ZoneUsage] = [:]
        var resolved: [String: TimeZone?] = [:]
        for event in events {
            guard case let .timed(start, end, identifier) = event.when else { continue }
            let zone: TimeZone?
            if let cached = resolved[identifier] {
                zone = cached
            } else {
                zone = TimeZone(identifier: identifier)
                resolved[identifier] = zone
            }
            guard let zone else { continue }
            let lo = min(start, end), hi = max(start, end)
            if var usage = zones[identifier] {
                usage.earliest = min(usage.earliest, lo)
                usage.latest = max(usage.latest, hi)
                zones[identifier] = usage
            } else {
                zones[identifier] = ZoneUsage(zone: zone, earliest: lo, latest: hi)
            }
        }

        for identifier in zones.keys.sorted() {
            let usage = zones[identifier]!
            VTimeZoneBuilder(identifier: identifier, usage: usage).write(into: &out)
        }

        for event in events {
            writeEvent(event, zones: zones, into: &out)
        }
        out.line("END:VCALENDAR")
        return out.text
    }

    private func writeEvent(_ event: ICalEvent, zones: [String: ZoneUsage], into out: inout ContentWriter) {
        out.line("BEGIN:VEVENT")
        out.line("UID:" + ICalFormat.escapeText(event.uid))
        out.line("DTSTAMP:" + ICalFormat.utcDateTime(event.stamp))
        out.line("SEQUENCE:" + String(max(0, event.sequence)))
        out.line("SUMMARY:" + ICalFormat.escapeText(event.summary))

        switch event.when {
        case let .allDay(first, last):
            let endExclusive = max(first, last).adding(days: 1)
            out.line("DTSTART;VALUE=DATE:" + ICalFormat.date(first))
            out.line("DTEND;VALUE=DATE:" + ICalFormat.date(endExclusive))
        case let .timed(start, end, identifier):
            if let usage = zones[identifier] {
                let param = ";TZID=" + ICalFormat.parameterValue(identifier)
                out.line("DTSTART" + param + ":" + ICalFormat.localDateTime(start, in: usage.zone))
                out.line("DTEND" + param + ":" + ICalFormat.localDateTime(end, in: usage.zone))
            } else {
                // Unknown zone: the instants are still exact when written in UTC.
                out.line("DTSTART:" + ICalFormat.utcDateTime(start))
                out.line("DTEND:" + ICalFormat.utcDateTime(end))
            }
        }

        out.line("STATUS:" + event.status.rawValue)
        if let description = event.description {
            out.line("DESCRIPTION:" + ICalFormat.escapeText(description))
        }
        if let location = event.location {
            out.line("LOCATION:" + ICalFormat.escapeText(location))
        }
        if let url = event.url {
            let uri = ICalFormat.uri(url)
            if !uri.isEmpty { out.line("URL:" + uri) }
        }
        if let lastModified = event.lastModified {
            out.line("LAST-MODIFIED:" + ICalFormat.utcDateTime(lastModified))
        }
        if let email = event.organizerEmail.map(ICalFormat.uri), !email.isEmpty {
            var line = "ORGANIZER"
            if let name = event.organizerName, !name.isEmpty {
                line += ";CN=" + ICalFormat.parameterValue(name)
            }
            let lower = email.lowercased()
            line += ":" + (lower.hasPrefix("mailto:") ? email : "mailto:" + email)
            out.line(line)
        }
        let categories = event.categories.filter { !$0.isEmpty }.map(ICalFormat.escapeText)
        if !categories.isEmpty {
            out.line("CATEGORIES:" + categories.joined(separator: ","))
        }
        out.line("END:VEVENT")
    }
}

// MARK: - Time zones

struct ZoneUsage {
    var zone: TimeZone
    var earliest: Date
    var latest: Date
}

/// Builds a VTIMEZONE from Foundation's time zone data.
struct VTimeZoneBuilder {
    let identifier: String
    let usage: ZoneUsage

    /// A sub-component: onset (local wall time in the `from` offset), offsets in seconds, and name.
    struct Observance: Equatable {
        var daylight: Bool
        var onsetLocal: Int  // seconds since 1970-01-01T00:00:00 local wall clock
        var offsetFrom: Int
        var offsetTo: Int
        var name: String?
    }

    /// The covered span: start of the year before the earliest event to the end of the year after the latest
    /// (years as seen on the zone's local calendar).
    func coveredRange() -> (start: Date, end: Date) {
        let zone = usage.zone
        let firstYear = ICalFormat.localComponents(usage.earliest, in: zone).year - 1
        let lastYear = ICalFormat.localComponents(usage.latest, in: zone).year + 1
        return (localMidnightJanuaryFirst(firstYear), localMidnightJanuaryFirst(lastYear + 1))
    }

    private func localMidnightJanuaryFirst(_ year: Int) -> Date {
        let localSeconds = CivilCalendar.dayNumber(year: year, month: 1, day: 1) * 86_400
        // Two passes settle the offset for all but pathological instants.
        var guess = Date(timeIntervalSince1970: TimeInterval(localSeconds))
        for _ in 0..<2 {
            let offset = usage.zone.secondsFromGMT(for: guess)
            guess = Date(timeIntervalSince1970: TimeInterval(localSeconds - offset))
        }
        return guess
    }

    func observances() -> [Observance] {
        let zone = usage.zone
        let range = coveredRange()
        var result: [Observance] = []

        var cursor = range.start
        var guardCount = 0
        while guardCount < 10_000,
              let next = zone.nextDaylightSavingTimeTransition(after: cursor),
              next > cursor, next < range.end {
            guardCount += 1
            cursor = next
            let before = next.addingTimeInterval(-1)
            let from = zone.secondsFromGMT(for: before)
            let to = zone.secondsFromGMT(for: next)
            let wasDaylight = zone.isDaylightSavingTime(for: before)
            let isDaylight = zone.isDaylightSavingTime(for: next)
            if from == to && wasDaylight == isDaylight { continue }
            result.append(Observance(
                daylight: isDaylight,
                onsetLocal: ICalFormat.seconds(next) + from,
                offsetFrom: from,
                offsetTo: to,
                name: Self.name(zone, at: next)))
        }

        if result.isEmpty {
            // No transitions in the covered span: one fixed STANDARD observance.
            let offset = zone.secondsFromGMT(for: range.start)
            return [Observance(
                daylight: false, onsetLocal: 0, offsetFrom: offset, offsetTo: offset,
                name: Self.name(zone, at: range.start))]
        }

        let initialOffset = zone.secondsFromGMT(for: range.start)
        let initial = Observance(
            daylight: zone.isDaylightSavingTime(for: range.start),
            onsetLocal: ICalFormat.seconds(range.start) + initialOffset,
            offsetFrom: initialOffset,
            offsetTo: initialOffset,
            name: Self.name(zone, at: range.start))
        return [initial] + result
    }

    /// The zone's abbreviation, unless Foundation only has a synthetic "GMT-4"-style one
    /// (as on Linux, where it carries nothing beyond TZOFFSETTO).
    static func name(_ zone: TimeZone, at date: Date) -> String? {
        guard let abbreviation = zone.abbreviation(for: date), !abbreviation.isEmpty else { return nil }
        for prefix in ["GMT+", "GMT-", "UTC+", "UTC-"] where abbreviation.hasPrefix(prefix) {
            return nil
        }
        return abbreviation
    }

    func write(into out: inout ContentWriter) {
        out.line("BEGIN:VTIMEZONE")
        out.line("TZID:" + ICalFormat.escapeText(identifier))
        for observance in observances() {
            let kind = observance.daylight ? "DAYLIGHT" : "STANDARD"
            out.line("BEGIN:" + kind)
            out.line("DTSTART:" + ICalFormat.dateTime(localSeconds: observance.onsetLocal))
            out.line("TZOFFSETFROM:" + ICalFormat.utcOffset(observance.offsetFrom))
            out.line("TZOFFSETTO:" + ICalFormat.utcOffset(observance.offsetTo))
            if let name = observance.name {
                out.line("TZNAME:" + ICalFormat.escapeText(name))
            }
            out.line("END:" + kind)
        }
        out.line("END:VTIMEZONE")
    }
}

// MARK: - Content lines

/// Accumulates folded content lines with CRLF endings.
struct ContentWriter {
    private(set) var text = ""

    mutating func line(_ content: String) {
        text += ICalFormat.fold(content)
    }
}

enum ICalFormat {
    static let maxOctets = 75

    /// Folds one unfolded content line: no physical line exceeds 75 octets (excluding CRLF);
    /// continuation lines start with a single space; UTF-8 sequences are never split.
    /// The result ends with CRLF.
    static func fold(_ content: String) -> String {
        var result = ""
        result.reserveCapacity(content.utf8.count + 8)
        var lineOctets = 0
        for scalar in content.unicodeScalars {
            let width = UTF8.width(scalar)
            if lineOctets + width > maxOctets {
                result += "\r\n "
                lineOctets = 1
            }
            result.unicodeScalars.append(scalar)
            lineOctets += width
        }
        result += "\r\n"
        return result
    }

    /// TEXT value escaping (RFC 5545 §3.3.11). Line breaks (CRLF, CR, LF and Unicode line
    /// separators) become `\n`; other control characters except TAB are dropped.
    static func escapeText(_ value: String) -> String {
        var result = ""
        result.reserveCapacity(value.utf8.count)
        var previousWasCR = false
        for scalar in value.unicodeScalars {
            defer { previousWasCR = scalar == "\r" }
            switch scalar {
            case "\\": result += "\\\\"
            case ";": result += "\\;"
            case ",": result += "\\,"
            case "\r", "\u{2028}", "\u{2029}", "\u{0B}", "\u{0C}", "\u{85}": result += "\\n"
            case "\n": if !previousWasCR { result += "\\n" }
            case "\t": result.unicodeScalars.append(scalar)
            default:
                if !isControl(scalar) { result.unicodeScalars.append(scalar) }
            }
        }
        return result
    }

    /// A parameter value (RFC 5545 §3.2): DQUOTE is not allowed anywhere, so it becomes an apostrophe;
    /// controls become spaces; the value is quoted when it contains `:`, `;` or `,`.
    static func parameterValue(_ value: String) -> String {
        var cleaned = ""
        for scalar in value.unicodeScalars {
            if scalar == "\"" {
                cleaned += "'"
            } else if isControl(scalar) || scalar == "\t" {
                cleaned += " "
            } else {
                cleaned.unicodeScalars.append(scalar)
            }
        }
        let needsQuotes = cleaned.unicodeScalars.contains { $0 == ":" || $0 == ";" || $0 == "," }
        return needsQuotes ? "\"" + cleaned + "\"" : cleaned
    }

    /// A URI value: written verbatim (no TEXT escaping), minus whitespace controls that would break the line.
    static func uri(_ value: String) -> String {
        var result = ""
        for scalar in value.unicodeScalars where !isControl(scalar) && scalar != "\t" {
            result.unicodeScalars.append(scalar)
        }
        return result.trimmingCharacters(in: .whitespaces)
    }

    /// An iana-token-like value (METHOD, durations): controls and separators removed.
    static func token(_ value: String) -> String {
        var result = ""
        for scalar in value.unicodeScalars
        where !isControl(scalar) && scalar != "\t" && scalar != " " && scalar != ";" && scalar != ":" && scalar != "," {
            result.unicodeScalars.append(scalar)
        }
        return result
    }

    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || scalar.value == 0x7F || (0x80...0x9F).contains(scalar.value)
    }

    // MARK: Dates

    /// Whole seconds since the Unix epoch (rounded down).
    static func seconds(_ date: Date) -> Int {
        Int(date.timeIntervalSince1970.rounded(.down))
    }

    static func date(_ day: DayDate) -> String {
        let normalised = day.adding(days: 0)
        return pad(normalised.year, 4) + pad(normalised.month, 2) + pad(normalised.day, 2)
    }

    /// `YYYYMMDDTHHMMSS` for a count of seconds on a (local or UTC) wall clock since 1970-01-01T00:00:00.
    static func dateTime(localSeconds: Int) -> String {
        let c = components(localSeconds: localSeconds)
        return pad(c.year, 4) + pad(c.month, 2) + pad(c.day, 2) + "T"
            + pad(c.hour, 2) + pad(c.minute, 2) + pad(c.second, 2)
    }

    static func utcDateTime(_ date: Date) -> String {
        dateTime(localSeconds: seconds(date)) + "Z"
    }

    static func localDateTime(_ date: Date, in zone: TimeZone) -> String {
        dateTime(localSeconds: seconds(date) + zone.secondsFromGMT(for: date))
    }

    static func localComponents(_ date: Date, in zone: TimeZone) -> WallClock {
        components(localSeconds: seconds(date) + zone.secondsFromGMT(for: date))
    }

    struct WallClock {
        var year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int
    }

    static func components(localSeconds: Int) -> WallClock {
        let dayNumber = floorDiv(localSeconds, 86_400)
        let secondOfDay = localSeconds - dayNumber * 86_400
        let c = CivilCalendar.civil(fromDayNumber: dayNumber)
        return WallClock(
            year: c.year, month: c.month, day: c.day,
            hour: secondOfDay / 3600, minute: secondOfDay % 3600 / 60, second: secondOfDay % 60)
    }

    /// UTC offset as ±HHMM, or ±HHMMSS when it has seconds. Zero is "+0000" (RFC 5545 forbids "-0000").
    static func utcOffset(_ seconds: Int) -> String {
        let sign = seconds < 0 ? "-" : "+"
        let magnitude = abs(seconds)
        var text = sign + pad(magnitude / 3600, 2) + pad(magnitude % 3600 / 60, 2)
        if magnitude % 60 != 0 { text += pad(magnitude % 60, 2) }
        return text
    }

    static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(abs(value))
        let padded = digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
        return value < 0 ? "-" + padded : padded
    }
}

// MARK: - Arithmetic helpers

func floorDiv(_ a: Int, _ b: Int) -> Int {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}

func floorMod(_ a: Int, _ b: Int) -> Int {
    a - floorDiv(a, b) * b
}

/// Proleptic Gregorian day arithmetic on days since 1970-01-01, using 400-year eras.
enum CivilCalendar {
    static let daysPerEra = 146_097
    /// Days from 0000-03-01 to 1970-01-01.
    static let epochShift = 719_468

    static func dayNumber(year: Int, month: Int, day: Int) -> Int {
        // Count years from March so that the leap day falls at the end of the year.
        let y = month <= 2 ? year - 1 : year
        let era = floorDiv(y, 400)
        let yearOfEra = y - era * 400
        let monthFromMarch = (month + 9) % 12
        let dayOfYear = (153 * monthFromMarch + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * daysPerEra + dayOfEra - epochShift
    }

    static func civil(fromDayNumber n: Int) -> (year: Int, month: Int, day: Int) {
        let shifted = n + epochShift
        let era = floorDiv(shifted, daysPerEra)
        let dayOfEra = shifted - era * daysPerEra
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthFromMarch = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthFromMarch + 2) / 5 + 1
        let month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }
}
