@testable import App
import Foundation
import NIOConcurrencyHelpers
import Testing
import Vapor
import VaporTesting

/// Every route of the application, asked by every role, on items of every kind and state.
///
/// The table below is the access policy written out: one row per route (and per fixture when the
/// route takes an item), one column per role. A route that has no row fails the test with its
/// method and path, so a new route cannot be forgotten.
///
/// Columns: vis = visitor, pend = pending member (the login is refused; a planted session counts
/// for nothing), mem = member, netA = plain member of network A, coA = coordinator of network A,
/// focX = focal point of country X, edit = editor, adm = admin, susp = suspended member who kept
/// the session cookie.
///
/// Answers: `200`, `410` (a withdrawn document's tombstone), `404` (hidden: reveals nothing),
/// `403`, `log` (303 to /login), `303` (the form went through: another redirect), and the form's
/// own `400`/`409`/`422`. POSTs carry a valid CSRF token and an empty form unless one is given: the
/// point is who reaches the handler, not what it does.
///
/// Fixtures (`SecurityWorld`): documents `public`, `members`, `net-a`, `net-b` (network-only),
/// `draft`, `pending`, `pending-a` (pending in network A), `withdrawn`, `withdrawn-a` (network A);
/// events `public`, `members`, `net-a`, `net-b` (the member registered before it was restricted),
/// `cancelled`, `cancelled-members`, `draft` (draft visibility); datasets `public`, `members` (with a
/// pending version 2), `draft`, `pending`, `with-pending-version` (public, version 2 pending);
/// indicators `public` and `members-only` (data only in the members' dataset); countries X (jm) and Y (tt).
@Suite("Route × role matrix")
struct RouteMatrixTests {
    struct Row: Sendable {
        var method: HTTPMethod
        var template: String
        var expected: [String]
        var form: [(String, String)]
        /// The item a successful request changes, put back afterwards.
        var restores: String?
        /// Asked from a browser with a session of its own (logging out must not end the role's).
        var fresh: Bool
        var line: Int

        var key: String { "\(method.rawValue) \(template)" }
    }

    static func r(_ method: HTTPMethod, _ template: String, _ columns: String, form: [(String, String)] = [], restores: String? = nil,
                  fresh: Bool = false, line: Int = #line) -> Row {
        Row(method: method, template: template, expected: columns.split(separator: " ").map(String.init), form: form, restores: restores, fresh: fresh, line: line)
    }

    // MARK: - The matrix

