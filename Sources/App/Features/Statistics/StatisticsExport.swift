import CSVParser
import Crypto
import Fluent
import PostgresKit
import FluentSQL
import Foundation
import Vapor

/// Whole downloads: every observation of an indicator (`/statistics/indicators/{code}?format=csv&all=1`)
/// or of a dataset (`/statistics/datasets/{slug}/data.csv`), in one tidy CSV.
///
/// The first request streams the rows from the database, each line written by the database itself
/// (constant memory, see `stream`), and keeps a copy in the data directory; later requests for the
/// same published state are served from that file (ETag, Range, constant memory).
/// The file's name is a hash of everything written into it — the indicators, and of each dataset the
/// viewer may see its identity, version, names, source and licence — so a new version, a change of
/// visibility or another viewer's rights leads to another file, never to a stale or wider one.
enum StatisticsExport {
    static let header = "indicator,area,year,period,sex,age,counterpart,value,unit,flag,note,dataset,source,licence"
    static let chunk = 25_000
    /// Part of every file's hash: changing the layout above retires the old files.
    static let layout = "tidy-2"

    /// One pass over the rows of `indicator` in `dataset`.
    struct Part {
        var indicator: StatIndicator
        var dataset: StatDataset
    }

    static func indicator(_ indicator: StatIndicator, datasets: [StatDataset], req: Request) async throws -> Response {
        try await respond(parts: try await parts(indicator, datasets: datasets, db: req.db), kind: .indicator, name: indicator.code, req: req)
    }

    static func dataset(_ dataset: StatDataset, req: Request) async throws -> Response {
        try await respond(parts: try await parts(of: dataset, db: req.db), kind: .dataset, name: dataset.slug, req: req)
    }

    /// The directory of the kept files. Their names already keep stale files from being served;
    /// `StatisticsExportJob` removes them after a publication, to free the space.
    static func directory(_ app: Application) -> URL {
        app.cpmg.settings.dataDirectory.appendingPathComponent("cache/statistics", isDirectory: true)
    }

    static func clear(_ app: Application) {
        try? FileManager.default.removeItem(at: directory(app))
    }

    static func key(_ parts: [Part]) -> String {
        var hasher = SHA256()
        hasher.update(data: Data(layout.utf8))
        for part in parts {
            let d = part.dataset
            let fields = [part.indicator.code, part.indicator.unit, d.id?.uuidString ?? "", String(d.version), d.status.rawValue, d.slug, d.source, d.licence,
                          String(d.publishedAt?.timeIntervalSince1970 ?? 0), String(d.updatedAt?.timeIntervalSince1970 ?? 0)]
            hasher.update(data: Data((fields.joined(separator: "\u{1F}") + "\u{1E}").utf8))
        }
        return hasher.finalize().prefix(16).map { String(format: "%02x", $0) }.joined()
    }

    /// What a whole download holds: one indicator (from every dataset) or one dataset (every indicator).
    enum Kind: String { case indicator, dataset }

    static func stem(_ kind: Kind, _ name: String) -> String { "\(kind.rawValue)-\(Slug.from(name, fallback: "data"))-" }

    static func file(_ parts: [Part], kind: Kind, name: String, app: Application) -> URL {
        directory(app).appendingPathComponent(stem(kind, name) + key(parts) + ".csv")
    }

    /// The parts of a whole-indicator download for a viewer who may see `datasets`: the datasets that
    /// hold the indicator, oldest publication first.
    static func parts(_ indicator: StatIndicator, datasets: [StatDataset], db: any Database) async throws -> [Part] {
        try await holding(indicator.code, among: datasets, db: db).sorted { ($0.publishedAt ?? .distantPast, $0.slug) < ($1.publishedAt ?? .distantPast, $1.slug) }
            .map { Part(indicator: indicator, dataset: $0) }
    }

    /// The parts of a whole-dataset download: each indicator the dataset holds, by code.
    static func parts(of dataset: StatDataset, db: any Database) async throws -> [Part] {
        let codes = try await (db as! any SQLDatabase).raw("SELECT DISTINCT indicator FROM stat_observations WHERE dataset_id = \(bind: dataset.requireID())").all()
            .map { try $0.decode(column: "indicator", as: String.self) }
        let indicators = codes.isEmpty ? [] : try await StatIndicator.query(on: db).filter(\.$code ~~ codes).sort(\.$code).all()
        return indicators.map { Part(indicator: $0, dataset: dataset) }
    }

