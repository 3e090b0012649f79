import Foundation
import OAIPMH
import Testing

@Suite("OAI-PMH dates")
struct DateTests {
    @Test("Datestamps are UTC to the second, fractions truncated")
    func datestamps() {
        #expect(OAIDatestamp.string(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00Z")
        #expect(OAIDatestamp.string(Date(timeIntervalSince1970: 1_520_245_230.999)) == "2018-03-05T10:20:30Z")
        #expect(OAIDatestamp.string(Date(timeIntervalSince1970: -1)) == "1969-12-31T23:59:59Z")
        #expect(OAIDatestamp.string(Date(timeIntervalSince1970: 951_782_400)) == "2000-02-29T00:00:00Z")
    }

    @Test("A parsed date formats back to itself")
    func roundTrip() throws {
        for text in ["2018-03-05T10:20:30Z", "1969-07-20T20:17:40Z", "2100-02-28T23:59:59Z", "2024-02-29T00:00:00Z"] {
            let date = try #require(OAIDate(text))
            #expect(date.granularity == .second)
            #expect(OAIDatestamp.string(date.date) == text)
        }
        let day = try #require(OAIDate("2024-12-31"))
        #expect(day.granularity == .day)
        #expect(OAIDatestamp.string(day.date) == "2024-12-31T00:00:00Z")
        #expect(OAIDatestamp.string(day.end) == "2025-01-01T00:00:00Z")
    }

    @Test("Only the two legal forms name a date")
    func illegal() {
        for text in ["", "2018", "2018-03", "2018-03-05T", "2018-03-05t10:20:30z", "2018-03-05T10:20:30.0Z", "2100-02-29", "２０１８-03-05"] {
            #expect(OAIDate(text) == nil, "\(text)")
        }
    }
}