    static let rows: [Row] = [
        //                                                                  vis  pend mem  netA coA  focX edit adm  susp
        // Home, search, joining, signing in
        r(.GET, "/",                                                       "200  200  200  200  200  200  200  200  200"),
        r(.GET, "/search?q=kilimanjaro",                                   "200  200  200  200  200  200  200  200  200"),
        r(.GET, "/join",                                                   "200  200  303  303  303  303  303  303  200"),
        r(.POST, "/join",                                                  "422  422  422  422  422  422  422  422  422"),
        r(.GET, "/join/sent",                                              "200  200  200  200  200  200  200  200  200"),
        r(.GET, "/join/confirm",                                           "404  404  404  404  404  404  404  404  404"),
        r(.GET, "/join/confirmed",                                         "200  200  200  200  200  200  200  200  200"),
        r(.GET, "/login",                                                  "200  200  303  303  303  303  303  303  200"),
        r(.POST, "/login",                                                 "422  422  422  422  422  422  422  422  422"),
        r(.POST, "/logout",                                                "303  303  303  303  303  303  303  303  303", fresh: true),
        r(.GET, "/account",                                                "log  log  200  200  200  200  200  200  log"),
        r(.POST, "/account",                                               "log  log  422  422  422  422  422  422  log"),
        r(.POST, "/account/password",                                      "log  log  422  422  422  422  422  422  log"),
        r(.GET, "/password/forgot",                                        "200  200  200  200  200  200  200  200  200"),
        r(.POST, "/password/forgot",                                       "422  422  422  422  422  422  422  422  422"),
        r(.GET, "/password/reset",                                         "404  404  404  404  404  404  404  404  404"),
        r(.POST, "/password/reset",                                        "404  404  404  404  404  404  404  404  404"),

        // Operations
        r(.GET, "/healthz",                                                "200  200  200  200  200  200  200  200  200"),
        // For admins (and a scraper with the metrics token); nothing there for anyone else.
        r(.GET, "/metrics",                                                "404  404  404  404  404  404  404  200  404"),
        r(.GET, "/robots.txt",                                             "200  200  200  200  200  200  200  200  200"),
        r(.GET, "/assets/site.{css}.css",                                  "200  200  200  200  200  200  200  200  200"),
        r(.GET, "/assets/site.0ld.css",                                    "404  404  404  404  404  404  404  404  404"),

        // Administration
        r(.GET, "/admin/members",                                          "log  log  403  403  403  403  200  200  log"),
        r(.GET, "/admin/members/{user:pending}",                           "log  log  403  403  403  403  200  200  log"),
        r(.POST, "/admin/members/{user:pending}/decision",                 "log  log  403  403  403  403  400  400  log"),
        r(.POST, "/admin/members/{user:pending}/roles",                    "log  log  403  403  403  403  403  400  log"),
        r(.POST, "/admin/members/{user:pending}/suspension",               "log  log  403  403  403  403  403  400  log"),
        r(.GET, "/admin/audit",                                            "log  log  403  403  403  403  403  200  log"),
        r(.GET, "/admin/outbox",                                           "log  log  403  403  403  403  403  200  log"),

        // Repository
        r(.GET, "/documents",                                              "200  200  200  200  200  200  200  200  200"),
        r(.GET, "/documents/new",                                          "log  log  200  200  200  200  200  200  log"),
        r(.POST, "/documents/new",                                         "log  log  422  422  422  422  422  422  log"),
        r(.GET, "/documents/mine",                                         "log  log  200  200  200  200  200  200  log"),
        r(.GET, "/documents/review",                                       "log  log  403  403  200  403  200  200  log"),
        //                                                                  vis  pend mem  netA coA  focX edit adm  susp
        r(.GET, "/documents/{doc:public}",                                 "200  200  200  200  200  200  200  200  200"),
        r(.GET, "/documents/{doc:members}",                                "404  404  200  200  200  200  200  200  404"),
        r(.GET, "/documents/{doc:net-a}",                                  "404  404  404  200  200  404  200  200  404"),
        r(.GET, "/documents/{doc:net-b}",                                  "404  404  404  404  404  404  200  200  404"),
        r(.GET, "/documents/{doc:draft}",                                  "404  404  404  404  404  404  200  200  404"),
        r(.GET, "/documents/{doc:pending}",                                "404  404  404  404  404  404  200  200  404"),
        r(.GET, "/documents/{doc:pending-a}",                              "404  404  404  404  200  404  200  200  404"),
        r(.GET, "/documents/{doc:withdrawn}",                              "410  410  410  410  410  410  410  410  410"),
        r(.GET, "/documents/{doc:withdrawn-a}",                            "404  404  404  410  410  404  410  410  404"),
        //                                                                  vis  pend mem  netA coA  focX edit adm  susp
        r(.GET, "/documents/{doc:public}/edit",                            "log  log  403  403  403  403  200  200  log"),
        r(.GET, "/documents/{doc:members}/edit",                           "404  404  403  403  403  403  200  200  404"),
        r(.GET, "/documents/{doc:net-a}/edit",                             "404  404  404  403  403  404  200  200  404"),
        r(.GET, "/documents/{doc:net-b}/edit",                             "404  404  404  404  404  404  200  200  404"),
        r(.GET, "/documents/{doc:draft}/edit",                             "404  404  404  404  404  404  200  200  404"),
        r(.GET, "/documents/{doc:pending}/edit",                           "404  404  404  404  404  404  200  200  404"),
        r(.GET, "/documents/{doc:pending-a}/edit",                         "404  404  404  404  403  404  200  200  404"),
        r(.GET, "/documents/{doc:withdrawn}/edit",                         "log  log  403  403  403  403  200  200  log"),
        r(.GET, "/documents/{doc:withdrawn-a}/edit",                       "404  404  404  403  403  404  200  200  404"),
        //                                                                  vis  pend mem  netA coA  focX edit adm  susp
        r(.POST, "/documents/{doc:public}/edit",                           "log  log  403  403  403  403  422  422  log"),
        r(.POST, "/documents/{doc:members}/edit",                          "404  404  403  403  403  403  422  422  404"),
        r(.POST, "/documents/{doc:net-a}/edit",                            "404  404  404  403  403  404  422  422  404"),
        r(.POST, "/documents/{doc:net-b}/edit",                            "404  404  404  404  404  404  422  422  404"),
        r(.POST, "/documents/{doc:draft}/edit",                            "404  404  404  404  404  404  422  422  404"),
        r(.POST, "/documents/{doc:pending}/edit",                          "404  404  404  404  404  404  422  422  404"),
        r(.POST, "/documents/{doc:pending-a}/edit",                        "404  404  404  404  403  404  422  422  404"),
        r(.POST, "/documents/{doc:withdrawn}/edit",                        "log  log  403  403  403  403  422  422  log"),
        r(.POST, "/documents/{doc:withdrawn-a}/edit",                      "404  404  404  403  403  404  422  422  404"),
        // Review with an empty form: whoever may see the document reaches the handler (400: no action).
        r(.POST, "/documents/{doc:public}/review",                         "log  log  400  400  400  400  400  400  log"),
        r(.POST, "/documents/{doc:members}/review",                        "404  404  400  400  400  400  400  400  404"),
        r(.POST, "/documents/{doc:net-a}/review",                          "404  404  404  400  400  404  400  400  404"),
        r(.POST, "/documents/{doc:net-b}/review",                          "404  404  404  404  404  404  400  400  404"),
        r(.POST, "/documents/{doc:draft}/review",                          "404  404  404  404  404  404  400  400  404"),
        r(.POST, "/documents/{doc:pending}/review",                        "404  404  404  404  404  404  400  400  404"),
        r(.POST, "/documents/{doc:pending-a}/review",                      "404  404  404  404  400  404  400  400  404"),
        r(.POST, "/documents/{doc:withdrawn}/review",                      "log  log  400  400  400  400  400  400  log"),
        r(.POST, "/documents/{doc:withdrawn-a}/review",                    "404  404  404  400  400  404  400  400  404"),
        // Review decisions: only editors undo a withdrawal (the coordinator's 409: allowed in another
        // state, never in this one); coordinators publish their network's pending documents.
        r(.POST, "/documents/{doc:withdrawn-a}/review",                    "404  404  404  403  409  404  303  303  404",
          form: [("action", "publish")], restores: "doc:withdrawn-a"),
        r(.POST, "/documents/{doc:pending-a}/review",                      "404  404  404  404  303  404  303  303  404",
          form: [("action", "publish")], restores: "doc:pending-a"),
        r(.POST, "/documents/{doc:pending}/review",                        "404  404  404  404  404  404  303  303  404",
          form: [("action", "return"), ("comment", "Please add the year.")], restores: "doc:pending"),
        r(.POST, "/documents/{doc:public}/review",                         "log  log  403  403  403  403  303  303  log",
          form: [("action", "withdraw"), ("comment", "Superseded.")], restores: "doc:public"),
        //                                                                  vis  pend mem  netA coA  focX edit adm  susp
        r(.GET, "/documents/{doc:public}/file",                            "200  200  200  200  200  200  200  200  200"),
        r(.GET, "/documents/{doc:members}/file",                           "404  404  200  200  200  200  200  200  404"),
        r(.GET, "/documents/{doc:net-a}/file",                             "404  404  404  200  200  404  200  200  404"),
        r(.GET, "/documents/{doc:net-b}/file",                             "404  404  404  404  404  404  200  200  404"),
        r(.GET, "/documents/{doc:draft}/file",                             "404  404  404  404  404  404  200  200  404"),
        r(.GET, "/documents/{doc:pending}/file",                           "404  404  404  404  404  404  200  200  404"),
        r(.GET, "/documents/{doc:pending-a}/file",                         "404  404  404  404  200  404  200  200  404"),
        r(.GET, "/documents/{doc:withdrawn}/file",                         "404  404  404  404  404  404  200  200  404"),
        r(.GET, "/documents/{doc:withdrawn-a}/file",                       "404  404  404  404  404  404  200  200  404"),
        //                                                                  vis  pend mem  netA coA  focX edit adm  susp
        r(.GET, "/documents/{doc:public}/files/{file:public}",             "200  200  200  200  200  200  200  200  200"),
        r(.GET, "/documents/{doc:public}/files/{file:members}",            "404  404  404  404  404  404  404  404  404"),
        r(.GET, "/documents/{doc:members}/files/{file:members}",           "404  404  200  200  200  200  200  200  404"),
        r(.GET, "/documents/{doc:net-a}/files/{file:net-a}",               "404  404  404  200  200  404  200  200  404"),
        r(.GET, "/documents/{doc:net-b}/files/{file:net-b}",               "404  404  404  404  404  404  200  200  404"),
        r(.GET, "/documents/{doc:draft}/files/{file:draft}",               "404  404  404  404  404  404  200  200  404"),
        r(.GET, "/documents/{doc:pending}/files/{file:pending}",           "404  404  404  404  404  404  200  200  404"),
        r(.GET, "/documents/{doc:pending-a}/files/{file:pending-a}",       "404  404  404  404  200  404  200  200  404"),
        r(.GET, "/documents/{doc:withdrawn}/files/{file:withdrawn}",       "404  404  404  404  404  404  200  200  404"),
        r(.GET, "/documents/{doc:withdrawn-a}/files/{file:withdrawn-a}",   "404  404  404  404  404  404  200  200  404"),
        // Retrying extraction is editorial work: refused before the document is even looked up.
        r(.POST, "/documents/{doc:public}/files/{file:public}/extract",    "log  log  403  403  403  403  303  303  log"),
        r(.POST, "/documents/{doc:members}/files/{file:members}/extract",  "log  log  403  403  403  403  303  303  log"),
        r(.POST, "/documents/{doc:net-a}/files/{file:net-a}/extract",      "log  log  403  403  403  403  303  303  log"),
        r(.POST, "/documents/{doc:net-b}/files/{file:net-b}/extract",      "log  log  403  403  403  403  303  303  log"),
        r(.POST, "/documents/{doc:draft}/files/{file:draft}/extract",      "log  log  403  403  403  403  303  303  log"),
        r(.POST, "/documents/{doc:pending}/files/{file:pending}/extract",  "log  log  403  403  403  403  303  303  log"),
        r(.POST, "/documents/{doc:pending-a}/files/{file:pending-a}/extract", "log  log  403  403  403  403  303  303  log"),
        r(.POST, "/documents/{doc:withdrawn}/files/{file:withdrawn}/extract", "log  log  403  403  403  403  303  303  log"),
        r(.POST, "/documents/{doc:withdrawn-a}/files/{file:withdrawn-a}/extract", "log  log  403  403  403  403  303  303  log"),
        //                                                                  vis  pend mem  netA coA  focX edit adm  susp
        r(.GET, "/documents/{doc:public}/cite.bib",                        "200  200  200  200  200  200  200  200  200"),
        r(.GET, "/documents/{doc:members}/cite.bib",                       "404  404  200  200  200  200  200  200  404"),
        r(.GET, "/documents/{doc:net-a}/cite.bib",                         "404  404  404  200  200  404  200  200  404"),
        r(.GET, "/documents/{doc:net-b}/cite.bib",                         "404  404  404  404  404  404  200  200  404"),
        r(.GET, "/documents/{doc:draft}/cite.bib",                         "404  404  404  404  404  404  200  200  404"),
        r(.GET, "/documents/{doc:pending}/cite.bib",                       "404  404  404  404  404  404  200  200  404"),
        r(.GET, "/documents/{doc:pending-a}/cite.bib",                     "404  404  404  404  200  404  200  200  404"),
        r(.GET, "/documents/{doc:withdrawn}/cite.bib",                     "200  200  200  200  200  200  200  200  200"),
        r(.GET, "/documents/{doc:withdrawn-a}/cite.bib",                   "404  404  404  200  200  404  200  200  404"),
        r(.GET, "/documents/{doc:public}/cite.ris",                        "200  200  200  200  200  200  200  200  200"),
        r(.GET, "/documents/{doc:members}/cite.ris",                       "404  404  200  200  200  200  200  200  404"),
        r(.GET, "/documents/{doc:net-a}/cite.ris",                         "404  404  404  200  200  404  200  200  404"),
        r(.GET, "/documents/{doc:net-b}/cite.ris",                         "404  404  404  404  404  404  200  200  404"),
        r(.GET, "/documents/{doc:draft}/cite.ris",                         "404  404  404  404  404  404  200  200  404"),
        r(.GET, "/documents/{doc:pending}/cite.ris",                       "404  404  404  404  404  404  200  200  404"),
        r(.GET, "/documents/{doc:pending-a}/cite.ris",                     "404  404  404  404  200  404  200  200  404"),
        r(.GET, "/documents/{doc:withdrawn}/cite.ris",                     "200  200  200  200  200  200  200  200  200"),
        r(.GET, "/documents/{doc:withdrawn-a}/cite.ris",                   "404  404  404  200  200  404  200  200  404"),
        //                                                                  vis  pend mem  netA coA  focX edit adm  susp
        r(.GET, "/documents/{doc:public}/history",                         "log  log  403  403  403  403  200  200  log"),
        r(.GET, "/documents/{doc:members}/history",                        "404  404  403  403  403  403  200  200  404"),
        r(.GET, "/documents/{doc:net-a}/history",                          "404  404  404  403  403  404  200  200  404"),
        r(.GET, "/documents/{doc:net-b}/history",                          "404  404  404  404  404  404  200  200  404"),
        r(.GET, "/documents/{doc:draft}/history",                          "404  404  404  404  404  404  200  200  404"),
        r(.GET, "/documents/{doc:pending}/history",                        "404  404  404  404  404  404  200  200  404"),
        r(.GET, "/documents/{doc:pending-a}/history",                      "404  404  404  404  403  404  200  200  404"),
        r(.GET, "/documents/{doc:withdrawn}/history",                      "log  log  403  403  403  403  200  200  log"),
        r(.GET, "/documents/{doc:withdrawn-a}/history",                    "404  404  404  403  403  404  200  200  404"),

        // Feeds, harvesting, sitemap
        r(.GET, "/feeds/documents.atom",                                   "200  200  200  200  200  200  200  200  200"),
        r(.GET, "/oai?verb=Identify",                                      "200  200  200  200  200  200  200  200  200"),
        r(.POST, "/oai",                                                   "200  200  200  200  200  200  200  200  200", form: [("verb", "Identify")]),
        r(.GET, "/sitemap.xml",                                            "200  200  200  200  200  200  200  200  200"),

        // Country profiles
        //                                                                  vis  pend mem  netA coA  focX edit adm  susp
        r(.GET, "/countries",                                              "200  200  200  200  200  200  200  200  200"),
        r(.GET, "/countries/compare?c=jm,tt",                              "200  200  200  200  200  200  200  200  200"),
        r(.GET, "/countries/{country:X}",                                  "200  200  200  200  200  200  200  200  200"),
        r(.GET, "/countries/zz",                                           "404  404  404  404  404  404  404  404  404"),
        r(.GET, "/countries/{country:X}/edit/facts",                       "log  log  403  403  403  200  200  200  log"),
        r(.GET, "/countries/{country:Y}/edit/facts",                       "log  log  403  403  403  403  200  200  log"),
        r(.POST, "/countries/{country:X}/edit/facts",                      "log  log  403  403  403  422  422  422  log"),
        r(.POST, "/countries/{country:Y}/edit/facts",                      "log  log  403  403  403  403  422  422  log"),
        r(.GET, "/countries/{country:X}/history",                          "200  200  200  200  200  200  200  200  200"),
        r(.GET, "/countries/{country:X}/history/diff",                     "200  200  200  200  200  200  200  200  200"),
        r(.POST, "/countries/{country:X}/history/1/restore",               "log  log  403  403  403  403  303  303  log"),

        // Events
        r(.GET, "/events",                                                 "200  200  200  200  200  200  200  200  200"),
        r(.GET, "/events.ics",                                             "200  200  200  200  200  200  200  200  200"),
        r(.GET, "/feeds/events.atom",                                      "200  200  200  200  200  200  200  200  200"),
        r(.GET, "/events/new",                                             "log  log  403  403  200  403  200  200  log"),
        r(.POST, "/events/new",                                            "log  log  403  403  422  403  422  422  log"),
        r(.GET, "/calendar/{token}.ics",                                   "200  200  200  200  200  200  200  200  200"),
        r(.GET, "/calendar/0123456789abcdef.ics",                          "404  404  404  404  404  404  404  404  404"),
        r(.GET, "/account/calendar",                                       "log  log  200  200  200  200  200  200  log"),
        r(.POST, "/account/calendar",                                      "log  log  200  200  200  200  200  200  log"),
        //                                                                  vis  pend mem  netA coA  focX edit adm  susp
        r(.GET, "/events/{event:public}",                                  "200  200  200  200  200  200  200  200  200"),
        r(.GET, "/events/{event:members}",                                 "404  404  200  200  200  200  200  200  404"),
        r(.GET, "/events/{event:net-a}",                                   "404  404  404  200  200  404  200  200  404"),
        r(.GET, "/events/{event:net-b}",                                   "404  404  404  404  404  404  200  200  404"),
        r(.GET, "/events/{event:cancelled}",                               "200  200  200  200  200  200  200  200  200"),
        r(.GET, "/events/{event:cancelled-members}",                       "404  404  200  200  200  200  200  200  404"),
        r(.GET, "/events/{event:draft}",                                   "404  404  404  404  404  404  200  200  404"),
        r(.GET, "/events/{event:public}.ics",                              "200  200  200  200  200  200  200  200  200"),
        r(.GET, "/events/{event:members}.ics",                             "404  404  200  200  200  200  200  200  404"),
        r(.GET, "/events/{event:net-a}.ics",                               "404  404  404  200  200  404  200  200  404"),
        r(.GET, "/events/{event:net-b}.ics",                               "404  404  404  404  404  404  200  200  404"),
        r(.GET, "/events/{event:cancelled}.ics",                           "200  200  200  200  200  200  200  200  200"),
        r(.GET, "/events/{event:cancelled-members}.ics",                   "404  404  200  200  200  200  200  200  404"),
        r(.GET, "/events/{event:draft}.ics",                               "404  404  404  404  404  404  200  200  404"),
        //                                                                  vis  pend mem  netA coA  focX edit adm  susp
        r(.GET, "/events/{event:public}/edit",                             "log  log  403  403  403  403  200  200  log"),
        r(.GET, "/events/{event:members}/edit",                            "404  404  403  403  403  403  200  200  404"),
        r(.GET, "/events/{event:net-a}/edit",                              "404  404  404  403  200  404  200  200  404"),
        r(.GET, "/events/{event:net-b}/edit",                              "404  404  404  404  404  404  200  200  404"),
        r(.GET, "/events/{event:cancelled}/edit",                          "log  log  403  403  403  403  200  200  log"),
        r(.GET, "/events/{event:cancelled-members}/edit",                  "404  404  403  403  403  403  200  200  404"),
        r(.GET, "/events/{event:draft}/edit",                              "404  404  404  404  404  404  200  200  404"),
        r(.POST, "/events/{event:public}/edit",                            "log  log  403  403  403  403  422  422  log"),
        r(.POST, "/events/{event:members}/edit",                           "404  404  403  403  403  403  422  422  404"),
        r(.POST, "/events/{event:net-a}/edit",                             "404  404  404  403  422  404  422  422  404"),
        r(.POST, "/events/{event:net-b}/edit",                             "404  404  404  404  404  404  422  422  404"),
        r(.POST, "/events/{event:cancelled}/edit",                         "log  log  403  403  403  403  422  422  log"),
        r(.POST, "/events/{event:cancelled-members}/edit",                 "404  404  403  403  403  403  422  422  404"),
        r(.POST, "/events/{event:draft}/edit",                             "404  404  404  404  404  404  422  422  404"),
        //                                                                  vis  pend mem  netA coA  focX edit adm  susp
        r(.POST, "/events/{event:public}/register",                        "log  log  303  303  303  303  303  303  log"),
        r(.POST, "/events/{event:members}/register",                       "404  404  303  303  303  303  303  303  404"),
        r(.POST, "/events/{event:net-a}/register",                         "404  404  404  303  303  404  303  303  404"),
        r(.POST, "/events/{event:net-b}/register",                         "404  404  404  404  404  404  303  303  404"),
        r(.POST, "/events/{event:cancelled}/register",                     "log  log  303  303  303  303  303  303  log"),
        r(.POST, "/events/{event:cancelled-members}/register",             "404  404  303  303  303  303  303  303  404"),
        r(.POST, "/events/{event:draft}/register",                         "404  404  404  404  404  404  303  303  404"),
        // Giving up a place: signing in comes first; the member registered for net-b keeps that right.
        r(.POST, "/events/{event:public}/cancel",                          "log  log  303  303  303  303  303  303  log"),
        r(.POST, "/events/{event:members}/cancel",                         "log  log  303  303  303  303  303  303  log"),
        r(.POST, "/events/{event:net-a}/cancel",                           "log  log  404  303  303  404  303  303  log"),
        r(.POST, "/events/{event:net-b}/cancel",                           "log  log  303  404  404  404  303  303  log"),
        r(.POST, "/events/{event:cancelled}/cancel",                       "log  log  303  303  303  303  303  303  log"),
        r(.POST, "/events/{event:cancelled-members}/cancel",               "log  log  303  303  303  303  303  303  log"),
        r(.POST, "/events/{event:draft}/cancel",                           "log  log  404  404  404  404  303  303  log"),
        //                                                                  vis  pend mem  netA coA  focX edit adm  susp
        r(.GET, "/events/{event:public}/attendees",                        "log  log  403  403  403  403  200  200  log"),
        r(.GET, "/events/{event:members}/attendees",                       "404  404  403  403  403  403  200  200  404"),
        r(.GET, "/events/{event:net-a}/attendees",                         "404  404  404  403  200  404  200  200  404"),
        r(.GET, "/events/{event:net-b}/attendees",                         "404  404  404  404  404  404  200  200  404"),
        r(.GET, "/events/{event:cancelled}/attendees",                     "log  log  403  403  403  403  200  200  log"),
        r(.GET, "/events/{event:cancelled-members}/attendees",             "404  404  403  403  403  403  200  200  404"),
        r(.GET, "/events/{event:draft}/attendees",                         "404  404  404  404  404  404  200  200  404"),
        r(.GET, "/events/{event:public}/attendees.csv",                    "log  log  403  403  403  403  200  200  log"),
        r(.GET, "/events/{event:members}/attendees.csv",                   "404  404  403  403  403  403  200  200  404"),
        r(.GET, "/events/{event:net-a}/attendees.csv",                     "404  404  404  403  200  404  200  200  404"),
        r(.GET, "/events/{event:net-b}/attendees.csv",                     "404  404  404  404  404  404  200  200  404"),
        r(.GET, "/events/{event:cancelled}/attendees.csv",                 "log  log  403  403  403  403  200  200  log"),
        r(.GET, "/events/{event:cancelled-members}/attendees.csv",         "404  404  403  403  403  403  200  200  404"),
        r(.GET, "/events/{event:draft}/attendees.csv",                     "404  404  404  404  404  404  200  200  404"),
        //                                                                  vis  pend mem  netA coA  focX edit adm  susp
        r(.POST, "/events/{event:public}/outcomes",                        "log  log  403  403  403  403  303  303  log"),
        r(.POST, "/events/{event:members}/outcomes",                       "404  404  403  403  403  403  303  303  404"),
        r(.POST, "/events/{event:net-a}/outcomes",                         "404  404  404  403  303  404  303  303  404"),
        r(.POST, "/events/{event:net-b}/outcomes",                         "404  404  404  404  404  404  303  303  404"),
        r(.POST, "/events/{event:cancelled}/outcomes",                     "log  log  403  403  403  403  303  303  log"),
        r(.POST, "/events/{event:cancelled-members}/outcomes",             "404  404  403  403  403  403  303  303  404"),
        r(.POST, "/events/{event:draft}/outcomes",                         "404  404  404  404  404  404  303  303  404"),
        // Removing an outcome, with a document that is none of the event's: nothing is removed.
        r(.POST, "/events/{event:public}/outcomes/{doc:public}/remove",    "log  log  403  403  403  403  303  303  log"),
        r(.POST, "/events/{event:members}/outcomes/{doc:public}/remove",   "404  404  403  403  403  403  303  303  404"),
        r(.POST, "/events/{event:net-a}/outcomes/{doc:public}/remove",     "404  404  404  403  303  404  303  303  404"),
        r(.POST, "/events/{event:net-b}/outcomes/{doc:public}/remove",     "404  404  404  404  404  404  303  303  404"),
        r(.POST, "/events/{event:cancelled}/outcomes/{doc:public}/remove", "log  log  403  403  403  403  303  303  log"),
        r(.POST, "/events/{event:cancelled-members}/outcomes/{doc:public}/remove", "404  404  403  403  403  403  303  303  404"),
        r(.POST, "/events/{event:draft}/outcomes/{doc:public}/remove",     "404  404  404  404  404  404  303  303  404"),

        // Statistics
        //                                                                  vis  pend mem  netA coA  focX edit adm  susp
        r(.GET, "/statistics",                                             "200  200  200  200  200  200  200  200  200"),
        r(.GET, "/statistics/indicators/{ind:public}",                     "200  200  200  200  200  200  200  200  200"),
        r(.GET, "/statistics/indicators/{ind:members-only}",               "200  200  200  200  200  200  200  200  200"),
        r(.GET, "/statistics/indicators/{ind:public}?format=csv&all=1",    "200  200  200  200  200  200  200  200  200"),
        r(.GET, "/statistics/indicators/NOPE",                             "404  404  404  404  404  404  404  404  404"),
        r(.GET, "/statistics/datasets",                                    "200  200  200  200  200  200  200  200  200"),
        r(.GET, "/feeds/datasets.atom",                                    "200  200  200  200  200  200  200  200  200"),
        r(.GET, "/statistics/datasets/new",                                "log  log  200  200  200  200  200  200  log"),
        r(.POST, "/statistics/datasets/new",                               "log  log  422  422  422  422  422  422  log"),
        r(.GET, "/statistics/datasets/{ds:public}",                        "200  200  200  200  200  200  200  200  200"),
        r(.GET, "/statistics/datasets/{ds:members}",                       "404  404  200  200  200  200  200  200  404"),
        r(.GET, "/statistics/datasets/{ds:draft}",                         "404  404  404  404  404  404  200  200  404"),
        r(.GET, "/statistics/datasets/{ds:pending}",                       "404  404  404  404  404  404  200  200  404"),
        r(.GET, "/statistics/datasets/{ds:with-pending-version}",          "200  200  200  200  200  200  200  200  200"),
        r(.GET, "/statistics/datasets/{ds:public}/data.csv",               "200  200  200  200  200  200  200  200  200"),
        r(.GET, "/statistics/datasets/{ds:members}/data.csv",              "404  404  200  200  200  200  200  200  404"),
        r(.GET, "/statistics/datasets/{ds:draft}/data.csv",                "404  404  404  404  404  404  200  200  404"),
        r(.GET, "/statistics/datasets/{ds:pending}/data.csv",              "404  404  404  404  404  404  200  200  404"),
        r(.GET, "/statistics/datasets/{ds:with-pending-version}/data.csv", "200  200  200  200  200  200  200  200  200"),
        // A version's file: published ones with their dataset; pending ones for reviewers (and the submitter) only.
        r(.GET, "/statistics/datasets/{ds:public}/versions/1.csv",         "200  200  200  200  200  200  200  200  200"),
        r(.GET, "/statistics/datasets/{ds:public}/versions/9.csv",         "404  404  404  404  404  404  404  404  404"),
        r(.GET, "/statistics/datasets/{ds:members}/versions/1.csv",        "404  404  200  200  200  200  200  200  404"),
        r(.GET, "/statistics/datasets/{ds:members}/versions/2.csv",        "404  404  404  404  404  404  200  200  404"),
        r(.GET, "/statistics/datasets/{ds:draft}/versions/1.csv",          "404  404  404  404  404  404  200  200  404"),
        r(.GET, "/statistics/datasets/{ds:pending}/versions/1.csv",        "404  404  404  404  404  404  200  200  404"),
        r(.GET, "/statistics/datasets/{ds:with-pending-version}/versions/1.csv", "200  200  200  200  200  200  200  200  200"),
        r(.GET, "/statistics/datasets/{ds:with-pending-version}/versions/2.csv", "404  404  404  404  404  404  200  200  404"),
        // Publishing is editorial work, refused before the dataset is looked up; nothing pending: 404.
        r(.POST, "/statistics/datasets/{ds:public}/publish",               "log  log  403  403  403  403  404  404  log"),
        r(.POST, "/statistics/datasets/{ds:members}/publish",              "log  log  403  403  403  403  303  303  log", restores: "ds:members"),
        r(.POST, "/statistics/datasets/{ds:draft}/publish",                "log  log  403  403  403  403  303  303  log", restores: "ds:draft"),
        r(.POST, "/statistics/datasets/{ds:pending}/publish",              "log  log  403  403  403  403  303  303  log", restores: "ds:pending"),
        r(.POST, "/statistics/datasets/{ds:with-pending-version}/publish", "log  log  403  403  403  403  303  303  log", restores: "ds:with-pending-version"),
    ]

