import Foundation

/// UTC calendar arithmetic without DateFormatter (not Sendable, and slow to create), as in
/// OAIPMH/UTCDate.swift: Howard Hinnant's civil-date algorithm.
enum UTCDate {
    static func civil(fromDays days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// The UTC calendar day of `date`, and the seconds since its midnight (fractions truncated).
    static func split(_ date: Date) -> (year: Int, month: Int, day: Int, secondOfDay: Int) {
        let total = Int(date.timeIntervalSince1970.rounded(.down))
        let days = total >= 0 ? total / 86_400 : (total - 86_399) / 86_400
        let (year, month, day) = civil(fromDays: days)
        return (year, month, day, total - days * 86_400)
    }

    /// RFC 3339 / W3C Datetime in UTC: `2018-03-05T10:20:30Z`.
    static func dateTime(_ date: Date) -> String {
        let parts = split(date)
        let s = parts.secondOfDay
        return day(date) + "T" + pad(s / 3600, 2) + ":" + pad(s / 60 % 60, 2) + ":" + pad(s % 60, 2) + "Z"
    }

    /// `2018-03-05`, with `separator` between the parts.
    static func day(_ date: Date, separator: String = "-") -> String {
        let parts = split(date)
        return pad(parts.year, 4) + separator + pad(parts.month, 2) + separator + pad(parts.day, 2)
    }

    static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
