import Foundation
import XCTest
@testable import ICalendar

final class ICalendarTests: XCTestCase {
    // MARK: Helpers

    private func utc(_ y: Int, _ mo: Int, _ d: Int, _ h: Int = 0, _ mi: Int = 0, _ s: Int = 0) -> Date {
        let days = CivilCalendar.dayNumber(year: y, month: mo, day: d)
        return Date(timeIntervalSince1970: TimeInterval(days * 86_400 + h * 3600 + mi * 60 + s))
    }

    private let stamp = Date(timeIntervalSince1970: 1_514_894_400)  // 2018-01-02T12:00:00Z

    private func event(
        _ when: ICalEvent.When, summary: String = "Event", status: ICalEvent.Status = .confirmed,
        sequence: Int = 0
    ) -> ICalEvent {
        ICalEvent(uid: "uid-1@test", sequence: sequence, stamp: stamp, summary: summary, status: status, when: when)
    }

    /// Unfolded content lines (RFC 5545 §3.1).
    private func unfold(_ text: String) -> [String] {
        let unfolded = text.replacingOccurrences(of: "\r\n ", with: "")
        var lines = unfolded.components(separatedBy: "\r\n")
        if lines.last == "" { lines.removeLast() }
        return lines
    }

    /// The sub-components of the VTIMEZONE for `tzid`, each as a dictionary of its properties.
    private func observances(_ lines: [String], tzid: String) -> [(kind: String, props: [String: String])] {
        var result: [(String, [String: String])] = []
        var inZone = false, kind: String?, props: [String: String] = [:]
        for line in lines {
            if line == "BEGIN:VTIMEZONE" { inZone = false; continue }
            if line == "TZID:\(tzid)" { inZone = true; continue }
            if line == "END:VTIMEZONE" { inZone = false; continue }
            guard inZone else { continue }
            if line == "BEGIN:STANDARD" || line == "BEGIN:DAYLIGHT" {
                kind = String(line.dropFirst(6)); props = [:]
            } else if line.hasPrefix("END:"), let k = kind {
                result.append((k, props)); kind = nil
            } else if let colon = line.firstIndex(of: ":") {
                props[String(line[..<colon])] = String(line[line.index(after: colon)...])
            }
        }
        return result
    }

    // MARK: Escaping

    func testTextEscaping() {
        XCTAssertEqual(ICalFormat.escapeText("a,b;c\\d"), "a\\,b\\;c\\\\d")
        XCTAssertEqual(ICalFormat.escapeText("one\ntwo\r\nthree\rfour"), "one\\ntwo\\nthree\\nfour")
        XCTAssertEqual(ICalFormat.escapeText("tab\there\u{07}"), "tab\there")

        let e = ICalEvent(
            uid: "u", stamp: stamp, summary: "a,b;c\\d", description: "Line 1\nLine 2",
            location: "Room 1; Floor 2", url: "https://x.example/a?b=1,2;c",
            when: .allDay(first: DayDate(year: 2018, month: 1, day: 1), last: DayDate(year: 2018, month: 1, day: 1)),
            organizerName: "Doe, \"Jane\"", organizerEmail: "jane@x.example", categories: ["A,B", "C;D", ""])
        let lines = unfold(ICalendarWriter().render([e]))
        XCTAssertTrue(lines.contains("SUMMARY:a\\,b\\;c\\\\d"))
        XCTAssertTrue(lines.contains("DESCRIPTION:Line 1\\nLine 2"))
        XCTAssertTrue(lines.contains("LOCATION:Room 1\\; Floor 2"))
        XCTAssertTrue(lines.contains("URL:https://x.example/a?b=1,2;c"), "URL is a URI, not TEXT")
        XCTAssertTrue(lines.contains("ORGANIZER;CN=\"Doe, 'Jane'\":mailto:jane@x.example"))
        XCTAssertTrue(lines.contains("CATEGORIES:A\\,B,C\\;D"))
    }

    // MARK: Folding and line endings

