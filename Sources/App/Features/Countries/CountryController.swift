import Fluent
import Foundation
import TextDiff
import Vapor

/// `/countries…`: the list and map, each profile, editing with history, and comparison.
struct CountryController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(SiteURL.countries.route, use: index)
        routes.get(SiteURL.countriesCompare(codes: []).route, use: compare)
        routes.get(SiteURL.country(":code").route, use: show)
        routes.get(SiteURL.countryEdit(":code", part: ":part").route, use: editForm)
        routes.post(SiteURL.countryEdit(":code", part: ":part").route, use: save)
        routes.get(SiteURL.countryHistory(":code").route, use: history)
        routes.get(SiteURL.countryDiff(":code", from: nil, to: nil).route, use: diff)
        routes.post(SiteURL.countryRestore(":code", number: ":number").route, use: restore)
    }

    // MARK: - Finding a country

    enum Lookup {
        case found(Country)
        /// Another spelling of a known country (upper case, alpha-3): where it lives.
        case moved(Country)
        case unknown
    }

    static func lookup(_ code: String, db: any Database) async throws -> Lookup {
        let upper = code.uppercased()
        guard upper.count == 2 || upper.count == 3, upper.allSatisfy({ $0.isASCII && $0.isLetter }) else { return .unknown }
        if upper.count == 3 {
            return try await Country.query(on: db).filter(\.$iso3 == upper).first().map { .moved($0) } ?? .unknown
        }
        guard let country = try await Country.query(on: db).filter(\.$iso2 == upper).first() else { return .unknown }
        return code == upper.lowercased() ? .found(country) : .moved(country)
    }

    enum Resolved {
        case success(Country)
        case failure(Response)
    }

    /// The country of the path, or the answer to give instead (a redirect, a 404 page).
    private func resolve(_ req: Request) async throws -> Resolved {
        switch try await Self.lookup(req.parameters.get("code") ?? "", db: req.db) {
        case .found(let country): return .success(country)
        case .moved(let country):
            let rest = req.url.path.split(separator: "/").dropFirst(2).joined(separator: "/")
            let path = SiteURL.country(country.iso2.lowercased()).path + (rest.isEmpty ? "" : "/" + rest)
            return .failure(req.redirect(to: path + (req.url.query.map { "?" + $0 } ?? ""), redirectType: .permanent))
        case .unknown:
            return .failure(req.page(.notFound, title: req.t("countries.unknown.title")) { CountryPages.unknown($0) })
        }
    }

    // MARK: - Pages

    func index(req: Request) async throws -> Response {
        let countries = try await Country.query(on: req.db).all()
        let figures = try await CountryFigure.query(on: req.db).filter(\.$indicator ~~ ["population", "population_un_wpp2024"]).all()
        let model = CountryPages.IndexModel(countries: countries, population: CountryPages.population(figures))
        return req.page(title: req.t("countries.title"), description: req.t("countries.intro"), current: .countries) {
            CountryPages.index(model, $0)
        }
    }

    func show(req: Request) async throws -> Response {
        let country: Country
        switch try await resolve(req) {
        case .success(let found): country = found
        case .failure(let response): return response
        }
        let (content, number) = try await CountryProfiles.current(country, db: req.db)
        let figures = try await CountryFigure.query(on: req.db).filter(\.$country.$id == country.requireID()).all()
        var request = SearchRequest(query: SearchQuery.parse(""), sections: [DocumentLibrary.section],
                                    filters: ["country": [country.iso2.lowercased()]], sort: .newest, limit: 5)
        request.candidates = req.application.cpmg.settings.searchCandidates
        let documents = try await SearchIndexes.make(for: req.db).search(request, viewer: req.viewer, on: req.db)
        var focalPoints: [User] = []
        if Access.can(req.viewer, .seeMemberDetails) {
            let links = try await CountryFocalPoint.query(on: req.db).filter(\.$country.$id == country.requireID()).all()
            focalPoints = try await User.query(on: req.db).filter(\.$id ~~ links.map { $0.$user.id }).filter(\.$status == .active).sort(\.$name).all()
        }
        var eventFilters = EventCalendar.Filters()
        eventFilters.country = country.iso2.lowercased()
        let events = try await EventCalendar.events(.upcoming, filters: eventFilters, viewer: req.viewer, db: req.db, now: req.now, limit: 5)
        let indicators = try await CountryPages.keySeries(areas: [country.iso2], viewer: req.viewer, db: req.db)
        var model = CountryPages.ShowModel(
            country: country, content: content, revision: number, figures: figures, documents: documents, events: events,
            focalPoints: focalPoints, canEdit: Access.can(req.viewer, .editCountry(try country.requireID())),
            base: req.application.cpmg.settings.publicURL
        )
        model.indicators = indicators
        let name = country.localizedName(req.language)
        return req.page(title: name, description: req.t("countries.profileOf", ["name": name]), current: .countries,
                        head: .element(named: "script", nodes: [.attr("type", "application/ld+json"), .raw(CountryPages.jsonLD(model, language: req.language))])) {
            CountryPages.show(model, $0)
        }
    }

    func compare(req: Request) async throws -> Response {
        // ?c=jm,tt,bb from a link, or ?c=jm&c=tt from the form's checkboxes.
        let requested = req.queryPairs.filter { $0.0 == "c" }
            .flatMap { $0.1.split(whereSeparator: { $0 == "," || $0 == " " }) }.map { $0.lowercased() }.filter { !$0.isEmpty }
        let all = try await Country.query(on: req.db).all()
        let byCode = Dictionary(uniqueKeysWithValues: all.map { ($0.iso2.lowercased(), $0) })
        var chosen: [Country] = []
        var unknown: [String] = []
        for code in requested where !chosen.contains(where: { $0.iso2.lowercased() == code }) {
            if let country = byCode[code] { chosen.append(country) } else { unknown.append(code) }
        }
        let tooMany = chosen.count > CountryPages.compareLimit
        chosen = Array(chosen.prefix(CountryPages.compareLimit))
        var contents: [ProfileContent] = []
        for country in chosen { contents.append(try await CountryProfiles.current(country, db: req.db).content) }
        let figures = chosen.isEmpty ? [] : try await CountryFigure.query(on: req.db).filter(\.$country.$id ~~ chosen.compactMap(\.id)).all()
        var model = CountryPages.CompareModel(all: all, chosen: chosen, contents: contents, figures: figures, unknown: unknown, tooMany: tooMany)
        // The statistics centre's key indicators, latest value of each country.
        if !chosen.isEmpty {
            model.indicators = try await CountryPages.keySeries(areas: chosen.map(\.iso2), viewer: req.viewer, db: req.db)
                .map { ($0.indicator, StatisticsData.latest($0.points)) }
        }
        return req.page(title: req.t("countries.compare.title"), current: .countries) { CountryPages.compare(model, $0) }
    }

    // MARK: - Editing

    private func part(_ req: Request) -> ProfilePart? { ProfilePart(rawValue: req.parameters.get("part") ?? "") }

    func editForm(req: Request) async throws -> Response {
        let country: Country
        switch try await resolve(req) {
        case .success(let found): country = found
        case .failure(let response): return response
        }
        guard let part = part(req) else { throw Abort(.notFound) }
        try req.authorize(.editCountry(try country.requireID()))
        let (content, number) = try await CountryProfiles.current(country, db: req.db)
        var form = CountryForm(content: content, part: part, base: number)
        if part != .facts, form.section.reviewed.isEmpty { form.section.reviewed = CountryForm.day(req.now) }
        if part != .facts, content.section(part.rawValue).markdown.isEmpty { form.section.language = req.language.rawValue }
        return renderForm(req, country: country, part: part, form: form, errors: FormErrors())
    }

    func save(req: Request) async throws -> Response {
        let country: Country
        switch try await resolve(req) {
        case .success(let found): country = found
        case .failure(let response): return response
        }
        guard let part = part(req) else { throw Abort(.notFound) }
        try req.authorize(.editCountry(try country.requireID()))
        let user = try req.requireUser()
        let input = try FormInput.read(req)
        let year = Calendar(identifier: .gregorian).component(.year, from: req.now)
        var errors = FormErrors()
        let form = CountryForm(input, part: part, currentYear: year, errors: &errors)
        if input["action"] == "preview" || !errors.isEmpty {
            return renderForm(req, country: country, part: part, form: form, errors: errors, preview: errors.isEmpty,
                              status: errors.isEmpty ? .ok : .unprocessableEntity)
        }
        let summary = form.summary.isEmpty ? req.t("countries.edit.defaultSummary", ["part": req.t(part.titleKey)]) : form.summary
        switch try await CountryProfiles.save(part, from: form.content, base: form.base, summary: summary, country: country, user: user,
                                              app: req.application, db: req.db, now: req.now) {
        case .saved:
            return req.redirect(to: SiteURL.country(country.iso2.lowercased()).path + "#\(part.rawValue)", notice: "notice.countrySaved")
        case .conflict(let theirs, let number):
            var kept = form
            kept.base = number
            return renderForm(req, country: country, part: part, form: kept, errors: errors, conflict: (theirs, number), status: .conflict)
        }
    }

    private func renderForm(_ req: Request, country: Country, part: ProfilePart, form: CountryForm, errors: FormErrors, preview: Bool = false,
                            conflict: (ProfileContent, Int)? = nil, status: HTTPResponseStatus = .ok) -> Response {
        let name = country.localizedName(req.language)
        return req.page(status, title: req.t("countries.edit.title", ["part": req.t(part.titleKey), "name": name]), current: .countries) {
            CountryPages.form(country: country, part: part, form: form, errors: errors, preview: preview, conflict: conflict, context: $0)
        }
    }

    // MARK: - History

    func history(req: Request) async throws -> Response {
        let country: Country
        switch try await resolve(req) {
        case .success(let found): country = found
        case .failure(let response): return response
        }
        let revisions = try await CountryRevision.query(on: req.db).filter(\.$country.$id == country.requireID()).sort(\.$number, .descending).all()
        // Who wrote a revision is a member's detail, like the focal points on the profile.
        let ids = revisions.compactMap { $0.$user.id }
        let users = Access.can(req.viewer, .seeMemberDetails)
            ? try await userNames(ids, db: req.db)
            : Dictionary(ids.map { ($0, req.t("countries.history.aMember")) }, uniquingKeysWith: { a, _ in a })
        let name = country.localizedName(req.language)
        return req.page(title: req.t("countries.history.title", ["name": name]), current: .countries) {
            CountryPages.history(country: country, revisions: revisions, users: users, canRestore: Access.can(req.viewer, .restoreRevision), context: $0)
        }
    }

    func diff(req: Request) async throws -> Response {
        let country: Country
        switch try await resolve(req) {
        case .success(let found): country = found
        case .failure(let response): return response
        }
        let latest = try await CountryProfiles.latestRevision(country, db: req.db)?.number ?? 0
        let to = min(max(0, req.query[Int.self, at: "to"] ?? latest), latest)
        let from = min(max(0, req.query[Int.self, at: "from"] ?? to - 1), latest)
        guard let old = try await CountryProfiles.content(country, number: from, db: req.db),
              let new = try await CountryProfiles.content(country, number: to, db: req.db) else { throw Abort(.notFound) }
        let name = country.localizedName(req.language)
        return req.page(title: req.t("countries.diff.title", ["name": name, "from": String(from), "to": String(to)]), current: .countries) {
            CountryPages.diff(country: country, from: from, to: to, old: old, new: new, context: $0)
        }
    }

    func restore(req: Request) async throws -> Response {
        let country: Country
        switch try await resolve(req) {
        case .success(let found): country = found
        case .failure(let response): return response
        }
        try req.authorize(.restoreRevision)
        let user = try req.requireUser()
        guard let number = Int(req.parameters.get("number") ?? "") else { throw Abort(.notFound) }
        let summary = req.t("countries.history.restoredSummary", ["number": String(number)])
        guard try await CountryProfiles.restore(number, country: country, user: user, summary: summary, app: req.application, db: req.db, now: req.now) != nil else {
            throw Abort(.notFound)
        }
        return req.redirect(to: .country(country.iso2.lowercased()), notice: "notice.countryRestored")
    }

    private func userNames(_ ids: [UUID], db: any Database) async throws -> [UUID: String] {
        guard !ids.isEmpty else { return [:] }
        return Dictionary(try await User.query(on: db).filter(\.$id ~~ ids).all().map { ($0.id!, $0.name) }, uniquingKeysWith: { a, _ in a })
    }
}

