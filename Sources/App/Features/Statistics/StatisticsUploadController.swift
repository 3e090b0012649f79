import Fluent
import Foundation
import StatImport
import Vapor

/// Members' datasets: upload a CSV, see what would be imported and every problem by row and
/// column, import all or nothing, and an editor publishes. A new version replaces the values
/// only when it is published; every version's file stays downloadable.
struct StatisticsUploadController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(SiteURL.statisticsDatasetNew.route, use: newForm)
        routes.on(.POST, SiteURL.statisticsDatasetNew.route, body: .collect(maxSize: "2048mb"), use: upload)
        routes.post(SiteURL.statisticsDatasetPublish(":slug").route, use: publish)
        routes.get("statistics", "datasets", ":slug", "versions", ":file", use: versionFile)
    }

    struct Body: Content {
        var title: String?
        var description: String?
        var source: String?
        var source_url: String?
        var licence: String?
        var caveats: String?
        var visibility: String?
        var dataset: String?
        var decimal_comma: String?
        var digest: String?
        var filename: String?
        var action: String?
        var file: File?
    }

    /// The form as typed, kept across the preview.
    struct Form: Sendable {
        var title = "", description = "", source = "", sourceURL = "", licence = "", caveats = "", visibility = "public", dataset = ""
        var decimalComma = false
        var digest = "", filename = ""

        init() {}
        init(_ body: Body) {
            func clean(_ text: String?) -> String { (text ?? "").trimmingCharacters(in: .whitespacesAndNewlines) }
            title = clean(body.title); description = clean(body.description); source = clean(body.source); sourceURL = clean(body.source_url)
            licence = clean(body.licence); caveats = clean(body.caveats); visibility = clean(body.visibility).isEmpty ? "public" : clean(body.visibility)
            dataset = clean(body.dataset); decimalComma = body.decimal_comma == "1"; digest = clean(body.digest); filename = clean(body.filename)
        }

        func check(_ errors: inout FormErrors, updating: Bool) {
            func text(_ name: String, _ value: String, max: Int, required: Bool = true) {
                if required && value.isEmpty { errors.add(name, "form.required") } else if value.count > max { errors.add(name, "form.tooLong") }
            }
            if !updating {
                text("title", title, max: 200)
                text("source", source, max: 500)
                text("licence", licence, max: 200)
            }
            text("description", description, max: 5000, required: false)
            text("caveats", caveats, max: 5000, required: false)
            if !sourceURL.isEmpty && !(sourceURL.hasPrefix("https://") || sourceURL.hasPrefix("http://")) { errors.add("source_url", "events.form.linkInvalid") }
            if !["public", "members"].contains(visibility) { errors.add("visibility", "form.required") }
        }
    }

    /// Datasets this viewer may add a version to.
    private func ownDatasets(_ req: Request) async throws -> [StatDataset] {
        guard let userID = req.viewer.userID else { return [] }
        let query = StatDataset.query(on: req.db).sort(\.$title)
        if !req.viewer.isEditor { query.filter(\.$submitter.$id == userID) }
        return try await query.all()
    }

    func newForm(req: Request) async throws -> Response {
        try req.authorize(.contribute)
        let datasets = try await ownDatasets(req)
        return req.page(title: req.t("statistics.upload.title"), current: .statistics) {
            StatisticsUploadPages.form(Form(), errors: FormErrors(), preview: nil, datasets: datasets, context: $0)
        }
    }

    func upload(req: Request) async throws -> Response {
        try req.authorize(.contribute)
        let user = try req.requireUser()
        let body: Body
        do { body = try req.content.decode(Body.self) } catch { throw Abort(.badRequest, reason: "error.badForm") }
        var form = Form(body)
        let datasets = try await ownDatasets(req)
        let target = form.dataset.isEmpty ? nil : datasets.first { $0.slug == form.dataset }
        var errors = FormErrors()
        form.check(&errors, updating: target != nil)
        if !form.dataset.isEmpty && target == nil { errors.add("dataset", "statistics.upload.notYours") }

        // A new file replaces the kept one; otherwise the file of the preview is used again.
        if let file = body.file, file.data.readableBytes > 0 {
            let temporary = try req.application.cpmg.blobs.temporaryURL()
            try Data(buffer: file.data).write(to: temporary)
            let stored = try req.application.cpmg.blobs.put(movingFileAt: temporary)
            form.digest = stored.sha256
            form.filename = String(file.filename.prefix(200))
        }
        guard !form.digest.isEmpty, form.digest.count == 64, form.digest.allSatisfy(\.isHexDigit),
              let data = FileManager.default.contents(atPath: req.application.cpmg.blobs.url(for: form.digest).path) else {
            errors.add("file", "statistics.upload.fileRequired")
            return render(req, form: form, errors: errors, preview: nil, datasets: datasets, status: .unprocessableEntity)
        }
        let preview = try await StatisticsImport.preview(data, decimalComma: form.decimalComma, db: req.db, now: req.now)
        guard body.action == "import", errors.isEmpty, preview.isImportable else {
            let status: HTTPResponseStatus = errors.isEmpty && (preview.isImportable || body.action != "import") ? .ok : .unprocessableEntity
            return render(req, form: form, errors: errors, preview: preview, datasets: datasets, status: status)
        }
        // All or nothing: the dataset (or its new version) and the file record together.
        let kept = form
        let dataset: StatDataset = try await req.db.transaction { db in
            let form = kept
            let dataset = target ?? StatDataset()
            if target == nil {
                var slug = StatisticsImport.slug(form.title)
                if try await StatDataset.query(on: db).filter(\.$slug == slug).first() != nil { slug += "-" + String(UUID().uuidString.prefix(6)).lowercased() }
                dataset.slug = slug
                dataset.title = form.title
                dataset.source = form.source
                dataset.licence = form.licence
                dataset.status = .pending
                dataset.version = 0
                dataset.$submitter.id = try user.requireID()
            }
            if target == nil {
                dataset.descriptionText = form.description
                dataset.sourceURL = form.sourceURL
                dataset.caveats = form.caveats
            } else {
                if !form.description.isEmpty { dataset.descriptionText = form.description }
                if !form.sourceURL.isEmpty { dataset.sourceURL = form.sourceURL }
                if !form.caveats.isEmpty { dataset.caveats = form.caveats }
            }
            dataset.visibility = Visibility(rawValue: form.visibility) ?? .public
            try await dataset.save(on: db)
            let number = (try await StatDatasetVersion.query(on: db).filter(\.$dataset.$id == dataset.requireID()).max(\.$number) ?? 0) + 1
            let version = StatDatasetVersion()
            version.$dataset.id = try dataset.requireID()
            version.number = number
            version.sha256 = form.digest
            version.filename = form.filename.isEmpty ? "dataset.csv" : form.filename
            version.rows = preview.observations.count
            version.decimalComma = form.decimalComma
            version.status = .pending
            version.$creator.id = try user.requireID()
            try await version.create(on: db)
            return dataset
        }
        return req.redirect(to: .statisticsDataset(dataset.slug), notice: "notice.datasetSubmitted")
    }

    private func render(_ req: Request, form: Form, errors: FormErrors, preview: ImportPreview?, datasets: [StatDataset], status: HTTPResponseStatus) -> Response {
        req.page(status, title: req.t("statistics.upload.title"), current: .statistics) {
            StatisticsUploadPages.form(form, errors: errors, preview: preview, datasets: datasets, context: $0)
        }
    }

    func publish(req: Request) async throws -> Response {
        try req.authorize(.publishContent)
        guard let dataset = try await StatDataset.query(on: req.db).filter(\.$slug == (req.parameters.get("slug") ?? "")).first(),
              let version = try await StatDatasetVersion.query(on: req.db).filter(\.$dataset.$id == dataset.requireID()).filter(\.$status == .pending)
                .sort(\.$number, .descending).first() else { throw Abort(.notFound) }
        let preview = try await StatisticsImport.publish(version, dataset: dataset, app: req.application, db: req.db, now: req.now)
        return req.redirect(to: .statisticsDataset(dataset.slug), notice: preview.isImportable ? "notice.datasetPublished" : "notice.datasetNotPublished")
    }

    /// `/statistics/datasets/{slug}/versions/{n}.csv`: the file of a version, as uploaded.
    func versionFile(req: Request) async throws -> Response {
        let file = req.parameters.get("file") ?? ""
        guard file.hasSuffix(".csv"), let number = Int(file.dropLast(4)),
              let dataset = try await StatDataset.query(on: req.db).filter(\.$slug == (req.parameters.get("slug") ?? "")).first(),
              Access.canView(req.viewer, dataset),
              let version = try await StatDatasetVersion.query(on: req.db).filter(\.$dataset.$id == dataset.requireID()).filter(\.$number == number).first()
        else { throw Abort(.notFound) }
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: "text/csv; charset=utf-8")
        headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"\(dataset.slug)-v\(version.number).csv\"")
        return try await req.fileio.asyncStreamFile(at: req.application.cpmg.blobs.url(for: version.sha256).path, advancedETagComparison: false) { _ in }
            .withHeaders(headers)
    }
}

extension Response {
    func withHeaders(_ headers: HTTPHeaders) -> Response {
        for (name, value) in headers { self.headers.replaceOrAdd(name: name, value: value) }
        return self
    }
}
