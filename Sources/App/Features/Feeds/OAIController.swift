import Fluent
import Foundation
import OAIPMH
import Vapor

/// `/oai`: OAI-PMH 2.0 with Dublin Core for the public, published documents. Every document that
/// was ever public and published stays a record for ever (`deletedRecord=persistent`): deleted once
/// withdrawn or restricted; nothing that was never public appears.
struct OAIController: RouteCollection {
    static let pageSize = 100
    static let sameInstant: TimeInterval = 0.000002

    func boot(routes: any RoutesBuilder) throws {
        routes.get(SiteURL.oai.route, use: handle)
        routes.post(SiteURL.oai.route, use: handle)
    }

    func handle(req: Request) async throws -> Response {
        let base = SiteURL.oai.absolute(base: req.application.cpmg.settings.publicURL)
        let response = OAIResponse(baseURL: base, responseDate: req.now)
        var parameters = req.queryPairs
        if req.method == .POST, let body = req.body.string {
            parameters += body.split(separator: "&").compactMap { pair in
                let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0) }
                return parts.first.map { ($0, parts.count > 1 ? parts[1] : "") }
            }
        }
        let xml: String
        do {
            let request = try OAIRequest(parameters: parameters)
            xml = try await answer(request, response: response, req: req)
        } catch let error as OAIError {
            xml = response.error([error], parameters: parameters)
        }
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: "text/xml; charset=utf-8")
        return Response(status: .ok, headers: headers, body: .init(string: xml))
    }

    private func scheme(_ req: Request) -> OAIIdentifierScheme {
        OAIIdentifierScheme(repositoryIdentifier: req.application.cpmg.settings.publicURL.host ?? "cpmg", sampleLocalIdentifier: "documents/" + UUID(uuidString: "00000000-0000-0000-0000-000000000000")!.uuidString.lowercased())
    }

    private func answer(_ request: OAIRequest, response: OAIResponse, req: Request) async throws -> String {
        let key = try await PlatformSecrets.oaiKey(on: req.db)
        switch request {
        case .identify:
            let earliest = try await records(req).sort(\.$updatedAt).first()?.updatedAt ?? req.now
            return response.identify(OAIRepository(
                name: req.t("site.name"), adminEmails: [req.application.cpmg.settings.mailFrom.split(separator: "<").last.map { String($0.dropLast(1)) } ?? "admin@localhost"],
                earliestDatestamp: earliest, identifierScheme: scheme(req)
            ))
        case .listMetadataFormats(let identifier):
            if let identifier { _ = try await document(identifier, req: req) }
            return response.listMetadataFormats(request: request)
        case .listSets(let token):
            if token != nil { throw OAIError(.badResumptionToken, "The set list is complete in one response.") }
            return response.listSets(try await sets(req), request: request)
        case .getRecord(let identifier, _):
            let document = try await document(identifier, req: req)
            return response.getRecord(try await record(document, req: req), request: request)
        case .listIdentifiers(let start), .listRecords(let start):
            let verb = request.verb
            let (arguments, previous) = try start.resolve(for: verb, key: key, now: req.now)
            let query = try await listQuery(arguments, req: req)
            let total = try await query.copy().count()
            if let previous, let datestamp = previous.after.datestamp, let lastID = UUID(uuidString: previous.after.identifier) {
                // Dates come back from the database through a Double and may differ in the last
                // bits; a two-microsecond band counts as "the same instant" and is ordered by id.
                let low = datestamp.addingTimeInterval(-Self.sameInstant), high = datestamp.addingTimeInterval(Self.sameInstant)
                query.group(.or) { or in
                    or.filter(\.$updatedAt > high)
                    or.group(.and) { $0.filter(\.$updatedAt >= low).filter(\.$updatedAt <= high).filter(\.$id > lastID) }
                }
            }
            let page = try await query.sort(\.$updatedAt).sort(\.$id).limit(Self.pageSize + 1).all()
            guard !page.isEmpty else { throw OAIError(.noRecordsMatch, "No records match these arguments.") }
            let shown = Array(page.prefix(Self.pageSize))
            let last = shown.last.map { ResumptionToken.Position(datestamp: $0.updatedAt, identifier: $0.id!.uuidString) }
            let resumption = OAIResumption.forPage(
                count: shown.count, last: last, hasMore: page.count > Self.pageSize, arguments: arguments, previous: previous,
                completeListSize: total, key: key, expires: req.now.addingTimeInterval(86_400)
            )
            var records: [OAIRecord] = []
            for document in shown { records.append(try await record(document, req: req)) }
            return verb == .listRecords
                ? response.listRecords(records, resumption: resumption, request: request)
                : response.listIdentifiers(records.map(\.header), resumption: resumption, request: request)
        }
    }

    /// Documents that were ever public and published: what harvesters may hold.
    private func records(_ req: Request) -> QueryBuilder<Document> {
        Document.query(on: req.db).filter(\.$exposedPublicly == true)
    }

    /// A record's metadata is shown while a visitor would find the document in lists.
    private func isLive(_ document: Document) -> Bool {
        Access.canList(.visitor, document)
    }

    private func listQuery(_ arguments: OAIListArguments, req: Request) async throws -> QueryBuilder<Document> {
        let query = records(req)
        if let from = arguments.fromInclusive { query.filter(\.$updatedAt >= from) }
        if let until = arguments.untilExclusive { query.filter(\.$updatedAt < until) }
        if let set = arguments.set {
            let parts = set.split(separator: ":", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { throw OAIError(.noRecordsMatch, "There is no set \(set).") }
            switch parts[0] {
            case "type":
                guard let kind = Document.Kind(rawValue: parts[1]) else { throw OAIError(.noRecordsMatch, "There is no set \(set).") }
                query.filter(\.$kind == kind)
            case "country":
                if parts[1] == "regional" { query.filter(\.$regional == true); break }
                guard let country = try await Country.query(on: req.db).filter(\.$iso2 == parts[1].uppercased()).first() else {
                    throw OAIError(.noRecordsMatch, "There is no set \(set).")
                }
                let countryID = try country.requireID()
                query.join(DocumentCountry.self, on: \Document.$id == \DocumentCountry.$document.$id)
                    .filter(DocumentCountry.self, \.$country.$id == countryID)
            case "theme":
                guard let theme = try await Theme.query(on: req.db).filter(\.$slug == parts[1]).first() else {
                    throw OAIError(.noRecordsMatch, "There is no set \(set).")
                }
                let themeID = try theme.requireID()
                query.join(DocumentTheme.self, on: \Document.$id == \DocumentTheme.$document.$id)
                    .filter(DocumentTheme.self, \.$theme.$id == themeID)
            default:
                throw OAIError(.noRecordsMatch, "There is no set \(set).")
            }
        }
        return query
    }

    private func document(_ identifier: String, req: Request) async throws -> Document {
        guard let local = scheme(req).localIdentifier(of: identifier), local.hasPrefix("documents/"),
              let id = UUID(uuidString: String(local.dropFirst("documents/".count))),
              let document = try await records(req).filter(\.$id == id).first()
        else { throw OAIError(.idDoesNotExist, "There is no record \(identifier).") }
        return document
    }

    private func sets(_ req: Request) async throws -> [OAISet] {
        let countries = try await Country.query(on: req.db).sort(\.$name).all()
        let themes = try await Theme.query(on: req.db).sort(\.$name).all()
        return countries.map { OAISet(spec: "country:\($0.iso2.lowercased())", name: $0.name) }
            + [OAISet(spec: "country:regional", name: "Caribbean region")]
            + themes.map { OAISet(spec: "theme:\($0.slug)", name: $0.name) }
            + Document.Kind.allCases.map { OAISet(spec: "type:\($0.rawValue)", name: req.application.cpmg.catalog.localizer(.en)("documents.kind.\($0.rawValue)")) }
    }

    private func record(_ document: Document, req: Request) async throws -> OAIRecord {
        let id = try document.requireID()
        let countries = try await DocumentCountry.query(on: req.db).filter(\.$document.$id == id).with(\.$country).all().map(\.country)
        let themes = try await DocumentTheme.query(on: req.db).filter(\.$document.$id == id).with(\.$theme).all().map(\.theme)
        let sets = countries.map { "country:\($0.iso2.lowercased())" } + (document.regional ? ["country:regional"] : [])
            + themes.map { "theme:\($0.slug)" } + ["type:\(document.kind.rawValue)"]
        let header = OAIRecordHeader(
            identifier: scheme(req).identifier(local: "documents/" + id.uuidString.lowercased()),
            // A deleted record names no sets: they would tell what a restricted document is about.
            datestamp: document.updatedAt ?? req.now, setSpecs: isLive(document) ? sets : [], isDeleted: !isLive(document)
        )
        guard isLive(document) else { return OAIRecord(header: header, metadata: nil) }
        let files = try await DocumentFile.query(on: req.db).filter(\.$document.$id == id).sort(\.$position).all()
        let base = req.application.cpmg.settings.publicURL
        let english = req.application.cpmg.catalog.localizer(.en)
        let metadata = DublinCore(
            titles: [document.title], creators: document.authors, subjects: themes.map(\.name),
            descriptions: document.abstract.isEmpty ? [] : [document.abstract],
            publishers: document.publisher.isEmpty ? [] : [document.publisher],
            dates: [document.isoDate], types: ["Text", english("documents.kind.\(document.kind.rawValue)")],
            formats: Array(Set(files.map(\.mediaType))).sorted(),
            identifiers: [SiteURL.document(id.uuidString).absolute(base: base)] + (document.doi.map(DublinCore.doiIdentifiers) ?? [])
                + (document.isbn.map { ["urn:isbn:\($0)"] } ?? []),
            languages: document.languages.filter { $0 != "other" },
            coverage: countries.map(\.name) + (document.regional ? ["Caribbean region"] : []),
            rights: document.rights.isEmpty ? [] : [document.rights]
        )
        return OAIRecord(header: header, metadata: metadata)
    }
}
