import Foundation
import Ink

/// Markdown written by members (country profiles …) as HTML that cannot carry markup of its own:
/// `&`, `<` and `"` are turned into entities before Ink reads the text, so HTML or a script in
/// the text is shown as text and no link target can leave its attribute; link targets other than
/// http(s), mailto and the site's own paths become "#".
enum MarkdownText {
    static func html(_ markdown: String) -> String {
        let neutral = markdown
            .replacingOccurrences(of: "\r\n", with: "\n")
            .replacingOccurrences(of: "&", with: "&amp;")
            .replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: "\"", with: "&quot;")
        let html = MarkdownParser().html(from: neutral)
        return safeTargets(html)
    }

    /// Replaces the value of every href/src attribute whose scheme is not allowed.
    static func safeTargets(_ html: String) -> String {
        var out = ""
        var rest = Substring(html)
        while let range = rest.range(of: #"(href|src)=""#, options: .regularExpression) {
            out += rest[..<range.upperBound]
            rest = rest[range.upperBound...]
            guard let end = rest.firstIndex(of: "\"") else { break }
            let target = String(rest[..<end])
            out += allowed(target) ? target : "#"
            rest = rest[end...]
        }
        return out + rest
    }

    static func allowed(_ target: String) -> Bool {
        let lower = target.lowercased().trimmingCharacters(in: .whitespaces)
        if lower.hasPrefix("http://") || lower.hasPrefix("https://") || lower.hasPrefix("mailto:") || lower.hasPrefix("#") { return true }
        return lower.hasPrefix("/") && !lower.hasPrefix("//")
    }
}