    func testFoldingMultibyte() throws {
        let unit = "Ünïcødé ✓ 日本語 🇯🇲 "  // mixes 1-, 2-, 3- and 4-octet sequences
        var summary = ""
        while summary.count < 300 { summary += unit }
        summary = String(summary.prefix(300))
        XCTAssertEqual(summary.count, 300)

        let text = ICalendarWriter().render([event(
            .allDay(first: DayDate(year: 2018, month: 3, day: 1), last: DayDate(year: 2018, month: 3, day: 1)),
            summary: summary)])
        let bytes = Array(text.utf8)
        // Every physical line, split on raw bytes, is at most 75 octets and valid UTF-8 by itself.
        var physical: [[UInt8]] = [[]]
        var i = 0
        while i < bytes.count {
            if bytes[i] == 13, i + 1 < bytes.count, bytes[i + 1] == 10 {
                physical.append([]); i += 2
            } else {
                physical[physical.count - 1].append(bytes[i]); i += 1
            }
        }
        XCTAssertEqual(physical.last, [], "output ends with CRLF")
        var continuations = 0
        for line in physical {
            XCTAssertLessThanOrEqual(line.count, 75)
            XCTAssertNotNil(String(validating: line, as: UTF8.self), "a physical line splits a UTF-8 sequence")
            if line.first == 0x20 { continuations += 1 }
        }
        XCTAssertGreaterThan(continuations, 5)
        XCTAssertTrue(unfold(text).contains("SUMMARY:" + summary))
    }

    func testFoldBoundary() {
        let exact = String(repeating: "x", count: 75)
        XCTAssertEqual(ICalFormat.fold(exact), exact + "\r\n")
        let over = String(repeating: "x", count: 76)
        XCTAssertEqual(ICalFormat.fold(over), exact + "\r\n x\r\n")
        // A 3-octet scalar that would straddle octet 75 moves to the next line whole.
        let straddle = String(repeating: "x", count: 73) + "日"
        XCTAssertEqual(ICalFormat.fold(straddle), String(repeating: "x", count: 73) + "\r\n 日\r\n")
    }

    func testCRLFEverywhere() {
        let text = ICalendarWriter(calendarName: "Cal\nName").render([
            event(.timed(start: utc(2018, 7, 10, 13), end: utc(2018, 7, 10, 15), timeZone: "America/Havana")),
            event(.allDay(first: DayDate(year: 2018, month: 1, day: 1), last: DayDate(year: 2018, month: 1, day: 2))),
        ])
        let bytes = Array(text.utf8)
        for (i, b) in bytes.enumerated() {
            if b == 10 { XCTAssertTrue(i > 0 && bytes[i - 1] == 13, "bare LF at \(i)") }
            if b == 13 { XCTAssertTrue(i + 1 < bytes.count && bytes[i + 1] == 10, "bare CR at \(i)") }
        }
        XCTAssertTrue(text.hasPrefix("BEGIN:VCALENDAR\r\n"))
        XCTAssertTrue(text.hasSuffix("END:VCALENDAR\r\n"))
    }

    // MARK: Calendar header

    func testCalendarHeader() {
        let lines = unfold(ICalendarWriter(calendarName: "CPMG, events").render([]))
        XCTAssertEqual(Array(lines.prefix(8)), [
            "BEGIN:VCALENDAR", "VERSION:2.0",
            "PRODID:-//CPMG//Caribbean Platform for Migration Governance//EN",
            "CALSCALE:GREGORIAN", "METHOD:PUBLISH", "X-WR-CALNAME:CPMG\\, events",
            "REFRESH-INTERVAL;VALUE=DURATION:PT6H", "X-PUBLISHED-TTL:PT6H",
        ])
        let bare = unfold(ICalendarWriter(method: nil, refreshInterval: nil).render([]))
        XCTAssertFalse(bare.contains { $0.hasPrefix("METHOD") || $0.hasPrefix("X-WR-CALNAME") || $0.hasPrefix("REFRESH") })
    }

