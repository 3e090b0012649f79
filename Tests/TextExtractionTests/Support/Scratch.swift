import Foundation

/// A temporary directory for one test's files, removed when the test lets go of it.
final class Scratch: @unchecked Sendable {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("te-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    /// Writes `data` to a file called `name` and returns its URL.
    @discardableResult
    func file(_ name: String, _ data: Data) throws -> URL {
        let file = url.appendingPathComponent(name)
        try data.write(to: file)
        return file
    }

    func file(_ name: String, text: String) throws -> URL {
        try file(name, Data(text.utf8))
    }

    func path(_ name: String) -> URL { url.appendingPathComponent(name) }
}
