import Fluent
import Foundation
import StatImport
import Vapor

/// Members' datasets: upload a CSV, see what would be imported and every problem by row and
/// column, import all or nothing, and an editor publishes. A new version replaces the values
/// only when it is published; every published version's file stays downloadable.
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
        var token: String?
        var prefilled: String?
        var action: String?
        var file: File?
    }

    /// The form as typed, kept across the preview.
    struct Form: Sendable {
        var metadata = DatasetMetadata()
        /// The visibility as sent ("" until chosen): never defaults to public.
        var visibility = ""
        var dataset = ""
        var decimalComma = false
        /// The token of the file kept from the last check (`StatisticsPreviews`), and its name.
        var token = "", filename = ""
        /// The dataset whose details the form shows ("" for a new one): when the member picks
        /// another dataset, the form is filled with that one's details before anything is imported.
        var prefilled = ""

        static let limits = ["title": 200, "description": 5000, "source": 500, "source_url": 500, "licence": 200, "caveats": 5000]

        init() {}

        /// A new version's form: the dataset's current details.
        init(dataset: StatDataset) {
            fill(from: dataset)
        }

        mutating func fill(from dataset: StatDataset?) {
            metadata = dataset.map(DatasetMetadata.init) ?? DatasetMetadata()
            visibility = dataset?.visibility.rawValue ?? ""
            self.dataset = dataset?.slug ?? ""
            prefilled = self.dataset
        }

        /// Reads and checks what was sent (cleaned by `FormInput`): lengths, a visibility that is one
        /// of the choices. Values are kept at most as long as their field allows, so that whatever
        /// is sent, the page that shows them again stays small.
        init(_ body: Body, errors: inout FormErrors) {
            let input = FormInput(values: [
                "title": body.title, "description": body.description, "source": body.source, "source_url": body.source_url, "licence": body.licence,
                "caveats": body.caveats, "visibility": body.visibility, "dataset": body.dataset, "token": body.token, "prefilled": body.prefilled,
            ].compactMapValues { $0 })
            func text(_ name: String, required: Bool, multiline: Bool = false) -> String {
                let limit = Self.limits[name] ?? 100
                return String(input.text(name, required: required, multiline: multiline, max: limit, errors: &errors).prefix(limit))
            }
            metadata.title = text("title", required: true)
            metadata.description = text("description", required: false, multiline: true)
            metadata.source = text("source", required: true)
            metadata.sourceURL = text("source_url", required: false)
            metadata.licence = text("licence", required: true)
            metadata.caveats = text("caveats", required: false, multiline: true)
            if !metadata.sourceURL.isEmpty && !(metadata.sourceURL.hasPrefix("https://") || metadata.sourceURL.hasPrefix("http://")) {
                errors.add("source_url", "events.form.linkInvalid")
            }
            visibility = String(input["visibility"].prefix(20))
            if visibility.isEmpty { errors.add("visibility", "form.required") }
            else if let chosen = Visibility(rawValue: visibility), StatisticsUploadPages.visibilities.contains(chosen) { metadata.visibility = chosen }
            else { errors.add("visibility", "form.choose") }
            dataset = String(input["dataset"].prefix(100))
            if !dataset.isEmpty && !StatisticsImport.isValidSlug(dataset) { errors.add("dataset", "statistics.upload.notYours") }
            prefilled = String(input["prefilled"].prefix(100))
            token = String(input["token"].prefix(100))
            decimalComma = body.decimal_comma == "1"
        }
    }

    /// Datasets this viewer may add a version to.
    private func ownDatasets(_ req: Request) async throws -> [StatDataset] {
        guard req.viewer.userID != nil else { return [] }
        return try await StatisticsAccess.addable(StatDataset.query(on: req.db), for: req.viewer).sort(\.$title).all()
    }

    /// `/statistics/datasets/new`, or `?dataset=slug` for a new version filled with the dataset's details.
    func newForm(req: Request) async throws -> Response {
        try req.authorize(.contribute)
        let datasets = try await ownDatasets(req)
        let chosen = req.query[String.self, at: "dataset"].flatMap { slug in datasets.first { $0.slug == slug } }
        return render(req, form: chosen.map(Form.init(dataset:)) ?? Form(), errors: FormErrors(), preview: nil, datasets: datasets, status: .ok)
    }

    func upload(req: Request) async throws -> Response {
        try req.authorize(.contribute)
        let user = try req.requireUser()
        let body: Body
        do { body = try req.content.decode(Body.self) } catch { throw Abort(.badRequest, reason: "error.badForm") }
        let app = req.application
        var errors = FormErrors()
        var form = Form(body, errors: &errors)
        let datasets = try await ownDatasets(req)
        let target = form.dataset.isEmpty ? nil : datasets.first { $0.slug == form.dataset }
        if !form.dataset.isEmpty && target == nil { errors.add("dataset", "statistics.upload.notYours") }
        var kept = try await StatisticsPreviews.find(form.token, user: user, db: req.db, now: req.now)

        if body.action == "cancel" {
            if let kept { try await StatisticsPreviews.discard(kept, app: app, db: req.db) }
            return req.redirect(to: target.map { .statisticsDataset($0.slug) } ?? .statisticsDatasets)
        }
        // Another dataset was picked: show its details first, and import nothing until they are seen.
        let switched = errors["dataset"] == nil && form.prefilled != form.dataset
        if switched {
            let token = form.token, decimalComma = form.decimalComma
            form = Form()
            form.fill(from: target)
            form.token = token
            form.decimalComma = decimalComma
            errors = FormErrors()
        }
        // A new file replaces the kept one.
        if let file = body.file, file.data.readableBytes > 0 {
            if let kept { try await StatisticsPreviews.discard(kept, app: app, db: req.db) }
            let created = try await StatisticsPreviews.create(file.data, filename: DocumentLibrary.cleanFileName(file.filename), user: user, app: app, db: req.db, now: req.now)
            kept = created.preview
            form.token = created.token
        }
        guard let kept, let data = FileManager.default.contents(atPath: app.cpmg.blobs.url(for: kept.sha256).path) else {
            form.token = ""
            errors.add("file", "statistics.upload.fileRequired")
            return render(req, form: form, errors: errors, preview: nil, datasets: datasets, status: .unprocessableEntity)
        }
        form.filename = kept.filename
        let preview = try await StatisticsImport.preview(data, decimalComma: form.decimalComma, db: req.db, now: req.now)
        guard body.action == "import", !switched, errors.isEmpty, preview.isImportable else {
            let status: HTTPResponseStatus = errors.isEmpty && (preview.isImportable || body.action != "import") ? .ok : .unprocessableEntity
            return render(req, form: form, errors: errors, preview: preview, datasets: datasets, status: status, switched: switched)
        }
        let dataset = try await submit(form, file: kept, rows: preview.observations.count, to: target, by: user, req: req)
        return req.redirect(to: .statisticsDataset(dataset.slug), notice: "notice.datasetSubmitted")
    }

    /// All or nothing: the dataset (or its new version), its details and the file record together.
    /// The details of a published dataset change at once only when a reviewer changes them
    /// (`StatisticsAccess.metadataChangeAppliesAtOnce`); a member's wait on the version.
    private func submit(_ form: Form, file: StatUploadPreview, rows: Int, to target: StatDataset?, by user: User, req: Request) async throws -> StatDataset {
        let viewer = req.viewer
        let (dataset, changedNow) = try await req.db.transaction { db -> (StatDataset, Bool) in
            let dataset = target ?? StatDataset()
            var proposed: DatasetMetadata.Patch? = nil
            var changedNow = false
            if let target {
                let patch = DatasetMetadata.Patch(from: target, to: form.metadata)
                if StatisticsAccess.metadataChangeAppliesAtOnce(viewer, dataset: target) {
                    patch.apply(to: dataset)
                    changedNow = !patch.isEmpty && target.status == .published
                } else if !patch.isEmpty {
                    proposed = patch
                }
            } else {
                var slug = StatisticsImport.slug(form.metadata.title)
                if try await StatDataset.query(on: db).filter(\.$slug == slug).first() != nil { slug += "-" + String(UUID().uuidString.prefix(6)).lowercased() }
                dataset.slug = slug
                dataset.status = .pending
                dataset.version = 0
                dataset.$submitter.id = try user.requireID()
                form.metadata.assign(to: dataset)
            }
            try await dataset.save(on: db)
            if changedNow { try await StatisticsIndexing.reindex(dataset, db: db) }
            let number = (try await StatDatasetVersion.query(on: db).filter(\.$dataset.$id == dataset.requireID()).max(\.$number) ?? 0) + 1
            let version = StatDatasetVersion()
            version.$dataset.id = try dataset.requireID()
            version.number = number
            version.sha256 = file.sha256
            version.filename = file.filename.isEmpty ? "dataset.csv" : file.filename
            version.rows = rows
            version.decimalComma = form.decimalComma
            version.status = .pending
            version.$creator.id = try user.requireID()
            version.proposed = proposed?.json
            try await version.create(on: db)
            // The file now belongs to the version: the preview goes, the blob stays.
            try await file.delete(on: db)
            return (dataset, changedNow)
        }
        if changedNow { try await StatisticsExportJob.enqueue(dataset.slug, db: req.db) }
        return dataset
    }

    private func render(_ req: Request, form: Form, errors: FormErrors, preview: ImportPreview?, datasets: [StatDataset], status: HTTPResponseStatus,
                        switched: Bool = false) -> Response {
        let target = datasets.first { $0.slug == form.dataset }
        let waits = target.map { !StatisticsAccess.metadataChangeAppliesAtOnce(req.viewer, dataset: $0) } ?? false
        return req.page(status, title: req.t("statistics.upload.title"), current: .statistics) {
            StatisticsUploadPages.form(form, errors: errors, preview: preview, datasets: datasets, switched: switched, changesWait: waits, context: $0)
        }
    }

    func publish(req: Request) async throws -> Response {
        try req.authorize(.publishContent)  // = StatisticsAccess.mayReview
        guard let dataset = try await StatDataset.query(on: req.db).filter(\.$slug == (req.parameters.get("slug") ?? "")).first(),
              let version = try await StatDatasetVersion.query(on: req.db).filter(\.$dataset.$id == dataset.requireID()).filter(\.$status == .pending)
                .sort(\.$number, .descending).first() else { throw Abort(.notFound) }
        let preview = try await StatisticsImport.publish(version, dataset: dataset, app: req.application, db: req.db, now: req.now)
        return req.redirect(to: .statisticsDataset(dataset.slug), notice: preview.isImportable ? "notice.datasetPublished" : "notice.datasetNotPublished")
    }

    /// `/statistics/datasets/{slug}/versions/{n}.csv`: the file of a version, as uploaded, for those
    /// who may see the version (`StatisticsAccess.canView`); 404 for everyone else.
    func versionFile(req: Request) async throws -> Response {
        let file = req.parameters.get("file") ?? ""
        let digits = file.dropLast(4)
        guard file.hasSuffix(".csv"), !digits.isEmpty, digits.count <= 9, digits.allSatisfy({ ("0"..."9").contains($0) }), let number = Int(digits),
              let dataset = try await StatDataset.query(on: req.db).filter(\.$slug == (req.parameters.get("slug") ?? "")).first(),
              let version = try await StatDatasetVersion.query(on: req.db).filter(\.$dataset.$id == dataset.requireID()).filter(\.$number == number).first(),
              StatisticsAccess.canView(req.viewer, version, of: dataset)
        else { throw Abort(.notFound) }
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: "text/csv; charset=utf-8")
        headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"\(dataset.slug)-v\(version.number).csv\"")
        return try await FileResponse.stream(req, path: req.application.cpmg.blobs.url(for: version.sha256).path, mediaType: HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"]))
            .withHeaders(headers)
    }
}

extension Response {
    func withHeaders(_ headers: HTTPHeaders) -> Response {
        for (name, value) in headers { self.headers.replaceOrAdd(name: name, value: value) }
        return self
    }
}