/// The edit form of one part of a profile, read and checked.
struct CountryForm {
    var part: ProfilePart
    var base: Int
    var summary = ""
    var facts = ProfileContent.Facts()
    var section = ProfileContent.Section()
    /// Figures as typed, so a wrong one comes back as it was.
    var populationText = (value: "", year: "", source: "")
    var areaText = (value: "", year: "", source: "")

    static let languages = ["en", "es", "fr", "nl"]

    init(content: ProfileContent, part: ProfilePart, base: Int) {
        self.part = part
        self.base = base
        facts = content.facts
        section = content.section(part.rawValue)
        populationText = Self.texts(facts.population)
        areaText = Self.texts(facts.area)
    }

    init(_ input: FormInput, part: ProfilePart, currentYear: Int, errors: inout FormErrors) {
        self.part = part
        base = Int(input["base"]) ?? 0
        summary = input.text("summary", required: false, max: 200, errors: &errors)
        if part == .facts {
            facts.officialName = input.text("officialName", max: 200, errors: &errors)
            facts.capital = input.text("capital", max: 100, errors: &errors)
            facts.languages = input.text("languages", max: 300, errors: &errors)
            facts.currency = input.text("currency", max: 60, errors: &errors)
            facts.timeZone = input.text("timeZone", max: 60, errors: &errors)
            if !facts.timeZone.isEmpty, errors["timeZone"] == nil, TimeZone(identifier: facts.timeZone) == nil || !facts.timeZone.contains("/") {
                errors.add("timeZone", "countries.form.timeZoneUnknown")
            }
            populationText = (input["populationValue"], input["populationYear"], input["populationSource"])
            areaText = (input["areaValue"], input["areaYear"], input["areaSource"])
            facts.population = Self.figure("population", populationText, currentYear: currentYear, errors: &errors)
            facts.area = Self.figure("area", areaText, currentYear: currentYear, errors: &errors)
        } else {
            section.markdown = input.text("markdown", multiline: true, max: CountryProfiles.maxMarkdown, errors: &errors)
            section.sources = input.text("sources", required: false, multiline: true, max: CountryProfiles.maxSources, errors: &errors)
            section.reviewed = input["reviewed"]
            if section.reviewed.isEmpty { errors.add("reviewed", "form.required") }
            else if Self.date(section.reviewed) == nil { errors.add("reviewed", "countries.form.dateInvalid") }
            section.language = input["language"]
            if !Self.languages.contains(section.language) { errors.add("language", "form.required") }
        }
    }