    // MARK: All-day

    func testAllDayExclusiveEnd() {
        func dates(_ first: DayDate, _ last: DayDate) -> (String?, String?) {
            let lines = unfold(ICalendarWriter().render([event(.allDay(first: first, last: last))]))
            return (lines.first { $0.hasPrefix("DTSTART") }, lines.first { $0.hasPrefix("DTEND") })
        }
        let dec = dates(DayDate(year: 2017, month: 12, day: 5), DayDate(year: 2017, month: 12, day: 6))
        XCTAssertEqual(dec.0, "DTSTART;VALUE=DATE:20171205")
        XCTAssertEqual(dec.1, "DTEND;VALUE=DATE:20171207")
        let newYear = dates(DayDate(year: 2017, month: 12, day: 31), DayDate(year: 2017, month: 12, day: 31))
        XCTAssertEqual(newYear.1, "DTEND;VALUE=DATE:20180101")
        XCTAssertEqual(dates(DayDate(year: 2018, month: 1, day: 30), DayDate(year: 2018, month: 1, day: 31)).1,
                       "DTEND;VALUE=DATE:20180201")
        XCTAssertEqual(dates(DayDate(year: 2020, month: 2, day: 28), DayDate(year: 2020, month: 2, day: 28)).1,
                       "DTEND;VALUE=DATE:20200229")
        XCTAssertEqual(dates(DayDate(year: 2019, month: 2, day: 28), DayDate(year: 2019, month: 2, day: 28)).1,
                       "DTEND;VALUE=DATE:20190301")
    }

    func testDayDateArithmetic() {
        let d = DayDate(year: 2017, month: 12, day: 31)
        XCTAssertEqual(d.adding(days: 1), DayDate(year: 2018, month: 1, day: 1))
        XCTAssertEqual(d.adding(days: -365), DayDate(year: 2016, month: 12, day: 31))
        XCTAssertEqual(DayDate(year: 2000, month: 3, day: 1).adding(days: -1), DayDate(year: 2000, month: 2, day: 29))
        XCTAssertEqual(DayDate(year: 1900, month: 3, day: 1).adding(days: -1), DayDate(year: 1900, month: 2, day: 28))
        XCTAssertEqual(DayDate(year: 1970, month: 1, day: 1).adding(days: -1), DayDate(year: 1969, month: 12, day: 31))
        XCTAssertLessThan(DayDate(year: 2017, month: 12, day: 31), DayDate(year: 2018, month: 1, day: 1))
        // Round trip over a wide range.
        for n in stride(from: -800_000, through: 800_000, by: 997) {
            XCTAssertEqual(DayDate(dayNumber: n).dayNumber, n)
        }
    }

    // MARK: Timed events and VTIMEZONE

    func testTimedJamaicaNoDST() {
        // 14:00Z = 09:00 EST (UTC-5) all year.
        let lines = unfold(ICalendarWriter().render([
            event(.timed(start: utc(2018, 4, 10, 14), end: utc(2018, 4, 10, 22, 30), timeZone: "America/Jamaica")),
        ]))
        XCTAssertTrue(lines.contains("DTSTART;TZID=America/Jamaica:20180410T090000"))
        XCTAssertTrue(lines.contains("DTEND;TZID=America/Jamaica:20180410T173000"))
        let obs = observances(lines, tzid: "America/Jamaica")
        XCTAssertEqual(obs.count, 1)
        XCTAssertEqual(obs.first?.kind, "STANDARD")
        XCTAssertEqual(obs.first?.props["DTSTART"], "19700101T000000")
        XCTAssertEqual(obs.first?.props["TZOFFSETFROM"], "-0500")
        XCTAssertEqual(obs.first?.props["TZOFFSETTO"], "-0500")
        XCTAssertEqual(lines.filter { $0 == "BEGIN:VTIMEZONE" }.count, 1)
    }