    /// Writes the file a visitor's download would keep, without a download (see `StatisticsExportJob`),
    /// and removes the other files of the same name: earlier states, or other viewers' (written
    /// again when asked for).
    static func keep(_ parts: [Part], kind: Kind, name: String, app: Application) async throws {
        let target = file(parts, kind: kind, name: name, app: app)
        if !FileManager.default.fileExists(atPath: target.path) {
            try await write(parts, sql: app.db as! any SQLDatabase, keeping: KeptCopy(target))
        }
        let prefix = stem(kind, name)
        for other in (try? FileManager.default.contentsOfDirectory(atPath: directory(app).path)) ?? [] where other != target.lastPathComponent {
            let key = other.dropFirst(prefix.count).dropLast(4)
            if other.hasPrefix(prefix) && other.hasSuffix(".csv") && key.count == 32 && key.allSatisfy(\.isHexDigit) {
                try? FileManager.default.removeItem(at: directory(app).appendingPathComponent(other))
            }
        }
    }

    static func respond(parts: [Part], kind: Kind, name: String, req: Request) async throws -> Response {
        let file = file(parts, kind: kind, name: name, app: req.application)
        let disposition = "attachment; filename=\"\(name).csv\""
        if FileManager.default.fileExists(atPath: file.path) {
            let response = try await FileResponse.stream(req, path: file.path, mediaType: HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"]))
            response.headers.replaceOrAdd(name: .contentDisposition, value: disposition)
            return response
        }
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: "text/csv; charset=utf-8")
        headers.replaceOrAdd(name: .contentDisposition, value: disposition)
        let sql = req.db as! any SQLDatabase
        let logger = req.logger
        let body = Response.Body(managedAsyncStream: { writer in
            do {
                try await write(parts, sql: sql, keeping: KeptCopy(file)) { try await writer.write(.buffer($0)) }
            } catch {
                logger.debug("statistics download ended early: \(error)")
                throw error
            }
        })
        return Response(status: .ok, headers: headers, body: body)
    }

    /// The header and every part, into `copy` and to `send` (a download) when given; the copy is kept
    /// only when everything went through.
    private static func write(_ parts: [Part], sql: any SQLDatabase, keeping copy: KeptCopy,
                              send: (@Sendable (ByteBuffer) async throws -> Void)? = nil) async throws {
        let emit: @Sendable (ByteBuffer) async throws -> Void = { buffer in
            copy.append(buffer)
            try await send?(buffer)
        }
        do {
            try await emit(ByteBuffer(string: header + "\r\n"))
            for part in parts { try await stream(part, sql: sql, emit: emit) }
            copy.finish()
        } catch {
            copy.abandon()
            throw error
        }
    }

    /// The rows of one part in id order, as CSV lines written by the database: PostgreSQL streams one
    /// query's rows; SQLite returns `chunk` lines a query as one text, with what is the same on every
    /// line (the indicator before, the dataset, source and licence after) passed as the aggregate's
    /// separator. Both write each line by the same rules (`line`, `cell`), so they write the same bytes.
    static func stream(_ part: Part, sql: any SQLDatabase, emit: @escaping @Sendable (ByteBuffer) async throws -> Void) async throws {
        guard let dataset = part.dataset.id else { return }
        let postgres = sql.dialect.name == "postgresql"
        let prefix = CSVCell.text(part.indicator.code) + ","
        let suffix = "," + [part.dataset.slug, part.dataset.source, part.dataset.licence].map(CSVCell.text).joined(separator: ",")
        if postgres, let postgresDB = sql as? any PostgresDatabase {
            // PostgreSQL: one query whose rows arrive as a stream with back-pressure (each row one
            // line, its bytes copied as they are), flushed a megabyte at a time.
            let query = try postgresQuery(query(part, dataset: dataset, postgres: true), sql: sql)
            let promise = postgresDB.eventLoop.makePromise(of: Void.self)
            _ = postgresDB.withConnection { connection in
                promise.completeWithTask {
                    var buffer = ByteBufferAllocator().buffer(capacity: 1 << 20)
                    let prefixBytes = ByteBuffer(string: prefix), suffixBytes = ByteBuffer(string: suffix + "\r\n")
                    for try await row in try await connection.query(query, logger: postgresDB.logger) {
                        guard var cell = row.first?.bytes else { continue }
                        buffer.writeImmutableBuffer(prefixBytes)
                        buffer.writeBuffer(&cell)
                        buffer.writeImmutableBuffer(suffixBytes)
                        if buffer.readableBytes >= 1 << 20 {
                            try await emit(buffer)
                            buffer.clear()
                        }
                    }
                    if buffer.readableBytes > 0 { try await emit(buffer) }
                }
                return promise.futureResult
            }
            try await promise.futureResult.get()
            return
        }
        // SQLite walks the (indicator, dataset_id, id) index from the last id, a chunk at a time.
        let separator = suffix + "\r\n" + prefix
        var last = 0
        while true {
            guard let row = try await sql.raw(query(part, dataset: dataset, postgres: false, after: last, separator: separator)).first(),
                  let lines = try row.decode(column: "lines", as: String?.self),
                  let next = try row.decode(column: "last", as: Int?.self) else { return }
            var buffer = ByteBufferAllocator().buffer(capacity: lines.utf8.count + prefix.utf8.count + suffix.utf8.count + 2)
            buffer.writeString(prefix)
            buffer.writeString(lines)
            buffer.writeString(suffix + "\r\n")
            try await emit(buffer)
            if try row.decode(column: "n", as: Int.self) < chunk { return }
            last = next
        }
    }

