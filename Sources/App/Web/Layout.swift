import Foundation
import Plot
import Vapor

/// What every page needs from the request: language, viewer, CSRF token, where it is.
public struct PageContext: Sendable {
    public var t: Localizer
    public var viewer: Viewer
    public var userName: String?
    public var csrfToken: String
    /// The current path and query, for the language switcher and "log in to come back here".
    public var path: String
    public var query: [(String, String)]
    public var stylesheet: SiteURL
    public var notice: String?

    public var language: Language { t.language }

    /// This page's address in another language.
    func url(in language: Language) -> String {
        var components = URLComponents()
        components.queryItems = (query.filter { $0.0 != "lang" } + [("lang", language.rawValue)])
            .map { URLQueryItem(name: $0.0, value: $0.1) }
        return path + "?" + (components.percentEncodedQuery ?? "")
    }
}

/// The chrome around every page: skip link, header with navigation, search, language switcher
/// and account links, the main landmark, the footer.
public enum Layout {
    /// The sections that exist, in navigation order. Later sections add themselves here.
    enum Section: CaseIterable {
        case home, documents, countries, events, statistics
        var url: SiteURL {
            switch self {
            case .home: .home
            case .documents: .documents(query: [])
            case .countries: .countries
            case .events: .events(query: [])
            case .statistics: .statistics
            }
        }
        var titleKey: String {
            switch self {
            case .home: "nav.home"
            case .documents: "nav.documents"
            case .countries: "nav.countries"
            case .events: "nav.events"
            case .statistics: "nav.statistics"
            }
        }
    }

    public static func render(_ context: PageContext, title: String, description: String? = nil, current: SiteURL? = nil, head: Node<HTML.HeadContext> = .empty, body: Node<HTML.BodyContext>) -> String {
        let t = context.t
        let html = HTML(
            .attr("lang", context.language.rawValue),
            .head(
                .meta(.charset(.utf8)),
                .meta(.name("viewport"), .content("width=device-width, initial-scale=1")),
                .element(named: "title", text: title == t("site.short") ? title : "\(title) · \(t("site.short"))"),
                .meta(.name("description"), .attr("content", description ?? t("site.tagline"))),
                .link(.rel(.stylesheet), .attr("href", context.stylesheet.path)),
                .link(.rel(.icon), .href("data:,")),
                head
            ),
            .body(
                .a(.class("skip-link"), .href("#main"), .text(t("nav.skip"))),
                header(context, current: current),
                .main(
                    .id("main"),
                    .attr("tabindex", "-1"),
                    .unwrap(context.notice) { .p(.class("notice"), .attr("role", "status"), .text($0)) },
                    body
                ),
                .footer(
                    .class("site-footer"),
                    .div(
                        .class("wrap"),
                        .p(.text(t("footer.about")))
                    )
                )
            )
        )
        return html.render()
    }

    static func header(_ context: PageContext, current: SiteURL?) -> Node<HTML.BodyContext> {
        let t = context.t
        return .header(
            .class("site-header"),
            .div(
                .class("wrap bar"),
                .link(.home, .class("brand"), .el("strong", .text(t("site.short"))), .el("span", .text(t("site.name")))),
                .nav(
                    .class("languages"),
                    .attr("aria-label", t("nav.language")),
                    languageLinks(context)
                )
            ),
            .div(
                .class("wrap bar"),
                .nav(
                    .class("main-nav"),
                    .attr("aria-label", t("nav.main")),
                    .ul(.forEach(Section.allCases) { section in
                        .li(.link(
                            section.url,
                            current == section.url ? .attr("aria-current", "page") : .empty,
                            .text(t(section.titleKey))
                        ))
                    })
                ),
                .form(
                    .class("site-search"),
                    .attr("role", "search"),
                    .action(SiteURL.search(query: nil)),
                    .method(.get),
                    .label(.attr("for", "site-q"), .class("visually-hidden"), .text(t("search.label"))),
                    .input(.type(.search), .id("site-q"), .name("q"), .attribute(named: "placeholder", value: Escape.attribute(t("search.placeholder")))),
                    .button(.type(.submit), .text(t("search.button")))
                ),
                accountNav(context)
            )
        )
    }

