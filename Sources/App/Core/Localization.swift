import Foundation
import Vapor

/// The interface languages. English is complete; the others follow it key by key.
public enum Language: String, Sendable, CaseIterable, Codable {
    case en, es, fr, nl

    /// The language's own name, for the switcher.
    public var nativeName: String {
        switch self {
        case .en: "English"
        case .es: "Español"
        case .fr: "Français"
        case .nl: "Nederlands"
        }
    }

    /// The best interface language for an `Accept-Language` header, or nil.
    public static func preferred(acceptLanguage header: String) -> Language? {
        let ranked = header.split(separator: ",").compactMap { part -> (Language, Double)? in
            let pieces = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let tag = pieces.first?.lowercased(), let code = tag.split(separator: "-").first,
                  let language = Language(rawValue: String(code)) else { return nil }
            var quality = 1.0
            for piece in pieces.dropFirst() where piece.hasPrefix("q=") {
                quality = Double(piece.dropFirst(2)) ?? 0
            }
            return quality > 0 ? (language, quality) : nil
        }
        return ranked.enumerated().max { a, b in
            a.element.1 == b.element.1 ? a.offset > b.offset : a.element.1 < b.element.1
        }?.element.0
    }
}

/// Every interface string, by key, in every language; read once from `Resources/Localization`.
public struct Catalog: Sendable {
    let strings: [Language: [String: String]]

    public struct Problem: Error, CustomStringConvertible {
        public let description: String
    }

    public static func load(from directory: URL) throws -> Catalog {
        var strings: [Language: [String: String]] = [:]
        for language in Language.allCases {
            let url = directory.appendingPathComponent("\(language.rawValue).json")
            guard let data = FileManager.default.contents(atPath: url.path) else {
                throw Problem(description: "the catalog \(url.path) is missing")
            }
            do {
                strings[language] = try JSONDecoder().decode([String: String].self, from: data)
            } catch {
                throw Problem(description: "the catalog \(url.path) is not a JSON object of strings: \(error)")
            }
        }
        return Catalog(strings: strings)
    }

    public func keys(_ language: Language) -> Set<String> { Set(strings[language]?.keys ?? [:].keys) }

    public func localizer(_ language: Language) -> Localizer { Localizer(language: language, catalog: self) }
}

/// Translates keys into one language; a key missing there falls back to English, then to itself.
public struct Localizer: Sendable {
    public let language: Language
    let catalog: Catalog

    public func callAsFunction(_ key: String, _ values: [String: String] = [:]) -> String {
        var text = catalog.strings[language]?[key] ?? catalog.strings[.en]?[key] ?? key
        for (name, value) in values {
            text = text.replacingOccurrences(of: "{\(name)}", with: value)
        }
        return text
    }

    /// A localized count, e.g. `plural("members", 3)` uses `members.one` or `members.other`.
    public func plural(_ key: String, _ count: Int) -> String {
        self(count == 1 ? "\(key).one" : "\(key).other", ["count": String(count)])
    }

    public func date(_ date: Date, time: Bool = false) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: language.rawValue)
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateStyle = .medium
        formatter.timeStyle = time ? .short : .none
        return formatter.string(from: date) + (time ? " UTC" : "")
    }
}

/// Picks the request's language: `?lang=`, then the `cpmg_lang` cookie, then `Accept-Language`.
/// A `?lang=` choice is remembered in the cookie.
struct LanguageMiddleware: AsyncMiddleware {
    static let cookieName = "cpmg_lang"
    let secureCookies: Bool

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let chosen = request.query[String.self, at: "lang"].flatMap(Language.init(rawValue:))
        let language = chosen
            ?? request.cookies[Self.cookieName].flatMap { Language(rawValue: $0.string) }
            ?? request.headers.first(name: .acceptLanguage).flatMap(Language.preferred(acceptLanguage:))
            ?? .en
        request.storage[LanguageKey.self] = language
        let response = try await next.respond(to: request)
        if let chosen, request.cookies[Self.cookieName]?.string != chosen.rawValue {
            response.cookies[Self.cookieName] = HTTPCookies.Value(
                string: chosen.rawValue, maxAge: 365 * 24 * 3600, path: "/", isSecure: secureCookies,
                isHTTPOnly: true, sameSite: .lax
            )
        }
        return response
    }
}

enum LanguageKey: StorageKey { typealias Value = Language }

extension Request {
    public var language: Language { storage[LanguageKey.self] ?? .en }
    public var t: Localizer { application.cpmg.catalog.localizer(language) }
}
