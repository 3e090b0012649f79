import Foundation

/// The one clean-up every extraction ends with, so the index sees the same shape of text
/// whatever the source format.
enum TextNormalization {
    /// NFC; CR, CRLF, form feed, vertical tab and Unicode line/paragraph separators become line
    /// breaks; other control characters, BOMs and noncharacters go; trailing spaces on each line
    /// go; three or more line breaks become two; leading and trailing whitespace goes.
    static func normalize(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        var pendingNewlines = 0
        var pendingSpaces = String.UnicodeScalarView()
        var previousWasCR = false
        for scalar in text.precomposedStringWithCanonicalMapping.unicodeScalars {
            let wasCR = previousWasCR
            previousWasCR = scalar == "\r"
            switch scalar.value {
            case 0x0A where wasCR:
                continue
            case 0x0A, 0x0D, 0x0B, 0x2028, 0x2029:
                pendingSpaces.removeAll()
                pendingNewlines += 1
            case 0x0C:
                pendingSpaces.removeAll()
                pendingNewlines += 2
            case 0x09, 0x20:
                pendingSpaces.append(scalar)
            case 0x00...0x1F, 0x7F...0x9F, 0xFEFF, 0xFFFE, 0xFFFF:
                continue
            default:
                if pendingNewlines > 0 {
                    if !scalars.isEmpty {
                        scalars.append(contentsOf: String(repeating: "\n", count: min(pendingNewlines, 2)).unicodeScalars)
                    }
                    pendingNewlines = 0
                }
                if !pendingSpaces.isEmpty {
                    // Indentation at the very start of the text is dropped; elsewhere kept.
                    if !scalars.isEmpty { scalars.append(contentsOf: pendingSpaces) }
                    pendingSpaces.removeAll()
                }
                scalars.append(scalar)
            }
        }
        return String(scalars)
    }

    /// Cuts `text` to at most `maxBytes` of UTF-8 without splitting a character.
    static func cap(_ text: String, maxBytes: Int) -> (text: String, truncated: Bool) {
        guard text.utf8.count > maxBytes else { return (text, false) }
        var end = text.utf8.index(text.startIndex, offsetBy: max(0, maxBytes))
        while end > text.startIndex, end.samePosition(in: text) == nil {
            end = text.utf8.index(before: end)
        }
        var kept = String(text[..<end])
        while let last = kept.unicodeScalars.last, last.properties.isWhitespace { kept.unicodeScalars.removeLast() }
        return (kept, true)
    }
}
