import Foundation

/// UTC calendar arithmetic without DateFormatter (not Sendable, and slow to create): the
/// proleptic Gregorian civil-date algorithms from Howard Hinnant's "chrono-compatible low-level
/// date algorithms".
public enum UTCDate {
    public static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    public static func civil(fromDays days: Int) -> (year: Int, month: Int, day: Int) {
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

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// The UTC calendar day of `date`, and the seconds since its midnight (fractions truncated).
    public static func split(_ date: Date) -> (year: Int, month: Int, day: Int, secondOfDay: Int) {
        let total = Int(date.timeIntervalSince1970.rounded(.down))
        let days = Int((Double(total) / 86_400).rounded(.down))
        let (year, month, day) = civil(fromDays: days)
        return (year, month, day, total - days * 86_400)
    }

    /// `2018-03-05`, with `separator` between the parts.
    public static func day(_ date: Date, separator: String = "-") -> String {
        let parts = split(date)
        return pad(parts.year, 4) + separator + pad(parts.month, 2) + separator + pad(parts.day, 2)
    }

    /// RFC 3339 / W3C Datetime / OAI-PMH seconds granularity in UTC: `2018-03-05T10:20:30Z`.
    public static func dateTime(_ date: Date) -> String {
        let s = split(date).secondOfDay
        return day(date) + "T" + pad(s / 3600, 2) + ":" + pad(s / 60 % 60, 2) + ":" + pad(s % 60, 2) + "Z"
    }

    /// `YYYY-MM-DDThh:mm:ssZ`, truncating fractions of a second.
    public static func seconds(_ date: Date) -> String {
        let total = Int(date.timeIntervalSince1970.rounded(.down))
        let days = total >= 0 ? total / 86_400 : (total - 86_399) / 86_400
        let secondOfDay = total - days * 86_400
        let (year, month, day) = civil(fromDays: days)
        return pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2) + "T"
            + pad(secondOfDay / 3600, 2) + ":" + pad(secondOfDay / 60 % 60, 2) + ":" + pad(secondOfDay % 60, 2) + "Z"
    }

    public static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
