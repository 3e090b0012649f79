import Foundation
import Vapor

/// Every address of the platform. Routes and links are both made from these, so a link can
/// never point at a route that does not exist. Cases with a `String` take ":name" when used as a
/// route pattern and the real value when used as a link.
public enum SiteURL: Sendable, Equatable {
    case home
    case search(query: String?)
    case join
    case joinSent
    case joinConfirm(token: String?)
    case joinConfirmed
    case login(returnTo: String?)
    case logout
    case account
    case accountPassword
    case passwordForgot
    case passwordReset(token: String?)
    case adminMembers(status: String?)
    case adminMember(String)
    case adminMemberDecision(String)
    case adminMemberRoles(String)
    case adminMemberSuspension(String)
    case adminAudit(page: Int?)
    case adminOutbox(page: Int?)
    case healthz
    case metrics
    case robots
    case stylesheet(version: String)
    case documents(query: [URLQueryItem])
    case documentNew
    case documentsMine
    case documentsReview
    case document(String)
    case documentEdit(String)
    case documentFile(String)
    case documentFileByID(String, String)
    case documentBibTeX(String)
    case documentRIS(String)
    case documentHistory(String)
    case documentTransition(String)
    case documentRetryExtraction(String, String)
    case documentsFeed(query: [URLQueryItem])
    case oai
    case sitemap
    case countries
    case countriesCompare(codes: [String])
    case country(String)
    case countryEdit(String, part: String)
    case countryHistory(String)
    case countryDiff(String, from: Int?, to: Int?)
    case countryRestore(String, number: String)
    case events(query: [URLQueryItem])
    case eventNew
    case event(String)
    case eventEdit(String)
    case eventICS(String)
    case eventsICS(query: [URLQueryItem])
    case privateCalendar(String)
    case eventRegister(String)
    case eventCancel(String)
    case eventAttendees(String)
    case eventAttendeesCSV(String)
    case eventOutcomes(String)
    case eventOutcomeRemove(String, String)
    case eventsFeed
    case accountCalendar
    case statistics
    case statisticsIndicator(String, query: [URLQueryItem])
    case statisticsDatasets
    case statisticsDataset(String)
    case statisticsDatasetData(String)
    case statisticsDatasetNew
    case statisticsDatasetPublish(String)
    case datasetsFeed

    /// The path, with its query string when it has one.
    public var path: String {
        let (path, query) = parts
        guard !query.isEmpty else { return path }
        var components = URLComponents()
        components.queryItems = query.map { URLQueryItem(name: $0.0, value: $0.1) }
        return path + "?" + (components.percentEncodedQuery ?? "")
    }

    /// The path components for registering the route.
    public var route: [PathComponent] {
        parts.0.split(separator: "/").map { PathComponent(stringLiteral: String($0)) }
    }

