import Fluent
import Foundation
import Vapor

/// Registering for events: capacity, the waiting list, the deadline, mail and the reminder.
enum EventRegistrations {
    enum Outcome: Equatable {
        case registered, waiting, alreadyRegistered, alreadyWaiting
        case closed, notOpen
    }

    /// Why registration is not possible now, or nil when it is.
    static func closedReason(_ event: Event, now: Date) -> Outcome? {
        guard event.registrationOpen, event.status != .cancelled else { return .notOpen }
        if let deadline = event.registrationDeadline, now > deadline { return .closed }
        if now >= event.startsAt { return .closed }
        return nil
    }

    static func register(_ user: User, for event: Event, app: Application, db: any Database, now: Date, t: Localizer) async throws -> Outcome {
        if let reason = closedReason(event, now: now) { return reason }
        let userID = try user.requireID()
        let eventID = try event.requireID()
        let outcome: Outcome = try await db.transaction { db in
            let existing = try await EventRegistration.query(on: db).filter(\.$event.$id == eventID).filter(\.$user.$id == userID).first()
            if existing?.status == .registered { return .alreadyRegistered }
            if existing?.status == .waiting { return .alreadyWaiting }
            let taken = try await EventRegistration.query(on: db).filter(\.$event.$id == eventID).filter(\.$status == .registered).count()
            let full = event.capacity.map { taken >= $0 } ?? false
            // The waiting list is first come, first served: nobody jumps it while it has people.
            let queue = try await EventRegistration.query(on: db).filter(\.$event.$id == eventID).filter(\.$status == .waiting).count()
            let registration = existing ?? EventRegistration()
            registration.$event.id = eventID
            registration.$user.id = userID
            registration.status = full || queue > 0 ? .waiting : .registered
            registration.requestedAt = now
            registration.cancelledAt = nil
            registration.remindedAt = nil
            try await registration.save(on: db)
            return registration.status == .registered ? .registered : .waiting
        }
        if outcome == .registered { try await confirm(user, event: event, app: app, db: db, now: now, promoted: false) }
        if outcome == .waiting {
            try await app.cpmg.mailer.send(
                to: user.email, name: user.name,
                subject: t("events.mail.waitingSubject", ["title": event.title]),
                body: t("events.mail.waitingBody", ["name": user.name, "title": event.title,
                                                    "url": SiteURL.event(event.code).absolute(base: app.cpmg.settings.publicURL)]),
                on: db
            )
        }
        return outcome
    }

    /// Cancels the user's own registration; the first on the waiting list takes the place.
    @discardableResult
    static func cancel(_ user: User, for event: Event, app: Application, db: any Database, now: Date) async throws -> Bool {
        let userID = try user.requireID()
        let eventID = try event.requireID()
        let promoted: EventRegistration? = try await db.transaction { db in
            guard let registration = try await EventRegistration.query(on: db).filter(\.$event.$id == eventID).filter(\.$user.$id == userID).first(),
                  registration.status != .cancelled else { return nil }
            let freed = registration.status == .registered
            registration.status = .cancelled
            registration.cancelledAt = now
            try await registration.save(on: db)
            guard freed, now < event.startsAt, event.status != .cancelled else { return nil }
            let taken = try await EventRegistration.query(on: db).filter(\.$event.$id == eventID).filter(\.$status == .registered).count()
            guard event.capacity.map({ taken < $0 }) ?? true,
                  let next = try await EventRegistration.query(on: db).filter(\.$event.$id == eventID).filter(\.$status == .waiting)
                    .sort(\.$requestedAt).sort(\.$id).first() else { return nil }
            next.status = .registered
            try await next.save(on: db)
            return next
        }
        if let promoted, let person = try await User.find(promoted.$user.id, on: db) {
            try await confirm(person, event: event, app: app, db: db, now: now, promoted: true)
        }
        return true
    }

    /// The confirmation mail with the event as an .ics attachment, and the reminder the day before.
    static func confirm(_ user: User, event: Event, app: Application, db: any Database, now: Date, promoted: Bool) async throws {
        let t = app.cpmg.catalog.localizer(.en)
        let url = SiteURL.event(event.code).absolute(base: app.cpmg.settings.publicURL)
        let ics = EventCalendar.document([event], name: event.title, app: app, now: now, includeLinks: true)
        try await app.cpmg.mailer.send(
            to: user.email, name: user.name,
            subject: t(promoted ? "events.mail.promotedSubject" : "events.mail.registeredSubject", ["title": event.title]),
            body: t(promoted ? "events.mail.promotedBody" : "events.mail.registeredBody",
                    ["name": user.name, "title": event.title, "when": EventPages.whenText(event, t: t), "url": url]),
            attachment: MailAttachment(name: "event.ics", type: "text/calendar; charset=utf-8; method=PUBLISH", text: ics),
            on: db
        )
        let remindAt = event.startsAt.addingTimeInterval(-86_400)
        if remindAt > now {
            try await JobQueue.enqueue(EventReminder.kind, payload: "\(try event.requireID().uuidString)|\(try user.requireID().uuidString)", on: db, at: remindAt)
        }
    }
}

/// The reminder the day before, to those still registered.
struct EventReminder: JobHandler {
    static let kind = "events.remind"

    func run(payload: String, app: Application) async throws {
        let parts = payload.split(separator: "|").map(String.init)
        guard parts.count == 2, let eventID = UUID(uuidString: parts[0]), let userID = UUID(uuidString: parts[1]) else { return }
        let db = app.db
        guard let event = try await Event.find(eventID, on: db), event.status != .cancelled,
              let registration = try await EventRegistration.query(on: db).filter(\.$event.$id == eventID).filter(\.$user.$id == userID).first(),
              registration.status == .registered, registration.remindedAt == nil,
              let user = try await User.find(userID, on: db), user.status == .active else { return }
        let t = app.cpmg.catalog.localizer(.en)
        try await app.cpmg.mailer.send(
            to: user.email, name: user.name,
            subject: t("events.mail.reminderSubject", ["title": event.title]),
            body: t("events.mail.reminderBody", ["name": user.name, "title": event.title, "when": EventPages.whenText(event, t: t),
                                                 "url": SiteURL.event(event.code).absolute(base: app.cpmg.settings.publicURL)]),
            on: db
        )
        registration.remindedAt = app.cpmg.now()
        try await registration.save(on: db)
    }
}
