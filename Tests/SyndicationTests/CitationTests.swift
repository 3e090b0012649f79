import Foundation
import Syndication
import Testing

@Suite("Citations")
struct CitationTests {
    /// 2024-03-05T12:00:00Z
    static let accessed = Date(timeIntervalSince1970: 1_709_640_000)

    static let report = CitationRecord(
        kind: .report,
        title: "Migration in the Caribbean: Trends & Policies",
        authors: [.init("López, María José"), .init("Pérez, Ana")],
        publisher: "International Organization for Migration",
        year: 2018, month: 3, day: 5,
        place: "Kingston",
        url: "https://cpmg.example.org/documents/1",
        doi: "https://doi.org/10.1234/cpmg.2018_01",
        isbn: "978-92-9068-000-0",
        language: "en",
        abstract: "A study of\nlabour migration.",
        keywords: ["labour migration", "Jamaica"],
        accessed: accessed
    )

    func withAuthors(_ authors: [CitationRecord.Author]) -> CitationRecord {
        var record = Self.report
        record.authors = authors
        return record
    }

    // MARK: - Formatted reference

    @Test("One author: initials, year, italic title, publisher, DOI link")
    func oneAuthor() {
        let reference = withAuthors([.init("López, María José")]).reference
        #expect(reference.text == "López, M. J. (2018). Migration in the Caribbean: Trends & Policies. "
            + "International Organization for Migration. https://doi.org/10.1234/cpmg.2018_01")
        #expect(reference.parts == [
            .init("López, M. J. (2018). "),
            .init("Migration in the Caribbean: Trends & Policies", .italic),
            .init(". International Organization for Migration. "),
            .init("https://doi.org/10.1234/cpmg.2018_01", .link),
        ])
    }

    @Test("Two authors are joined with a comma and an ampersand")
    func twoAuthors() {
        #expect(Self.report.reference.text.hasPrefix("López, M. J., & Pérez, A. (2018). Migration"))
    }

    @Test("Three or more authors are listed with a serial comma; more than 20 are elided")
    func manyAuthors() {
        let three = withAuthors([.init("López, María"), .init("Pérez, Ana"), .init("Núñez, Sofía")])
        #expect(three.reference.text.hasPrefix("López, M., Pérez, A., & Núñez, S. (2018)."))

        let many = withAuthors((1...22).map { .init("Author\($0), Given") })
        let text = many.reference.text
        #expect(text.hasPrefix((1...19).map { "Author\($0), G." }.joined(separator: ", ") + ", . . . Author22, G. (2018)."))
        #expect(!text.contains("Author20"))
    }

    @Test("A corporate author is written in full, and not repeated as publisher")
    func corporateAuthor() {
        let record = withAuthors([.corporate("International Organization for Migration")])
        #expect(record.reference.text == "International Organization for Migration. (2018). "
            + "Migration in the Caribbean: Trends & Policies. https://doi.org/10.1234/cpmg.2018_01")
        let other = withAuthors([.corporate("Government of Jamaica")])
        #expect(other.reference.text.contains("Policies. International Organization for Migration. https"))
    }

    @Test("Without authors the title comes first; without a date it says n.d.")
    func noAuthorNoDate() {
        var record = withAuthors([])
        record.year = nil
        #expect(record.reference.text.hasPrefix("Migration in the Caribbean: Trends & Policies. (n.d.). International"))
        #expect(record.reference.parts.first == .init("Migration in the Caribbean: Trends & Policies", .italic))
    }

    @Test("Without a DOI the URL is given, with the access date when known")
    func urlAndAccess() {
        var record = withAuthors([.init("Pérez, Ana")])
        record.doi = nil
        #expect(record.reference.text.hasSuffix(
            "Migration. Retrieved March 5, 2024, from https://cpmg.example.org/documents/1"
        ))
        #expect(record.reference.parts.last == .init("https://cpmg.example.org/documents/1", .link))
        record.accessed = nil
        #expect(record.reference.text.hasSuffix("Migration. https://cpmg.example.org/documents/1"))
    }

    @Test("An article italicises the journal and volume, not the title")
    func article() {
        let record = CitationRecord(
            kind: .article, title: "Who leaves, and why?", authors: [.init("Núñez, Sofía")],
            publisher: "Publisher not shown", containerTitle: "Caribbean Studies", volume: "12", issue: "3", pages: "45-67",
            year: 2019, doi: "10.5555/cs.12.3"
        )
        #expect(record.reference.text
            == "Núñez, S. (2019). Who leaves, and why? Caribbean Studies, 12(3), 45–67. https://doi.org/10.5555/cs.12.3")
        #expect(record.reference.parts.filter { $0.style == .italic }.map(\.text) == ["Caribbean Studies", "12"])
    }

    @Test("Theses and data sets are described in brackets")
    func brackets() {
        let thesis = CitationRecord(kind: .thesis, title: "Remittances", authors: [.init("Pérez, Ana")],
                                    publisher: "University of the West Indies", year: 2020)
        #expect(thesis.reference.text == "Pérez, A. (2020). Remittances [Thesis, University of the West Indies].")
        let data = CitationRecord(kind: .dataset, title: "Arrivals 2000–2020", authors: [.corporate("CMC")], year: 2021)
        #expect(data.reference.text == "CMC. (2021). Arrivals 2000–2020 [Data set].")
    }

    @Test("Initials handle compound, hyphenated and already abbreviated given names, and suffixes")
    func initials() {
        #expect(withAuthors([.init("Dupont, Jean-Paul")]).reference.text.hasPrefix("Dupont, J.-P. (2018)."))
        #expect(withAuthors([.init("Smith, M.J.")]).reference.text.hasPrefix("Smith, M. J. (2018)."))
        #expect(withAuthors([.init("King, Martin Luther, Jr.")]).reference.text.hasPrefix("King, M. L., Jr. (2018)."))
        #expect(withAuthors([.init("Madonna")]).reference.text.hasPrefix("Madonna. (2018)."))
    }

    // MARK: - BibTeX

    @Test("BibTeX entry for a report")
    func bibTeXReport() {
        #expect(Self.report.bibTeX == """
        @techreport{lopez2018migration,
          author = {López, María José and Pérez, Ana},
          title = {{Migration in the Caribbean: Trends \\& Policies}},
          institution = {International Organization for Migration},
          address = {Kingston},
          year = {2018},
          month = mar,
          isbn = {978-92-9068-000-0},
          doi = {10.1234/cpmg.2018_01},
          url = {https://cpmg.example.org/documents/1},
          urldate = {2024-03-05},
          language = {en},
          abstract = {A study of labour migration.},
          keywords = {labour migration, Jamaica}
        }

        """)
    }

    @Test("BibTeX escapes LaTeX's special characters and leaves accents as UTF-8")
    func bibTeXEscaping() {
        var record = withAuthors([.init("Núñez, Sofía"), .corporate("Ministry of Labour & Social Security")])
        record.title = "100% of {cases}: $5, #1, R_t, a\\b ~x^2"
        record.kind = .misc
        let bib = record.bibTeX
        #expect(bib.hasPrefix("@misc{nunez2018100,\n"))
        #expect(bib.contains("  author = {Núñez, Sofía and {Ministry of Labour \\& Social Security}},\n"))
        #expect(bib.contains(
            "  title = {{100\\% of \\{cases\\}: \\$5, \\#1, R\\_t, a\\textbackslash{}b \\textasciitilde{}x\\textasciicircum{}2}},\n"
        ))
        #expect(bib.contains("  publisher = {International Organization for Migration},\n"))
    }

    @Test("BibTeX types and fields follow the kind of work")
    func bibTeXTypes() {
        let article = CitationRecord(kind: .article, title: "T", containerTitle: "J", volume: "1", pages: "3–9", year: 2000)
        #expect(article.bibTeX.hasPrefix("@article{anon2000t,\n"))
        #expect(article.bibTeX.contains("  journal = {J},\n"))
        #expect(article.bibTeX.contains("  pages = {3--9}"))
        let thesis = CitationRecord(kind: .thesis, title: "T", publisher: "UWI")
        #expect(thesis.bibTeX.hasPrefix("@phdthesis{anonndt,\n"))
        #expect(thesis.bibTeX.contains("  school = {UWI}"))
        #expect(CitationRecord(kind: .chapter, title: "T", containerTitle: "B").bibTeX.contains("@incollection{"))
        #expect(CitationRecord(kind: .chapter, title: "T", containerTitle: "B").bibTeX.contains("  booktitle = {B}"))
    }

    @Test("Citation keys fold accents and skip leading articles", arguments: [
        (["Núñez, Sofía"], false, 2020, "El éxodo venezolano", "nunez2020exodo"),
        (["López Pérez, María"], false, 2018, "Migration", "lopezperez2018migration"),
        (["Ødegård, Åse"], false, 2001, "L'état des lieux", "odegard2001etat"),
        (["van der Berg, Jan"], false, 1999, "De grenzen van Europa", "vanderberg1999grenzen"),
        (["International Organization for Migration"], true, 2019, "The World Migration Report", "iom2019world"),
        (["UNHCR"], true, 2015, "Global Trends", "unhcr2015global"),
    ] as [([String], Bool, Int, String, String)])
    func keys(_ names: [String], _ corporate: Bool, _ year: Int, _ title: String, _ key: String) {
        let record = CitationRecord(
            kind: .report, title: title, authors: names.map { .init($0, isCorporate: corporate) }, year: year
        )
        #expect(record.bibTeXKey == key)
    }

    // MARK: - RIS

    @Test("RIS record for a report, byte for byte with CRLF line ends")
    func risReport() {
        let expected = [
            "TY  - RPRT",
            "AU  - López, María José",
            "AU  - Pérez, Ana",
            "TI  - Migration in the Caribbean: Trends & Policies",
            "PY  - 2018",
            "DA  - 2018/03/05/",
            "AB  - A study of labour migration.",
            "PB  - International Organization for Migration",
            "CY  - Kingston",
            "UR  - https://cpmg.example.org/documents/1",
            "DO  - 10.1234/cpmg.2018_01",
            "SN  - 978-92-9068-000-0",
            "LA  - en",
            "KW  - labour migration",
            "KW  - Jamaica",
            "Y2  - 2024/03/05",
            "ER  - ",
        ].map { $0 + "\r\n" }.joined()
        #expect(Array(Self.report.ris.utf8) == Array(expected.utf8))
    }

    @Test("RIS splits page ranges and leaves an unknown day empty")
    func risArticle() {
        let record = CitationRecord(
            kind: .article, title: "T", authors: [.corporate("CMC")], containerTitle: "J", volume: "4", issue: "2",
            pages: "10–20", year: 2010, month: 11
        )
        #expect(record.ris == [
            "TY  - JOUR", "AU  - CMC", "TI  - T", "T2  - J", "VL  - 4", "IS  - 2", "SP  - 10", "EP  - 20",
            "PY  - 2010", "DA  - 2010/11//", "ER  - ",
        ].map { $0 + "\r\n" }.joined())
    }
}