    private var parts: (String, [(String, String)]) {
        switch self {
        case .home: ("/", [])
        case .search(let query): ("/search", query.map { [("q", $0)] } ?? [])
        case .join: ("/join", [])
        case .joinSent: ("/join/sent", [])
        case .joinConfirm(let token): ("/join/confirm", token.map { [("token", $0)] } ?? [])
        case .joinConfirmed: ("/join/confirmed", [])
        case .login(let returnTo): ("/login", returnTo.map { [("return", $0)] } ?? [])
        case .logout: ("/logout", [])
        case .account: ("/account", [])
        case .accountPassword: ("/account/password", [])
        case .passwordForgot: ("/password/forgot", [])
        case .passwordReset(let token): ("/password/reset", token.map { [("token", $0)] } ?? [])
        case .adminMembers(let status): ("/admin/members", status.map { [("status", $0)] } ?? [])
        case .adminMember(let id): ("/admin/members/\(seg(id))", [])
        case .adminMemberDecision(let id): ("/admin/members/\(seg(id))/decision", [])
        case .adminMemberRoles(let id): ("/admin/members/\(seg(id))/roles", [])
        case .adminMemberSuspension(let id): ("/admin/members/\(seg(id))/suspension", [])
        case .adminAudit(let page): ("/admin/audit", page.map { [("page", String($0))] } ?? [])
        case .adminOutbox(let page): ("/admin/outbox", page.map { [("page", String($0))] } ?? [])
        case .healthz: ("/healthz", [])
        case .metrics: ("/metrics", [])
        case .robots: ("/robots.txt", [])
        case .stylesheet(let version): ("/assets/site.\(seg(version)).css", [])
        case .documents(let query): ("/documents", query.map { ($0.name, $0.value ?? "") })
        case .documentNew: ("/documents/new", [])
        case .documentsMine: ("/documents/mine", [])
        case .documentsReview: ("/documents/review", [])
        case .document(let id): ("/documents/\(seg(id))", [])
        case .documentEdit(let id): ("/documents/\(seg(id))/edit", [])
        case .documentFile(let id): ("/documents/\(seg(id))/file", [])
        case .documentFileByID(let id, let file): ("/documents/\(seg(id))/files/\(seg(file))", [])
        case .documentBibTeX(let id): ("/documents/\(seg(id))/cite.bib", [])
        case .documentRIS(let id): ("/documents/\(seg(id))/cite.ris", [])
        case .documentHistory(let id): ("/documents/\(seg(id))/history", [])
        case .documentTransition(let id): ("/documents/\(seg(id))/review", [])
        case .documentRetryExtraction(let id, let file): ("/documents/\(seg(id))/files/\(seg(file))/extract", [])
        case .documentsFeed(let query): ("/feeds/documents.atom", query.map { ($0.name, $0.value ?? "") })
        case .oai: ("/oai", [])
        case .sitemap: ("/sitemap.xml", [])
        case .countries: ("/countries", [])
        case .countriesCompare(let codes): ("/countries/compare", codes.isEmpty ? [] : [("c", codes.joined(separator: ","))])
        case .country(let code): ("/countries/\(seg(code))", [])
        case .countryEdit(let code, let part): ("/countries/\(seg(code))/edit/\(seg(part))", [])
        case .countryHistory(let code): ("/countries/\(seg(code))/history", [])
        case .countryDiff(let code, let from, let to):
            ("/countries/\(seg(code))/history/diff", [from.map { ("from", String($0)) }, to.map { ("to", String($0)) }].compactMap { $0 })
        case .countryRestore(let code, let number): ("/countries/\(seg(code))/history/\(seg(number))/restore", [])
        case .events(let query): ("/events", query.map { ($0.name, $0.value ?? "") })
        case .eventNew: ("/events/new", [])
        case .event(let id): ("/events/\(seg(id))", [])
        case .eventEdit(let id): ("/events/\(seg(id))/edit", [])
        case .eventICS(let id): ("/events/\(seg(id)).ics", [])
        case .eventsICS(let query): ("/events.ics", query.map { ($0.name, $0.value ?? "") })
        case .privateCalendar(let token): ("/calendar/\(seg(token)).ics", [])
        case .eventRegister(let id): ("/events/\(seg(id))/register", [])
        case .eventCancel(let id): ("/events/\(seg(id))/cancel", [])
        case .eventAttendees(let id): ("/events/\(seg(id))/attendees", [])
        case .eventAttendeesCSV(let id): ("/events/\(seg(id))/attendees.csv", [])
        case .eventOutcomes(let id): ("/events/\(seg(id))/outcomes", [])
        case .eventOutcomeRemove(let id, let document): ("/events/\(seg(id))/outcomes/\(seg(document))/remove", [])
        case .eventsFeed: ("/feeds/events.atom", [])
        case .accountCalendar: ("/account/calendar", [])
        case .statistics: ("/statistics", [])
        case .statisticsIndicator(let code, let query): ("/statistics/indicators/\(seg(code))", query.map { ($0.name, $0.value ?? "") })
        case .statisticsDatasets: ("/statistics/datasets", [])
        case .statisticsDataset(let slug): ("/statistics/datasets/\(seg(slug))", [])
        case .statisticsDatasetData(let slug): ("/statistics/datasets/\(seg(slug))/data.csv", [])
        case .statisticsDatasetNew: ("/statistics/datasets/new", [])
        case .statisticsDatasetPublish(let slug): ("/statistics/datasets/\(seg(slug))/publish", [])
        case .datasetsFeed: ("/feeds/datasets.atom", [])
        }
    }

    /// A path segment as it goes into a link: anything that could end the segment, start a query
    /// or fragment, or be read as an escape is percent-encoded. Route patterns (":id") pass as they are.
    private func seg(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: Self.segmentAllowed) ?? ""
    }

    private static let segmentAllowed: CharacterSet = {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "/;\\")
        return allowed
    }()

    /// An absolute address for mail and feeds.
    public func absolute(base: URL) -> String {
        base.absoluteString + path
    }

    /// A return address is only followed when it stays on this site: a path of printable ASCII
    /// that no browser reads as another host. Browsers drop TAB, CR and LF inside URLs and read
    /// "\\" as "/", so "/\t/evil.example" and "/\\evil.example" would leave; the same checks
    /// on the decoded path catch what is hidden one level of percent-encoding down.
    public static func isLocal(_ path: String) -> Bool {
        func staysHere(_ bytes: [UInt8], printable: Bool) -> Bool {
            guard bytes.first == UInt8(ascii: "/"), bytes.count <= 2048,
                  bytes.count == 1 || (bytes[1] != UInt8(ascii: "/") && bytes[1] != UInt8(ascii: "\\")) else { return false }
            return bytes.allSatisfy { $0 != UInt8(ascii: "\\") && $0 != 0x7F && $0 >= (printable ? 0x21 : 0x20) && (!printable || $0 < 0x80) }
        }
        guard let decoded = path.removingPercentEncoding else { return false }
        return staysHere(Array(path.utf8), printable: true) && staysHere(Array(decoded.utf8), printable: false)
    }
}
