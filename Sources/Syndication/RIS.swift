import Foundation
import XMLSupport

extension CitationRecord {
    /// One RIS record: `TAG  - value` lines ending in CRLF, as the format specifies, from `TY` to
    /// an empty `ER`. Line breaks inside values become spaces.
    public var ris: String {
        var lines: [(String, String)] = []
        func add(_ tag: String, _ value: String?) {
            guard let value = value.map(CitationText.oneLine), !value.isEmpty else { return }
            lines.append((tag, value))
        }

        add("TY", risType)
        for author in authors { add("AU", author.name) }
        add("TI", title)
        add("T2", containerTitle)
        add("VL", volume)
        add("IS", issue)
        if let range = pageRange {
            add("SP", range.first)
            add("EP", range.last)
        }
        add("PY", year.map(String.init))
        if let year, let month, (1...12).contains(month) {
            add("DA", "\(year)/" + UTCDate.pad(month, 2) + "/" + (day.map { UTCDate.pad($0, 2) } ?? "") + "/")
        }
        add("AB", abstract)
        add("PB", publisher)
        add("CY", place)
        add("UR", url)
        add("DO", bareDOI)
        add("SN", isbn)
        add("LA", language)
        for keyword in keywords { add("KW", keyword) }
        add("Y2", accessed.map { UTCDate.day($0, separator: "/") })

        return lines.map { "\($0.0)  - \($0.1)\r\n" }.joined() + "ER  - \r\n"
    }

    private var risType: String {
        switch kind {
        case .report: "RPRT"
        case .article: "JOUR"
        case .book: "BOOK"
        case .chapter: "CHAP"
        case .thesis: "THES"
        case .conferencePaper: "CPAPER"
        case .legislation: "STAT"
        case .dataset: "DATA"
        case .webpage: "ELEC"
        case .misc: "GEN"
        }
    }
}
