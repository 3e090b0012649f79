import Foundation
import XMLSupport

extension CitationRecord {
    /// A stable key: first author's family name (or an organisation's initials), year, first
    /// significant title word, folded to ASCII: `lopez2018migration`, `iom2019labour`, `anon2018nd`.
    /// Two records may share a key; a caller exporting many disambiguates (e.g. appending a, b…).
    public var bibTeXKey: String {
        let author = authors.first.map(Self.keyName) ?? ""
        let word = Self.words(title).first { !Self.stopWords.contains($0) } ?? ""
        return (author.isEmpty ? "anon" : author) + (year.map(String.init) ?? "nd") + word
    }

    /// One BibTeX entry. Text fields are escaped for LaTeX (`{ } \ & % $ # _ ~ ^`), non-ASCII stays
    /// UTF-8 (use biber or bibtexu), titles and organisations are braced so styles keep their
    /// capitals, and `url`/`doi` are left verbatim as the url package expects.
    public var bibTeX: String {
        var fields: [(String, String)] = []
        func text(_ name: String, _ value: String?) {
            guard let value = value.map(CitationText.oneLine), !value.isEmpty else { return }
            fields.append((name, "{" + Self.escape(value) + "}"))
        }
        func verbatim(_ name: String, _ value: String?) {
            guard let value = value.map(CitationText.oneLine), !value.isEmpty else { return }
            fields.append((name, "{" + Self.verbatim(value) + "}"))
        }

        if !authors.isEmpty {
            fields.append(("author", "{" + authors.map(Self.bibTeXName).joined(separator: " and ") + "}"))
        }
        let title = CitationText.oneLine(self.title)
        fields.append(("title", "{{" + Self.escape(title) + "}}"))
        switch kind {
        case .article: text("journal", containerTitle)
        case .chapter, .conferencePaper: text("booktitle", containerTitle)
        default: break
        }
        switch kind {
        case .report: text("institution", publisher)
        case .thesis: text("school", publisher)
        default: text("publisher", publisher)
        }
        text("address", place)
        if let year { fields.append(("year", "{\(year)}")) }
        if let month, (1...12).contains(month) { fields.append(("month", Self.monthMacros[month - 1])) }
        text("volume", volume)
        text("number", issue)
        if let range = pageRange { text("pages", range.first + (range.last.map { "--" + $0 } ?? "")) }
        text("isbn", isbn)
        verbatim("doi", bareDOI)
        verbatim("url", url)
        if let accessed { fields.append(("urldate", "{" + UTCDate.day(accessed) + "}")) }
        text("language", language)
        text("abstract", abstract)
        if !keywords.isEmpty { text("keywords", keywords.map(CitationText.oneLine).joined(separator: ", ")) }

        let body = fields.map { "  \($0.0) = \($0.1)" }.joined(separator: ",\n")
        return "@\(bibTeXType){\(bibTeXKey),\n\(body)\n}\n"
    }

    /// Classic BibTeX has no neutral thesis type, so a thesis is a @phdthesis.
    private var bibTeXType: String {
        switch kind {
        case .report: "techreport"
        case .article: "article"
        case .book: "book"
        case .chapter: "incollection"
        case .thesis: "phdthesis"
        case .conferencePaper: "inproceedings"
        case .legislation, .dataset, .webpage, .misc: "misc"
        }
    }

    /// "Family, Jr., Given" as BibTeX reads it; an organisation in braces so that BibTeX neither
    /// splits it at "and" nor abbreviates it.
    private static func bibTeXName(_ author: Author) -> String {
        if author.isCorporate { return "{" + escape(CitationText.oneLine(author.name)) + "}" }
        let parts = [author.family, author.suffix, author.given].compactMap { $0 }.map(CitationText.oneLine)
        return escape(parts.joined(separator: ", "))
    }

    static func escape(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": result += "\\textbackslash{}"
            case "{", "}", "&", "%", "$", "#", "_": result += "\\" + String(scalar)
            case "~": result += "\\textasciitilde{}"
            case "^": result += "\\textasciicircum{}"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// Braces and backslashes would unbalance the field, so they are percent-encoded; the rest of
    /// a URL is safe inside url/doi fields.
    private static func verbatim(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "%5C")
            .replacingOccurrences(of: "{", with: "%7B")
            .replacingOccurrences(of: "}", with: "%7D")
            .replacingOccurrences(of: " ", with: "%20")
    }

    private static let monthMacros = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    // MARK: - Citation keys

    /// A person's family name, or an organisation's initials when its name has several
    /// significant words (International Organization for Migration → iom).
    private static func keyName(_ author: Author) -> String {
        guard author.isCorporate else { return words(author.family).joined() }
        let significant = words(author.name).filter { !stopWords.contains($0) }
        if significant.count > 1 { return String(significant.compactMap(\.first)) }
        return significant.first ?? ""
    }

    private static func words(_ text: String) -> [String] {
        text.split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map { CitationText.asciiFolded(String($0)) }
            .filter { !$0.isEmpty }
    }

    /// Articles, prepositions and conjunctions in English, Spanish, French and Dutch.
    private static let stopWords: Set<String> = [
        "a", "an", "the", "of", "on", "in", "and", "for", "to", "at", "by", "with", "from", "into",
        "el", "la", "los", "las", "un", "una", "unos", "unas", "de", "del", "y", "e", "en", "por", "para", "sobre", "con",
        "le", "les", "une", "des", "du", "et", "sur", "pour", "au", "aux", "l", "d",
        "het", "een", "van", "op", "voor", "met",
    ]
}