    var content: ProfileContent {
        var content = ProfileContent()
        content.facts = facts
        content.sections[part.rawValue] = section
        return content
    }

    /// A figure needs a value, its year and its source, or nothing at all.
    static func figure(_ name: String, _ text: (value: String, year: String, source: String), currentYear: Int, errors: inout FormErrors) -> ProfileContent.Figure? {
        if text.value.isEmpty && text.year.isEmpty && text.source.isEmpty { return nil }
        let cleaned = text.value.replacingOccurrences(of: ",", with: "").replacingOccurrences(of: " ", with: "").replacingOccurrences(of: "\u{00A0}", with: "")
        var value = Double(cleaned)
        if value == nil || !(value!.isFinite) || value! < 0 {
            errors.add("\(name)Value", "countries.form.numberInvalid")
            value = nil
        } else if value! > CountryForm.largest {
            errors.add("\(name)Value", "countries.form.numberTooLarge")
            value = nil
        }
        let year = Int(text.year)
        if text.year.isEmpty { errors.add("\(name)Year", "countries.form.figureYearRequired") }
        else if year == nil || !(1900...currentYear).contains(year!) { errors.add("\(name)Year", "countries.form.yearInvalid") }
        if text.source.isEmpty { errors.add("\(name)Source", "countries.form.figureSourceRequired") }
        else if text.source.count > 300 { errors.add("\(name)Source", "form.tooLong") }
        guard let value, let year, !text.source.isEmpty else { return nil }
        return ProfileContent.Figure(value: value, year: year, source: text.source)
    }

    static func texts(_ figure: ProfileContent.Figure?) -> (value: String, year: String, source: String) {
        guard let figure else { return ("", "", "") }
        let value = CountryForm.plain(figure.value)
        return (value, figure.year == 0 ? "" : String(figure.year), figure.source)
    }

    /// Larger than any population or area on Earth (people, km²): beyond it a figure is a typo.
    static let largest = 10_000_000_000.0

    /// A stored figure as the form shows it: whole numbers without ".0", anything else (even a
    /// value saved before limits existed, or out of range) as Swift prints it; never a trap.
    static func plain(_ value: Double) -> String {
        if let whole = Int64(exactly: value) { return String(whole) }
        return String(value)
    }

    static func day(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.calendar = Calendar(identifier: .gregorian)
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: date)
    }

    static func date(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.calendar = Calendar(identifier: .gregorian)
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        guard text.count == 10, let date = formatter.date(from: text), formatter.string(from: date) == text else { return nil }
        return date
    }
}