    func testTimedHavanaDuringDST() {
        // 13:00Z in July = 09:00 CDT (UTC-4).
        let lines = unfold(ICalendarWriter().render([
            event(.timed(start: utc(2018, 7, 17, 13), end: utc(2018, 7, 17, 21, 30), timeZone: "America/Havana")),
        ]))
        XCTAssertTrue(lines.contains("DTSTART;TZID=America/Havana:20180717T090000"))
        XCTAssertTrue(lines.contains("DTEND;TZID=America/Havana:20180717T173000"))
        let obs = observances(lines, tzid: "America/Havana")
        // Initial + two transitions a year for 2017, 2018 and 2019.
        XCTAssertEqual(obs.count, 7)
        XCTAssertEqual(obs[0].kind, "STANDARD")
        XCTAssertEqual(obs[0].props["DTSTART"], "20170101T000000")
        XCTAssertEqual(obs[0].props["TZOFFSETFROM"], "-0500")
        XCTAssertEqual(obs[0].props["TZOFFSETTO"], "-0500")
        for o in obs.dropFirst() {
            if o.kind == "DAYLIGHT" {
                XCTAssertEqual(o.props["TZOFFSETFROM"], "-0500")
                XCTAssertEqual(o.props["TZOFFSETTO"], "-0400")
                XCTAssertTrue(o.props["DTSTART"]!.dropFirst(4).hasPrefix("03"), "Havana DST starts in March")
            } else {
                XCTAssertEqual(o.kind, "STANDARD")
                XCTAssertEqual(o.props["TZOFFSETFROM"], "-0400")
                XCTAssertEqual(o.props["TZOFFSETTO"], "-0500")
                XCTAssertTrue(o.props["DTSTART"]!.dropFirst(4).hasPrefix("11"), "Havana DST ends in November")
            }
        }
        // 2018: spring forward at 00:00 standard time, fall back at 01:00 daylight time (wall time in the old offset).
        XCTAssertTrue(obs.contains { $0.kind == "DAYLIGHT" && $0.props["DTSTART"] == "20180311T000000" })
        XCTAssertTrue(obs.contains { $0.kind == "STANDARD" && $0.props["DTSTART"] == "20181104T010000" })
    }

    func testNassauWinterAndSummerShareOneZone() {
        let lines = unfold(ICalendarWriter().render([
            event(.timed(start: utc(2018, 1, 15, 14), end: utc(2018, 1, 15, 16), timeZone: "America/Nassau")),
            event(.timed(start: utc(2018, 7, 16, 13), end: utc(2018, 7, 16, 15), timeZone: "America/Nassau")),
        ]))
        XCTAssertEqual(lines.filter { $0 == "BEGIN:VTIMEZONE" }.count, 1)
        XCTAssertTrue(lines.contains("DTSTART;TZID=America/Nassau:20180115T090000"))
        XCTAssertTrue(lines.contains("DTSTART;TZID=America/Nassau:20180716T090000"))
        // Nassau changes at 02:00 local time.
        let obs = observances(lines, tzid: "America/Nassau")
        XCTAssertTrue(obs.contains { $0.kind == "DAYLIGHT" && $0.props["DTSTART"] == "20180311T020000" })
        XCTAssertTrue(obs.contains { $0.kind == "STANDARD" && $0.props["DTSTART"] == "20181104T020000" })
    }

