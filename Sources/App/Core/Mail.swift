import Fluent
import Foundation
import Vapor

/// A message the platform sends. Every message lands here first; with `SENDMAIL_PATH` a job
/// delivers it, without it it waits (`held`) and admins read it at /admin/outbox.
public final class OutboxMessage: Model, @unchecked Sendable {
    public static let schema = "outbox_messages"

    public enum Status: String, Codable, Sendable { case held, queued, sent, failed }

    @ID(key: .id) public var id: UUID?
    @Field(key: "to_address") public var toAddress: String
    @Field(key: "to_name") public var toName: String
    @Field(key: "subject") public var subject: String
    @Field(key: "body") public var body: String
    /// One optional attachment (e.g. an event's .ics), kept as text.
    @OptionalField(key: "attachment_name") public var attachmentName: String?
    @OptionalField(key: "attachment_type") public var attachmentType: String?
    @OptionalField(key: "attachment") public var attachment: String?
    @Enum(key: "status") public var status: Status
    @OptionalField(key: "last_error") public var lastError: String?
    @OptionalField(key: "sent_at") public var sentAt: Date?
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?

    public init() {}
    public init(toAddress: String, toName: String, subject: String, body: String, status: Status) {
        self.toAddress = toAddress
        self.toName = toName
        self.subject = subject
        self.body = body
        self.status = status
    }
}

/// A file sent with a message.
public struct MailAttachment: Sendable {
    public var name: String
    public var type: String
    public var text: String
}

/// Puts mail into the outbox and, when a sendmail command is configured, queues its delivery.
public struct Mailer: Sendable {
    public let sendmailPath: String?
    public let from: String

    public func send(to address: String, name: String, subject: String, body: String, attachment: MailAttachment? = nil, on db: any Database) async throws {
        let message = OutboxMessage(
            toAddress: address, toName: name, subject: subject, body: body,
            status: sendmailPath == nil ? .held : .queued
        )
        message.attachmentName = attachment?.name
        message.attachmentType = attachment?.type
        message.attachment = attachment?.text
        try await message.create(on: db)
        if sendmailPath != nil {
            try await JobQueue.enqueue(MailDelivery.kind, payload: message.requireID().uuidString, on: db)
        }
    }

    /// The message as RFC 5322 text, UTF-8, ready for `sendmail -t -i`.
    public func rfc5322(_ message: OutboxMessage, date: Date = Date()) -> String {
        func header(_ value: String) -> String {
            let clean = value.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
            if clean.allSatisfy({ $0.isASCII }) { return clean }
            return "=?UTF-8?B?\(Data(clean.utf8).base64EncodedString())?="
        }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        let domain = from.split(separator: "@").last.map { String($0).trimmingCharacters(in: CharacterSet(charactersIn: "> ")) } ?? "localhost"
        let id = message.id?.uuidString.lowercased() ?? UUID().uuidString.lowercased()
        let to = message.toName.isEmpty ? message.toAddress : "\(header(message.toName)) <\(message.toAddress)>"
        let lines = [
            "From: \(header(from))",
            "To: \(to)",
            "Subject: \(header(message.subject))",
            "Date: \(formatter.string(from: date))",
            "Message-ID: <\(id)@\(domain)>",
            "MIME-Version: 1.0",
        ]
        let body = message.body.replacingOccurrences(of: "\r\n", with: "\n")
        guard let attachment = message.attachment, let name = message.attachmentName else {
            let plain = lines + ["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit", "", body]
            return plain.joined(separator: "\n") + "\n"
        }
        // multipart/mixed: the text, then the attachment in base64 (76-character lines).
        let boundary = "cpmg-" + id
        let encoded = Data(attachment.utf8).base64EncodedString(options: [.lineLength76Characters, .endLineWithLineFeed])
        let safeName = name.filter { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == "_" }
        let mixed = lines + [
            "Content-Type: multipart/mixed; boundary=\"\(boundary)\"", "",
            "--\(boundary)", "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit", "", body, "",
            "--\(boundary)", "Content-Type: \(message.attachmentType ?? "application/octet-stream")",
            "Content-Disposition: attachment; filename=\"\(safeName)\"", "Content-Transfer-Encoding: base64", "", encoded,
            "--\(boundary)--",
        ]
        return mixed.joined(separator: "\n") + "\n"
    }
}

/// Delivers one outbox message through the sendmail command.
struct MailDelivery: JobHandler {
    static let kind = "mail.deliver"
    let mailer: Mailer

    func run(payload: String, app: Application) async throws {
        guard let id = UUID(uuidString: payload), let message = try await OutboxMessage.find(id, on: app.db) else { return }
        guard message.status != .sent, let command = mailer.sendmailPath else { return }
        let text = mailer.rfc5322(message)
        do {
            try await app.threadPool.runIfActive { try Self.pipe(text, to: command) }
            message.status = .sent
            message.sentAt = Date()
            message.lastError = nil
            try await message.save(on: app.db)
        } catch {
            message.lastError = "\(error)"
            message.status = .failed
            try? await message.save(on: app.db)
            throw error
        }
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Runs `command -t -i` with `text` on standard input; a non-zero exit or 30 s without an
    /// answer is a failure.
    static func pipe(_ text: String, to command: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: command)
        process.arguments = ["-t", "-i"]
        let input = Pipe()
        let errors = Pipe()
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        try process.run()
        input.fileHandleForWriting.write(Data(text.utf8))
        try input.fileHandleForWriting.close()
        let deadline = Date().addingTimeInterval(30)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning {
            process.terminate()
            throw Failure(description: "\(command) did not finish within 30 seconds")
        }
        guard process.terminationStatus == 0 else {
            let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile().prefix(500), as: UTF8.self)
            throw Failure(description: "\(command) exited with \(process.terminationStatus): \(message)")
        }
    }
}
