import CSVParser
import Testing

@Suite("CSV parsing")
struct CSVTests {
    @Test("Quoted fields keep commas, quotes and line breaks")
    func quotedFields() throws {
        // given
        let text = "a,b,c\r\n\"x, y\",\"say \"\"hi\"\"\",\"two\nlines\"\r\n1,2,3\n"
        // when
        let table = try CSV.parse(text)
        // then
        #expect(table.header == ["a", "b", "c"])
        #expect(table.rows.count == 2)
        #expect(table.rows[0].fields == ["x, y", "say \"hi\"", "two\nlines"])
        #expect(table.rows[1]["c"] == "3")
        #expect(table.rows[1].line == 4)
    }

    @Test("A row with the wrong number of fields is named by its line")
    func wrongFieldCount() {
        #expect(throws: CSVError(line: 3, message: "expected 2 fields, found 3")) {
            try CSV.parse("a,b\n1,2\n1,2,3\n")
        }
    }

    @Test("An unclosed quote is an error, not a silent merge")
    func unclosedQuote() {
        #expect(throws: CSVError.self) { try CSV.parse("a\n\"open\n") }
    }

    @Test("A byte-order mark and a missing final newline are accepted")
    func bomAndNoNewline() throws {
        let table = try CSV.parse("\u{FEFF}iso2,name\nJM,Jamaica")
        #expect(table.header == ["iso2", "name"])
        #expect(table.rows.first?["name"] == "Jamaica")
    }

    @Test("Empty fields stay empty strings")
    func emptyFields() throws {
        let table = try CSV.parse("a,b,c\n,,\n")
        #expect(table.rows.first?.fields == ["", "", ""])
    }
}