    /// The query of `stream`: on PostgreSQL every line of the part; on SQLite the next `chunk` lines
    /// after id `last`, joined by `separator`. Every value in it is bound.
    static func query(_ part: Part, dataset: UUID, postgres: Bool, after last: Int = 0, separator: String = "") -> SQLQueryString {
        let line = line(unit: part.indicator.unit, postgres: postgres)
        let code = part.indicator.code
        if postgres {
            return "SELECT \(line) AS line FROM stat_observations WHERE indicator = \(bind: code) AND dataset_id = \(bind: dataset) ORDER BY id"
        }
        return """
            SELECT max(id) AS last, count(*) AS n, group_concat(line, \(bind: separator) ORDER BY id) AS lines FROM (
                SELECT id, \(line) AS line FROM stat_observations
                WHERE indicator = \(bind: code) AND dataset_id = \(bind: dataset) AND id > \(bind: last)
                ORDER BY id LIMIT \(bind: chunk)) c
            """
    }

    /// The columns of a line after the indicator, as the database writes them: the free-text columns
    /// (age, note) through `cell`, which applies the rules of `CSVCell.text`; year and value as
    /// numbers; the indicator's unit (written by `CSVCell.text`) in between; the code columns as
    /// they are, which `CSVCell.text` would leave unchanged (`codeColumns`, checked when rows are
    /// inserted). Every constant is a bound value.
    static func line(unit: String, postgres: Bool) -> SQLQueryString {
        let unitCell = CSVCell.text(unit)
        if postgres {
            return """
                concat_ws(\(bind: ","), area, year::text, period, sex, \(cell("age", postgres: true)), counterpart, value::text, \(bind: unitCell), flag, \
                \(cell("note", postgres: true)))
                """
        }
        // printf's "%.15g" writes a value of up to 15 significant digits as PostgreSQL's float8 output does.
        let format = "%s,%d,%s,%s,%s,%s,%.15g," + unitCell.replacingOccurrences(of: "%", with: "%%") + ",%s,%s"
        return "printf(\(bind: format), area, year, period, sex, \(cell("age", postgres: false)), counterpart, value, flag, \(cell("note", postgres: false)))"
    }

    /// Columns written into downloads as stored: codes, which the importer and the seeds only ever
    /// fill with letters, digits and hyphens in the middle. `StatisticsSeed.insert` refuses a row
    /// whose code `CSVCell.text` would change, so that writing them as they are is the cell writer's
    /// output (and the export does not pay for rules that cannot apply).
    static let codeColumns: [(name: String, value: @Sendable (StatisticsSeed.Observation) -> String)] =
        [("area", \.area), ("period", { $0.period ?? String($0.year) }), ("sex", \.sex), ("counterpart", \.counterpart), ("flag", \.flag)]

