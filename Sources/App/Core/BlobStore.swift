import Crypto
import Foundation

/// Where files live: by the SHA-256 of their content, so the same file is stored once.
public protocol BlobStore: Sendable {
    /// Moves the file at `source` into the store (it is consumed) and says whether it was new.
    func put(movingFileAt source: URL) throws -> (sha256: String, size: Int, existed: Bool)
    /// Stores derived text (extraction output) under a key.
    func putText(_ text: String, key: String) throws
    func text(key: String) -> String?
    func url(for sha256: String) -> URL
    func contains(_ sha256: String) -> Bool
    /// A fresh path for an upload in progress, on the same file system as the store.
    func temporaryURL() throws -> URL
}

/// Blobs on the local disk under `<data>/blobs/ab/cd/<sha256>`. Writes are atomic: the content
/// goes to a temporary file, is flushed to disk, then renamed into place.
public struct LocalBlobStore: BlobStore {
    public let root: URL

    public init(root: URL) throws {
        self.root = root
        for folder in ["tmp", "text"] {
            try FileManager.default.createDirectory(at: root.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
    }

    public func url(for sha256: String) -> URL {
        let clean = sha256.filter(\.isHexDigit).lowercased()
        let a = String(clean.prefix(2)), b = String(clean.dropFirst(2).prefix(2))
        return root.appendingPathComponent(a).appendingPathComponent(b).appendingPathComponent(clean)
    }

    public func contains(_ sha256: String) -> Bool { FileManager.default.fileExists(atPath: url(for: sha256).path) }

    public func temporaryURL() throws -> URL {
        root.appendingPathComponent("tmp").appendingPathComponent(UUID().uuidString)
    }

    public func put(movingFileAt source: URL) throws -> (sha256: String, size: Int, existed: Bool) {
        let (sha, size) = try Self.digest(of: source)
        let target = url(for: sha)
        if FileManager.default.fileExists(atPath: target.path) {
            try? FileManager.default.removeItem(at: source)
            return (sha, size, true)
        }
        try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Self.sync(source)
        if rename(source.path, target.path) != 0 {
            // Another file system: copy beside the target, flush, then rename.
            let staging = target.deletingLastPathComponent().appendingPathComponent(".\(UUID().uuidString)")
            try FileManager.default.copyItem(at: source, to: staging)
            try Self.sync(staging)
            guard rename(staging.path, target.path) == 0 else {
                try? FileManager.default.removeItem(at: staging)
                throw CocoaError(.fileWriteUnknown)
            }
            try? FileManager.default.removeItem(at: source)
        }
        return (sha, size, false)
    }

    public func putText(_ text: String, key: String) throws {
        let target = root.appendingPathComponent("text").appendingPathComponent(key.filter { $0.isLetter || $0.isNumber } + ".txt")
        let staging = root.appendingPathComponent("tmp").appendingPathComponent(UUID().uuidString)
        try Data(text.utf8).write(to: staging)
        try Self.sync(staging)
        guard rename(staging.path, target.path) == 0 else {
            try? FileManager.default.removeItem(at: staging)
            throw CocoaError(.fileWriteUnknown)
        }
    }

    public func text(key: String) -> String? {
        let url = root.appendingPathComponent("text").appendingPathComponent(key.filter { $0.isLetter || $0.isNumber } + ".txt")
        return FileManager.default.contents(atPath: url.path).map { String(decoding: $0, as: UTF8.self) }
    }

    static func digest(of url: URL) throws -> (String, Int) {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        var hasher = SHA256()
        var size = 0
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            hasher.update(data: chunk)
            size += chunk.count
        }
        let hex = hasher.finalize().map { String(format: "%02x", $0) }.joined()
        return (hex, size)
    }

    /// The SHA-256 of data in memory, as the store would name it.
    public static func digest(ofData data: Data) throws -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }

    static func sync(_ url: URL) throws {
        let handle = try FileHandle(forUpdating: url)
        defer { try? handle.close() }
        try handle.synchronize()
    }
}