    static func languageLinks(_ context: PageContext) -> Node<HTML.BodyContext> {
        .ul(
            .class("inline"),
            .forEach(Language.allCases) { language in
                .li(
                    language == context.language
                        ? .el("span", .attr("lang", language.rawValue), .attr("aria-current", "true"), .text(language.nativeName))
                        : .el("a", .attr("href", context.url(in: language)), .attr("hreflang", language.rawValue), .attr("lang", language.rawValue), .text(language.nativeName))
                )
            }
        )
    }

    static func accountNav(_ context: PageContext) -> Node<HTML.BodyContext> {
        let t = context.t
        guard context.viewer.isSignedIn else {
            return .nav(
                .class("account"),
                .attr("aria-label", t("nav.account")),
                .ul(
                    .class("inline"),
                    .li(.link(.login(returnTo: nil), .text(t("nav.login")))),
                    .li(.link(.join, .class("button"), .text(t("nav.join"))))
                )
            )
        }
        return .nav(
            .class("account"),
            .attr("aria-label", t("nav.account")),
            .ul(
                .class("inline"),
                .li(.link(.account, .text(context.userName ?? t("nav.myAccount")))),
                .if(Access.can(context.viewer, .reviewMembershipRequests), .li(.link(.adminMembers(status: nil), .text(t("nav.admin"))))),
                .li(.form(
                    .id("logout-form"),
                    .action(SiteURL.logout),
                    .method(.post),
                    csrfField(context),
                    .button(.type(.submit), .class("link"), .text(t("nav.logout")))
                ))
            )
        )
    }

    /// The hidden field every form carries.
    static func csrfField(_ context: PageContext) -> Node<HTML.FormContext> {
        .input(.type(.hidden), .name(CSRFMiddleware.field), .attribute(named: "value", value: Escape.attribute(context.csrfToken)))
    }
}

extension Request {
    /// The query string as (name, value) pairs in order, repeated names kept.
    public var queryPairs: [(String, String)] {
        (url.query ?? "").split(separator: "&").compactMap { pair in
            let parts = pair.split(separator: "=", maxSplits: 1).map {
                String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0)
            }
            guard let name = parts.first, !name.isEmpty else { return nil }
            return (name, parts.count > 1 ? parts[1] : "")
        }
    }

    /// The page context for this request; reading it consumes the one-time notice.
    public func pageContext() -> PageContext {
        let user = currentUser
        let noticeKey = storage[NoticeKey.self] ?? cookies[Notice.cookieName]?.string
        return PageContext(
            t: t,
            viewer: viewer,
            userName: user?.name,
            csrfToken: csrfToken,
            path: url.path,
            query: queryPairs,
            stylesheet: .stylesheet(version: application.cpmg.assets.cssVersion),
            notice: noticeKey.flatMap { Notice.isValid($0) ? t($0) : nil }
        )
    }

    /// Renders a full page as an HTML response.
    public func page(_ status: HTTPResponseStatus = .ok, title: String, description: String? = nil, current: SiteURL? = nil, head: Node<HTML.HeadContext> = .empty, _ build: (PageContext) -> Node<HTML.BodyContext>) -> Response {
        let context = pageContext()
        let html = Layout.render(context, title: title, description: description, current: current, head: head, body: build(context))
        var headers = HTTPHeaders()
        headers.contentType = .html
        headers.replaceOrAdd(name: .cacheControl, value: "no-cache")
        let response = Response(status: status, headers: headers, body: .init(string: html))
        if cookies[Notice.cookieName] != nil {
            response.cookies[Notice.cookieName] = .expired
        }
        return response
    }

    /// A redirect after a successful form, carrying a one-time notice (a catalog key).
    public func redirect(to url: SiteURL, notice: String? = nil) -> Response {
        redirect(to: url.path, notice: notice)
    }

    public func redirect(to path: String, notice: String?) -> Response {
        let response = redirect(to: path, redirectType: .normal)
        if let notice {
            response.cookies[Notice.cookieName] = HTTPCookies.Value(
                string: notice, maxAge: 120, path: "/", isSecure: application.cpmg.settings.secureCookies,
                isHTTPOnly: true, sameSite: .lax
            )
        }
        return response
    }
}

/// One-time messages after a redirect ("Your password was changed"). The cookie holds a
/// catalog key, never user text.
enum Notice {
    static let cookieName = "cpmg_notice"
    static func isValid(_ key: String) -> Bool {
        key.hasPrefix("notice.") && key.count < 80 && key.allSatisfy { $0.isLetter || $0.isNumber || $0 == "." || $0 == "_" }
    }
}

enum NoticeKey: StorageKey { typealias Value = String }