    /// A text column as `CSVCell.text` writes it: the formula guard before a value that starts with
    /// one of `CSVCell.formulaStarters`, and quotes (doubled inside) around a value holding one of
    /// `CSVCell.quoteTriggers`.
    static func cell(_ column: String, postgres: Bool) -> SQLQueryString {
        let c = SQLQueryString(column)
        let starters = String(String.UnicodeScalarView(CSVCell.formulaStarters))
        let guarded: SQLQueryString = """
            CASE WHEN length(\(c)) > 0 AND \(unsafeRaw: postgres ? "strpos" : "instr")(\(bind: starters), substr(\(c), 1, 1)) > 0 \
            THEN \(bind: CSVCell.formulaGuard) || \(c) ELSE \(c) END
            """
        let needsQuotes: SQLQueryString = postgres
            ? "(" + CSVCell.quoteTriggers.map { "strpos(\(c), \(bind: String($0))) > 0" as SQLQueryString }.joined(separator: " OR ") + ")"
            : "\(c) GLOB \(bind: "*[" + String(String.UnicodeScalarView(CSVCell.quoteTriggers)) + "]*")"
        return "CASE WHEN \(needsQuotes) THEN \(bind: "\"") || replace(\(guarded), \(bind: "\""), \(bind: "\"\"")) || \(bind: "\"") ELSE \(guarded) END"
    }

    /// `query` for PostgresNIO's streaming API, with SQLKit's binds carried over (the statistics
    /// queries bind text, UUIDs and integers only).
    static func postgresQuery(_ query: SQLQueryString, sql: any SQLDatabase) throws -> PostgresQuery {
        var serializer = SQLSerializer(database: sql)
        query.serialize(to: &serializer)
        var bindings = PostgresBindings(capacity: serializer.binds.count)
        for bind in serializer.binds {
            switch bind {
            case let text as String: bindings.append(text)
            case let id as UUID: bindings.append(id)
            case let number as Int: bindings.append(number)
            default: throw Abort(.internalServerError, reason: "cannot bind \(type(of: bind)) for a streamed query")
            }
        }
        return PostgresQuery(unsafeSQL: serializer.sql, binds: bindings)
    }

    /// The datasets among `datasets` that hold rows of `indicator` (read from the index alone).
    static func holding(_ indicator: String, among datasets: [StatDataset], db: any Database) async throws -> [StatDataset] {
        let ids = try await (db as! any SQLDatabase).raw("SELECT DISTINCT dataset_id FROM stat_observations WHERE indicator = \(bind: indicator)").all()
            .map { try $0.decode(column: "dataset_id", as: UUID.self) }
        let holding = Set(ids)
        return datasets.filter { $0.id.map(holding.contains) ?? false }
    }

    /// The copy being written beside a download: renamed into place only when the download is
    /// complete, removed when it is not.
    final class KeptCopy: @unchecked Sendable {
        private let target: URL
        private let temporary: URL
        private var handle: FileHandle?

        init(_ target: URL) {
            self.target = target
            temporary = target.deletingLastPathComponent().appendingPathComponent(".\(UUID().uuidString).part")
            try? FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            if FileManager.default.createFile(atPath: temporary.path, contents: nil) { handle = FileHandle(forWritingAtPath: temporary.path) }
        }

        func append(_ buffer: ByteBuffer) {
            guard let handle else { return }
            do { try handle.write(contentsOf: buffer.readableBytesView) } catch { abandon() }
        }

        func finish() {
            guard let handle else { return }
            try? handle.close()
            self.handle = nil
            if rename(temporary.path, target.path) != 0 { try? FileManager.default.removeItem(at: temporary) }
        }

        func abandon() {
            try? handle?.close()
            handle = nil
            try? FileManager.default.removeItem(at: temporary)
        }
    }
}

/// Writes the whole-indicator and whole-dataset files of what visitors see, so that the first
/// download after a publication is already a file. Payload: a dataset's slug (its indicators and
/// itself), or "*" for everything.
struct StatisticsExportJob: JobHandler {
    static let kind = "statistics.export"

    func run(payload: String, app: Application) async throws {
        let db = app.db
        try FileManager.default.createDirectory(at: StatisticsExport.directory(app), withIntermediateDirectories: true)
        let visible = try await StatisticsData.visibleDatasets(.visitor, db: db)
        let targets = payload == "*" ? visible : visible.filter { $0.slug == payload }
        var indicators: [String: StatIndicator] = [:]
        for dataset in targets {
            let parts = try await StatisticsExport.parts(of: dataset, db: db)
            for part in parts { indicators[part.indicator.code] = part.indicator }
            try await StatisticsExport.keep(parts, kind: .dataset, name: dataset.slug, app: app)
        }
        for indicator in indicators.values.sorted(by: { $0.code < $1.code }) {
            try await StatisticsExport.keep(try await StatisticsExport.parts(indicator, datasets: visible, db: db), kind: .indicator, name: indicator.code, app: app)
        }
    }

    static func enqueue(_ payload: String, db: any Database) async throws {
        try await JobQueue.enqueue(kind, payload: payload, on: db)
    }
}
