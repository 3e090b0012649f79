import Fluent
import FluentSQL
import Foundation
import NIOConcurrencyHelpers
import Vapor

/// A unit of background work (mail delivery now; extraction and indexing later), kept in the
/// database so that any instance can run it and none is lost when one stops.
public final class Job: Model, @unchecked Sendable {
    public static let schema = "jobs"

    public enum Status: String, Codable, Sendable { case queued, running, done, failed }

    @ID(key: .id) public var id: UUID?
    @Field(key: "kind") public var kind: String
    @Field(key: "payload") public var payload: String
    @Enum(key: "status") public var status: Status
    @Field(key: "attempts") public var attempts: Int
    @Field(key: "max_attempts") public var maxAttempts: Int
    @Field(key: "run_at") public var runAt: Date
    @OptionalField(key: "locked_until") public var lockedUntil: Date?
    @OptionalField(key: "last_error") public var lastError: String?
    @OptionalField(key: "finished_at") public var finishedAt: Date?
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?

    public init() {}
    public init(kind: String, payload: String, runAt: Date, maxAttempts: Int = 5) {
        self.kind = kind
        self.payload = payload
        self.status = .queued
        self.attempts = 0
        self.maxAttempts = maxAttempts
        self.runAt = runAt
    }
}

/// Runs one kind of job. Throwing schedules a retry with back-off until `maxAttempts`.
public protocol JobHandler: Sendable {
    static var kind: String { get }
    func run(payload: String, app: Application) async throws
}

/// The job queue: enqueue work, claim it safely across instances, retry with back-off.
public struct JobQueue: Sendable {
    /// How long a claimed job is reserved before another worker may take it over (a crashed worker).
    static let lease: TimeInterval = 300

    let handlers: [String: any JobHandler]

    public init(handlers: [any JobHandler]) {
        self.handlers = Dictionary(uniqueKeysWithValues: handlers.map { (type(of: $0).kind, $0) })
    }

    public static func enqueue(_ kind: String, payload: String, on db: any Database, at date: Date = Date()) async throws {
        try await Job(kind: kind, payload: payload, runAt: date).create(on: db)
    }

    /// Back-off before attempt `n + 1`: 30 s, 2 min, 4.5 min, … capped at an hour.
    static func delay(afterAttempt attempt: Int) -> TimeInterval {
        min(3600, 30 * Double(attempt * attempt))
    }

    /// Claims the next due job, or nil. On PostgreSQL `FOR UPDATE SKIP LOCKED` lets several
    /// instances claim side by side without taking the same job; SQLite has one writer at a time.
    func claim(on db: any Database, now: Date) async throws -> Job? {
        guard let sql = db as? any SQLDatabase else { return nil }
        let lockClause: SQLQueryString = sql.dialect.name == "postgresql" ? "FOR UPDATE SKIP LOCKED" : ""
        let rows = try await sql.raw("""
            UPDATE jobs SET status = 'running', attempts = attempts + 1, locked_until = \(bind: now.addingTimeInterval(Self.lease))
            WHERE id = (
                SELECT id FROM jobs
                WHERE (status = 'queued' AND run_at <= \(bind: now))
                   OR (status = 'running' AND locked_until < \(bind: now))
                ORDER BY run_at LIMIT 1 \(lockClause)
            )
            RETURNING id
            """).all()
        guard let row = rows.first else { return nil }
        let id = try row.decode(column: "id", as: UUID.self)
        return try await Job.find(id, on: db)
    }

    /// Runs due jobs until none is left; returns how many ran. The worker calls it on a timer and
    /// tests call it directly.
    @discardableResult
    public func runDue(app: Application, now: @Sendable () -> Date = Date.init) async throws -> Int {
        var count = 0
        while let job = try await claim(on: app.db, now: now()) {
            count += 1
            await run(job, app: app, now: now)
        }
        return count
    }

    private func run(_ job: Job, app: Application, now: @Sendable () -> Date) async {
        do {
            guard let handler = handlers[job.kind] else { throw Abort(.notImplemented, reason: "no handler for job kind \(job.kind)") }
            try await handler.run(payload: job.payload, app: app)
            job.status = .done
            job.finishedAt = now()
            job.lastError = nil
        } catch {
            job.lastError = String(describing: error).prefix(2000).description
            if job.attempts >= job.maxAttempts {
                job.status = .failed
                job.finishedAt = now()
                app.logger.error("job failed for good", metadata: ["job": "\(job.kind)", "attempts": "\(job.attempts)"])
            } else {
                job.status = .queued
                job.runAt = now().addingTimeInterval(Self.delay(afterAttempt: job.attempts))
                app.logger.warning("job failed, will retry", metadata: ["job": "\(job.kind)", "attempts": "\(job.attempts)"])
            }
        }
        job.lockedUntil = nil
        do { try await job.save(on: app.db) } catch {
            app.logger.error("could not record job result", metadata: ["job": "\(job.kind)", "error": "\(error)"])
        }
    }
}

/// The in-process worker: polls the jobs table while the server runs.
struct JobWorker: LifecycleHandler {
    let queue: JobQueue
    let interval: Double
    let task = NIOLockedValueBox<Task<Void, Never>?>(nil)

    func didBootAsync(_ app: Application) async throws {
        let queue = self.queue
        let interval = self.interval
        task.withLockedValue {
            $0 = Task {
                while !Task.isCancelled {
                    do { try await queue.runDue(app: app) } catch {
                        app.logger.warning("job worker could not poll", metadata: ["error": "\(error)"])
                    }
                    try? await Task.sleep(for: .milliseconds(Int(interval * 1000)))
                }
            }
        }
    }

    func shutdownAsync(_ app: Application) async {
        let running = task.withLockedValue { $0 }
        running?.cancel()
        await running?.value
    }
}