    func testZonesSortedAndDeduplicated() {
        let text = ICalendarWriter().render([
            event(.timed(start: utc(2018, 1, 1, 15), end: utc(2018, 1, 1, 16), timeZone: "America/Port_of_Spain")),
            event(.timed(start: utc(2018, 1, 1, 15), end: utc(2018, 1, 1, 16), timeZone: "America/Havana")),
            event(.timed(start: utc(2018, 1, 1, 15), end: utc(2018, 1, 1, 16), timeZone: "America/Jamaica")),
            event(.timed(start: utc(2018, 2, 1, 15), end: utc(2018, 2, 1, 16), timeZone: "America/Havana")),
        ])
        let tzids = unfold(text).filter { $0.hasPrefix("TZID:") }
        XCTAssertEqual(tzids, ["TZID:America/Havana", "TZID:America/Jamaica", "TZID:America/Port_of_Spain"])
        XCTAssertEqual(text, ICalendarWriter().render([
            event(.timed(start: utc(2018, 1, 1, 15), end: utc(2018, 1, 1, 16), timeZone: "America/Port_of_Spain")),
            event(.timed(start: utc(2018, 1, 1, 15), end: utc(2018, 1, 1, 16), timeZone: "America/Havana")),
            event(.timed(start: utc(2018, 1, 1, 15), end: utc(2018, 1, 1, 16), timeZone: "America/Jamaica")),
            event(.timed(start: utc(2018, 2, 1, 15), end: utc(2018, 2, 1, 16), timeZone: "America/Havana")),
        ]), "deterministic")
    }

    func testOffsetFormatting() {
        XCTAssertEqual(ICalFormat.utcOffset(-18_000), "-0500")
        XCTAssertEqual(ICalFormat.utcOffset(19_800), "+0530")
        XCTAssertEqual(ICalFormat.utcOffset(0), "+0000")
        XCTAssertEqual(ICalFormat.utcOffset(-17_762), "-045602")
    }

    // MARK: Status, fallback, sequence

    func testCancelledStatus() {
        let lines = unfold(ICalendarWriter().render([
            event(.allDay(first: DayDate(year: 2018, month: 5, day: 1), last: DayDate(year: 2018, month: 5, day: 1)),
                  status: .cancelled),
        ]))
        XCTAssertTrue(lines.contains("STATUS:CANCELLED"))
        XCTAssertEqual(ICalEvent.Status.tentative.rawValue, "TENTATIVE")
    }

    func testUnknownZoneFallsBackToUTC() {
        let lines = unfold(ICalendarWriter().render([
            event(.timed(start: utc(2018, 4, 10, 14), end: utc(2018, 4, 10, 15, 30), timeZone: "Caribbean/Atlantis")),
        ]))
        XCTAssertTrue(lines.contains("DTSTART:20180410T140000Z"))
        XCTAssertTrue(lines.contains("DTEND:20180410T153000Z"))
        XCTAssertFalse(lines.contains { $0.contains("TZID") })
        XCTAssertFalse(lines.contains("BEGIN:VTIMEZONE"))
    }

    func testSequenceStampAndOptionalProperties() {
        var e = event(.allDay(first: DayDate(year: 2018, month: 5, day: 1), last: DayDate(year: 2018, month: 5, day: 1)),
                      sequence: 4)
        e.lastModified = utc(2018, 1, 3, 8, 9, 10)
        let lines = unfold(ICalendarWriter().render([e]))
        XCTAssertTrue(lines.contains("SEQUENCE:4"))
        XCTAssertTrue(lines.contains("DTSTAMP:20180102T120000Z"))
        XCTAssertTrue(lines.contains("LAST-MODIFIED:20180103T080910Z"))
        XCTAssertTrue(lines.contains("UID:uid-1@test"))
        // Absent optionals are omitted; organizer name without e-mail gives no ORGANIZER.
        e.organizerName = "Nobody"
        let bare = unfold(ICalendarWriter().render([e]))
        for name in ["DESCRIPTION", "LOCATION", "URL", "ORGANIZER", "CATEGORIES"] {
            XCTAssertFalse(bare.contains { $0.hasPrefix(name) }, name)
        }
        // VEVENT property order.
        let names = lines.drop { $0 != "BEGIN:VEVENT" }.map { String($0.prefix { $0 != ":" && $0 != ";" }) }
        XCTAssertEqual(Array(names.prefix(9)),
                       ["BEGIN", "UID", "DTSTAMP", "SEQUENCE", "SUMMARY", "DTSTART", "DTEND", "STATUS", "LAST-MODIFIED"])
    }
}