    /// Cells where the application answers wrongly today: the expectation above stays, the check is
    /// wrapped in `withKnownIssue` and fails once the defect is fixed (then remove the entry).
    static let knownIssues: [String: (roles: [SecurityRole], because: String)] = [:]

    // MARK: - The test

    @Test("Every route answers every role as the table says; hidden items answer 404 and reveal no title or file name", arguments: TestDatabase.all)
    func matrix(database: TestDatabase) async throws {
        try await withApp(database) { app in
            // given
            let recorder = RouteRecorder()
            app.middleware.use(recorder, at: .beginning)
            let world = try await SecurityWorld.build(app)
            var reached: Set<String> = []

            // when
            for row in Self.rows {
                guard row.expected.count == SecurityRole.allCases.count else {
                    Issue.record("line \(row.line): \(row.expected.count) columns, want \(SecurityRole.allCases.count)")
                    continue
                }
                var answers: [SecurityRole: TestingHTTPResponse] = [:]
                for role in SecurityRole.allCases {
                    answers[role] = try await Self.ask(row, as: role, in: world)
                    if let item = row.restores, answers[role]!.status == .seeOther { try await world.restore(item) }
                }

                // then
                for (role, expected) in zip(SecurityRole.allCases, row.expected) {
                    let response = answers[role]!
                    let route = recorder.route(of: Self.probe(row, role)) ?? "none"
                    if route == "none" { Issue.record("line \(row.line): \(row.method) \(world.fill(row.template)) reached no route") } else { reached.insert(route) }
                    let got = Self.answer(response)
                    let message: Comment = "line \(row.line): \(row.key) as \(role): \(got), want \(expected)"
                    if let known = Self.knownIssues[row.key], known.roles.contains(role) {
                        withKnownIssue(Comment(rawValue: known.because)) { #expect(got == expected, message) }
                    } else {
                        #expect(got == expected, message)
                    }
                    if ["404", "403", "400", "409", "log"].contains(got) {
                        for secret in world.revealing(row.template) where response.text.contains(secret) {
                            Issue.record("line \(row.line): \(row.key) as \(role) answered \(got) and revealed \"\(secret)\"")
                        }
                    }
                }
            }

            // Every route has a row.
            for route in app.routes.all where !reached.contains(RouteRecorder.key(route)) {
                Issue.record("no row in the matrix reaches \(RouteRecorder.key(route))")
            }
        }
    }

    static func probe(_ row: Row, _ role: SecurityRole) -> String { "\(row.line)-\(role)" }

    /// The row's request, as `role`.
    static func ask(_ row: Row, as role: SecurityRole, in world: SecurityWorld) async throws -> TestingHTTPResponse {
        let browser = row.fresh ? try await world.freshBrowser(role) : world.browser(role)
        var headers = HTTPHeaders()
        headers.add(name: RouteRecorder.header, value: probe(row, role))
        let path = world.fill(row.template)
        if row.method == .GET { return try await browser.get(path, headers: headers) }
        headers.contentType = .urlEncodedForm
        let fields = row.form + [("_csrf", browser.csrfToken ?? "")]
        return try await browser.send(row.method, path, headers: headers, body: ByteBuffer(string: TestBrowser.encode(fields)))
    }

    /// `log` for a redirect to the login page, otherwise the status code.
    static func answer(_ response: TestingHTTPResponse) -> String {
        if response.status == .seeOther, response.location?.hasPrefix("/login") == true { return "log" }
        return String(response.status.code)
    }
}

// MARK: - Which route answered

/// Records which route of the table answered each request, so that the matrix can tell routes it
/// never reached and rows that reached no route.
final class RouteRecorder: AsyncMiddleware, @unchecked Sendable {
    static let header = "X-Matrix-Probe"
    private let answered = NIOLockedValueBox<[String: String]>([:])

    static func key(_ route: Route) -> String {
        "\(route.method.rawValue) /" + route.path.map(\.description).joined(separator: "/")
    }

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if let probe = request.headers.first(name: Self.header) {
            let key = request.route.map(Self.key) ?? "none"
            answered.withLockedValue { $0[probe] = key }
        }
        return try await next.respond(to: request)
    }

    func route(of probe: String) -> String? { answered.withLockedValue { $0[probe] } }
}
