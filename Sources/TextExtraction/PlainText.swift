import Foundation

/// Plain text, Markdown and HTML files: decoded in-process, no tools needed.
enum PlainText {
    /// The first `maxBytes` of the file, and whether there was more.
    static func read(_ url: URL, maxBytes: Int) throws(ExtractionError) -> (bytes: [UInt8], cut: Bool) {
        do {
            let handle = try FileHandle(forReadingFrom: url)
            defer { try? handle.close() }
            let data = try handle.read(upToCount: maxBytes) ?? Data()
            let more = try handle.read(upToCount: 1)
            return (Array(data), more?.isEmpty == false)
        } catch {
            throw .corrupt("the file could not be read: \(error.localizedDescription)")
        }
    }

    /// Markdown stays as text, minus the syntax a reader would not type into a search box:
    /// heading marks and link targets (`[label](url)` and `![alt](url)` keep only the label).
    static func markdownText(_ markdown: String) -> String {
        markdown.split(separator: "\n", omittingEmptySubsequences: false)
            .map { line in withoutLinkTargets(withoutHeadingMarks(Substring(line))) }
            .joined(separator: "\n")
    }

    private static func withoutHeadingMarks(_ line: Substring) -> Substring {
        let indented = line.drop { $0 == " " }
        guard line.count - indented.count < 4 else { return line }
        let hashes = indented.prefix { $0 == "#" }
        guard (1...6).contains(hashes.count) else { return line }
        let rest = indented.dropFirst(hashes.count)
        guard rest.isEmpty || rest.first == " " || rest.first == "\t" else { return line }
        return rest.drop { $0 == " " || $0 == "\t" }
    }

    private static func withoutLinkTargets(_ line: Substring) -> String {
        var result = ""
        var rest = line
        while let open = rest.firstIndex(of: "[") {
            guard let close = rest[open...].firstIndex(of: "]"),
                  rest.index(after: close) < rest.endIndex, rest[rest.index(after: close)] == "(",
                  let end = rest[close...].firstIndex(of: ")")
            else { break }
            var before = rest[..<open]
            if before.last == "!" { before = before.dropLast() }
            result += before
            result += rest[rest.index(after: open)..<close]
            rest = rest[rest.index(after: end)...]
        }
        return result + rest
    }
}
