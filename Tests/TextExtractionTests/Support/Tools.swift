import Foundation
import TextExtraction

/// Search paths holding just the tools a test wants, real or fake.
enum Tools {
    static let real = TextExtractor()
    static let hasPoppler = real.hasPDFToText
    static let hasOCR = real.hasTesseract

    /// The real program called `name` on PATH.
    static func locate(_ name: String) -> String? {
        TextExtractor.environmentSearchPath
            .map { URL(fileURLWithPath: $0).appendingPathComponent(name).path }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// A directory in `scratch` with links to the real `names` and the fake scripts given.
    static func searchPath(in scratch: Scratch, real names: [String], fakes: [String: String] = [:]) throws -> [String] {
        let directory = scratch.path("bin-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for name in names {
            guard let target = locate(name) else { continue }
            try FileManager.default.createSymbolicLink(atPath: directory.appendingPathComponent(name).path, withDestinationPath: target)
        }
        for (name, script) in fakes {
            let file = directory.appendingPathComponent(name)
            try Data(script.utf8).write(to: file)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: file.path)
        }
        return [directory.path]
    }
}
