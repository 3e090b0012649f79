import Foundation
import Vapor

/// The metadata part of the upload and edit forms, read and checked field by field.
struct DocumentForm: Sendable {
    var title = ""
    var abstract = ""
    /// One author per line, in order.
    var authors = ""
    var publisher = ""
    var year = ""
    var month = ""
    var day = ""
    var kind = ""
    var languages: [String] = []
    var countries: [String] = []
    var themes: [String] = []
    var network = ""
    var rights = ""
    var doi = ""
    var isbn = ""
    var externalURL = ""
    var visibility = Visibility.public.rawValue

    static let limits = (title: 500, abstract: 10_000, authors: 3_000, publisher: 300, rights: 1_000, url: 2_000, identifier: 200)
    /// Interface languages plus the region's other languages of publication.
    static let languageCodes = ["en", "es", "fr", "nl", "pap", "ht", "pt", "other"]

    /// What the multipart or url-encoded body carries.
    struct Body: Content {
        var title: String?
        var abstract: String?
        var authors: String?
        var publisher: String?
        var year: String?
        var month: String?
        var day: String?
        var kind: String?
        var languages: [String]?
        var countries: [String]?
        var themes: [String]?
        var network: String?
        var rights: String?
        var doi: String?
        var isbn: String?
        var external_url: String?
        var visibility: String?
        var action: String?
        var files: [File]?
        var comment: String?
    }

    init() {}

    init(_ body: Body) {
        func clean(_ value: String?, multiline: Bool = false) -> String { FormText.clean(value ?? "", multiline: multiline) }
        title = clean(body.title)
        abstract = clean(body.abstract, multiline: true)
        authors = clean(body.authors, multiline: true)
        publisher = clean(body.publisher)
        year = clean(body.year)
        month = clean(body.month)
        day = clean(body.day)
        kind = clean(body.kind)
        languages = (body.languages ?? []).map { $0.lowercased() }
        countries = (body.countries ?? []).map { $0.lowercased() }
        themes = body.themes ?? []
        network = clean(body.network)
        rights = clean(body.rights)
        doi = clean(body.doi)
        isbn = clean(body.isbn)
        externalURL = clean(body.external_url)
        visibility = clean(body.visibility)
    }

    init(_ document: Document, countries: [String], themes: [String], network: String?) {
        title = document.title
        abstract = document.abstract
        authors = document.authors.joined(separator: "\n")
        publisher = document.publisher
        year = String(document.year)
        month = document.month.map(String.init) ?? ""
        day = document.day.map(String.init) ?? ""
        kind = document.kind.rawValue
        languages = document.languages
        self.countries = countries + (document.regional ? ["regional"] : [])
        self.themes = themes
        self.network = network ?? ""
        rights = document.rights
        doi = document.doi ?? ""
        isbn = document.isbn ?? ""
        externalURL = document.externalURL ?? ""
        visibility = document.visibility.rawValue
    }

    var authorList: [String] {
        authors.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// Checks every field against the reference lists; errors are catalog keys by field.
    func validate(countryCodes: Set<String>, themeSlugs: Set<String>, networkSlugs: Set<String>, now: Date) -> FormErrors {
        var errors = FormErrors()
        func length(_ field: String, _ value: String, max: Int, required: Bool) {
            if required && value.isEmpty { errors.add(field, "form.required") }
            else if value.count > max { errors.add(field, "form.tooLong") }
            else if value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control && $0 != "\n" && $0 != "\r" && $0 != "\t" }) {
                errors.add(field, "form.invalidCharacters")
            }
        }
        length("title", title, max: Self.limits.title, required: true)
        length("abstract", abstract, max: Self.limits.abstract, required: false)
        length("authors", authors, max: Self.limits.authors, required: false)
        length("publisher", publisher, max: Self.limits.publisher, required: false)
        if authorList.isEmpty && publisher.isEmpty && errors["authors"] == nil { errors.add("authors", "documents.form.authorOrPublisher") }
        length("rights", rights, max: Self.limits.rights, required: false)

        let currentYear = Calendar(identifier: .gregorian).component(.year, from: now)
        if year.isEmpty { errors.add("year", "form.required") }
        else if let y = Int(year), (1900...currentYear + 1).contains(y) {
            if !month.isEmpty {
                if let m = Int(month), (1...12).contains(m) {
                    if !day.isEmpty {
                        var parts = DateComponents(); parts.year = y; parts.month = m; parts.day = Int(day)
                        if Int(day) == nil || !parts.isValidDate(in: Calendar(identifier: .gregorian)) { errors.add("day", "documents.form.day") }
                    }
                } else { errors.add("month", "documents.form.month") }
            } else if !day.isEmpty { errors.add("month", "documents.form.monthForDay") }
        } else { errors.add("year", "documents.form.year") }

