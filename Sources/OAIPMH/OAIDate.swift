import Foundation
import XMLSupport

/// A `from` or `until` argument: `YYYY-MM-DD` or `YYYY-MM-DDThh:mm:ssZ` (UTC). Our repository's
/// granularity is seconds, so both forms are accepted; anything finer or looser is a badArgument.
public struct OAIDate: Sendable, Hashable {
    public enum Granularity: Sendable, Hashable {
        case day
        case second
    }

    /// The instant the text names: midnight UTC for a day.
    public let date: Date
    public let granularity: Granularity
    /// The argument exactly as the harvester sent it, echoed in the response.
    public let text: String

    /// Nil unless `text` is one of the two legal forms and names a real calendar date and time.
    public init?(_ text: String) {
        let chars = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                let c = chars[index]
                guard c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int(c - UInt8(ascii: "0"))
            }
            return value
        }
        guard chars.count == 10 || chars.count == 20,
              let year = number(0..<4), chars[4] == UInt8(ascii: "-"),
              let month = number(5..<7), chars[7] == UInt8(ascii: "-"),
              let day = number(8..<10),
              (1...12).contains(month), (1...UTCDate.daysIn(month: month, year: year)).contains(day)
        else { return nil }
        var seconds = UTCDate.daysFromCivil(year: year, month: month, day: day) * 86_400
        if chars.count == 20 {
            guard chars[10] == UInt8(ascii: "T"), chars[13] == UInt8(ascii: ":"), chars[16] == UInt8(ascii: ":"),
                  chars[19] == UInt8(ascii: "Z"),
                  let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
                  hour < 24, minute < 60, second < 60
            else { return nil }
            seconds += hour * 3600 + minute * 60 + second
            granularity = .second
        } else {
            granularity = .day
        }
        self.date = Date(timeIntervalSince1970: TimeInterval(seconds))
        self.text = text
    }

    /// The first instant after everything this date covers as an `until`: the next midnight for a
    /// day, the next second for a time (a datestamp of 12:00:00.4 is shown as 12:00:00, so it
    /// belongs to `until=…T12:00:00Z`).
    public var end: Date {
        date.addingTimeInterval(granularity == .day ? 86_400 : 1)
    }
}

/// Datestamps as OAI-PMH writes them: `YYYY-MM-DDThh:mm:ssZ`.
public enum OAIDatestamp {
    public static func string(_ date: Date) -> String {
        UTCDate.seconds(date)
    }
}
