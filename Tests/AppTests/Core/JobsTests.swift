@testable import App
import Fluent
import Foundation
import Testing
import Vapor

struct AlwaysFails: JobHandler {
    static let kind = "test.fail"
    func run(payload: String, app: Application) async throws { throw Abort(.internalServerError, reason: "broken on purpose") }
}

@Suite("Jobs and mail")
struct JobsTests {
    @Test("A failing job is retried with growing back-off, then marked failed", arguments: TestDatabase.all)
    func retries(database: TestDatabase) async throws {
        try await withApp(database) { app in
            // given
            let queue = JobQueue(handlers: [AlwaysFails()])
            let start = Date()
            try await JobQueue.enqueue(AlwaysFails.kind, payload: "", on: app.db, at: start)
            // when it runs now
            #expect(try await queue.runDue(app: app, now: { start }) == 1)
            var job = try #require(try await Job.query(on: app.db).first())
            // then it waits 30 s before the next try
            #expect(job.status == .queued)
            #expect(job.attempts == 1)
            #expect(abs(job.runAt.timeIntervalSince(start) - 30) < 1)
            #expect(try await queue.runDue(app: app, now: { start.addingTimeInterval(10) }) == 0)
            // and after five attempts it stops
            var clock = start
            for _ in 2...5 {
                clock = clock.addingTimeInterval(3601)
                let now = clock
                #expect(try await queue.runDue(app: app, now: { now }) == 1)
            }
            job = try #require(try await Job.query(on: app.db).first())
            #expect(job.status == .failed)
            #expect(job.attempts == 5)
            #expect(job.lastError?.contains("broken on purpose") == true)
        }
    }

    @Test("Two claims never take the same job", arguments: TestDatabase.all)
    func claimOnce(database: TestDatabase) async throws {
        try await withApp(database) { app in
            try await JobQueue.enqueue("x", payload: "", on: app.db)
            let queue = JobQueue(handlers: [])
            let first = try await queue.claim(on: app.db, now: Date())
            let second = try await queue.claim(on: app.db, now: Date())
            #expect(first != nil)
            #expect(second == nil)
        }
    }

    @Test("Without SENDMAIL_PATH mail is held in the outbox", arguments: TestDatabase.all)
    func held(database: TestDatabase) async throws {
        try await withApp(database) { app in
            try await app.cpmg.mailer.send(to: "a@example.org", name: "A", subject: "Hello", body: "Body", on: app.db)
            let message = try #require(try await OutboxMessage.query(on: app.db).first())
            #expect(message.status == .held)
            #expect(try await Job.query(on: app.db).count() == 0)
        }
    }

    @Test("With SENDMAIL_PATH a job delivers the message through the command", arguments: TestDatabase.all)
    func delivered(database: TestDatabase) async throws {
        // The environment is the process's: both databases' runs share one folder and tell their
        // messages apart by address.
        let mailDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("cpmg-test-mail")
        setenv("FAKE_SENDMAIL_DIR", mailDirectory.path, 1)
        let address = "ana-\(database.rawValue)-\(UUID().uuidString.prefix(8))@example.org"
        let sendmail = Settings.defaultResourcesDirectory(workingDirectory: URL(fileURLWithPath: "/nonexistent"))
            .deletingLastPathComponent().appendingPathComponent("scripts/fake-sendmail").path
        try await withApp(database, environment: ["SENDMAIL_PATH": sendmail]) { app in
            // given
            try await app.cpmg.mailer.send(to: address, name: "Ana Pérez", subject: "Bienvenida ✓", body: "Hola Ana", on: app.db)
            // when
            #expect(try await app.cpmg.jobs.runDue(app: app) == 1)
            // then
            let message = try #require(try await OutboxMessage.query(on: app.db).first())
            #expect(message.status == .sent)
            let texts = try FileManager.default.contentsOfDirectory(atPath: mailDirectory.path)
                .map { try String(contentsOf: mailDirectory.appendingPathComponent($0), encoding: .utf8) }
                .filter { $0.contains("<\(address)>") }
            #expect(texts.count == 1)
            let text = try #require(texts.first)
            #expect(text.contains("To: =?UTF-8?B?"))
            #expect(text.contains("Content-Type: text/plain; charset=utf-8"))
            #expect(text.hasSuffix("Hola Ana\n"))
        }
    }
}