        if Document.Kind(rawValue: kind) == nil { errors.add("kind", "form.choose") }
        if languages.isEmpty { errors.add("languages", "documents.form.chooseOne") }
        else if !Set(languages).isSubset(of: Self.languageCodes) { errors.add("languages", "form.choose") }
        if countries.isEmpty { errors.add("countries", "documents.form.chooseOne") }
        else if !Set(countries).isSubset(of: countryCodes.union(["regional"])) { errors.add("countries", "form.choose") }
        if !Set(themes).isSubset(of: themeSlugs) { errors.add("themes", "form.choose") }
        if !network.isEmpty && !networkSlugs.contains(network) { errors.add("network", "form.choose") }
        guard let visibility = Visibility(rawValue: visibility), visibility != .draft else {
            errors.add("visibility", "form.choose")
            return errors
        }
        if visibility == .network && network.isEmpty { errors.add("network", "documents.form.networkForVisibility") }

        if !doi.isEmpty && (doi.count > Self.limits.identifier || Self.normalisedDOI(doi) == nil) { errors.add("doi", "documents.form.doi") }
        if !isbn.isEmpty && Self.normalisedISBN(isbn) == nil { errors.add("isbn", "documents.form.isbn") }
        if !externalURL.isEmpty {
            let url = URL(string: externalURL)
            if externalURL.count > Self.limits.url || url?.host == nil || !(url?.scheme == "http" || url?.scheme == "https") {
                errors.add("external_url", "documents.form.url")
            }
        }
        return errors
    }

    /// "10.1234/abc" from "https://doi.org/10.1234/abc", "doi:10.1234/abc" or the bare DOI.
    static func normalisedDOI(_ text: String) -> String? {
        var value = text.trimmingCharacters(in: .whitespaces)
        for prefix in ["https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "doi:", "DOI:", "DOI "] where value.hasPrefix(prefix) {
            value = String(value.dropFirst(prefix.count))
        }
        guard value.hasPrefix("10."), let slash = value.firstIndex(of: "/"), value.index(after: slash) < value.endIndex,
              !value.contains(where: \.isWhitespace) else { return nil }
        return value
    }

    /// Digits (and a final X) of a valid ISBN-10 or ISBN-13.
    static func normalisedISBN(_ text: String) -> String? {
        let value = text.uppercased().filter { $0.isNumber || $0 == "X" }
        let digits = value.compactMap { $0 == "X" ? 10 : $0.wholeNumberValue }
        if digits.count == 13, !value.contains("X") {
            let sum = digits.enumerated().reduce(0) { $0 + $1.element * ($1.offset % 2 == 0 ? 1 : 3) }
            return sum % 10 == 0 ? value : nil
        }
        if digits.count == 10, !value.dropLast().contains("X") {
            let sum = digits.enumerated().reduce(0) { $0 + $1.element * (10 - $1.offset) }
            return sum % 11 == 0 ? value : nil
        }
        return nil
    }

    /// Copies the checked values onto `document` (countries, themes and network are the
    /// caller's, as they live in their own tables).
    func apply(to document: Document) {
        document.title = title
        document.abstract = abstract
        document.authors = authorList
        document.publisher = publisher
        document.year = Int(year) ?? 0
        document.month = Int(month)
        document.day = month.isEmpty ? nil : Int(day)
        document.kind = Document.Kind(rawValue: kind) ?? .other
        document.languages = languages
        document.regional = countries.contains("regional")
        document.rights = rights
        document.doi = Self.normalisedDOI(doi)
        document.isbn = Self.normalisedISBN(isbn)
        document.externalURL = externalURL.isEmpty ? nil : externalURL
        document.visibility = Visibility(rawValue: visibility) ?? .public
    }
}

/// A document's metadata as (field, text) pairs: revisions record the pairs that changed.
enum DocumentSnapshot {
    static func of(_ d: Document, countries: [String], themes: [String], network: String?) -> [String: String] {
        [
            "title": d.title, "abstract": d.abstract, "authors": d.authors.joined(separator: "; "), "publisher": d.publisher,
            "date": d.isoDate, "kind": d.kind.rawValue, "languages": d.languages.joined(separator: ", "),
            "countries": (countries.sorted() + (d.regional ? ["regional"] : [])).joined(separator: ", "),
            "themes": themes.sorted().joined(separator: ", "), "network": network ?? "", "rights": d.rights,
            "doi": d.doi ?? "", "isbn": d.isbn ?? "", "external_url": d.externalURL ?? "", "visibility": d.visibility.rawValue,
        ]
    }

    static func changes(from before: [String: String], to after: [String: String]) -> [[String: String]] {
        after.keys.sorted().compactMap { key in
            before[key] == after[key] ? nil : ["field": key, "before": before[key] ?? "", "after": after[key] ?? ""]
        }
    }
}
