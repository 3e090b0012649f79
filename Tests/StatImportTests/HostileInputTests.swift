import Foundation
import StatImport
import Testing

/// Files built to hurt: huge cells, numbers no machine integer holds, control characters. The
/// importer never traps, names the line and column of each problem, and its messages stay short.
@Suite("Statistical CSV: hostile input")
struct HostileInputTests {
    @Test("A 10 MB cell is shown as its first 100 characters and an ellipsis, wherever it is")
    func hugeCells() {
        // given a file whose header, indicator, area and value each hold a 10 MB cell
        let huge = String(repeating: "Z", count: 10_000_000)
        let digits = String(repeating: "9", count: 10_000_000)
        let text = "indicator,area,period,value,\(huge)\nMIG_STOCK,FRA,2020,\(digits),x\n\(huge),FRA,2020,1,x\nMIG_STOCK,\(huge),2020,1,x\nMIG_STOCK,FRA,\(huge),1,x\n"
        // when it is checked
        let preview = parse(text)
        // then every problem is named by line and column, and no message or column name is long
        #expect(problems(preview) == ["2|value|notANumber", "3|indicator|unknownIndicator", "4|area|unknownArea", "5|period|periodInvalid"])
        for item in preview.problems + preview.warnings {
            #expect(item.detail.count < 300 && item.column.count <= 101)
        }
        #expect(preview.problems.dropFirst().allSatisfy { $0.detail.contains(String(repeating: "Z", count: 100) + "…") })
        #expect(preview.warnings.first?.column == String(repeating: "Z", count: 100) + "…")
    }

    @Test("Numbers beyond any machine integer, NaN and infinities are refused by line and column, never trapped")
    func hostileNumbers() {
        // given values, periods and multipliers that overflow Int or are not numbers at all
        let text = """
        indicator,area,period,value,unit_multiplier
        MIG_STOCK,FRA,2020,1e400,
        MIG_STOCK,FRA,2019,-1e400,
        MIG_STOCK,FRA,2018,NaN,
        MIG_STOCK,FRA,2017,inf,
        MIG_STOCK,FRA,99999999999999999999,1,
        MIG_STOCK,FRA,2016,1,99999999999999999999
        MIG_STOCK,FRA,-9223372036854775809,1,
        MIG_STOCK,FRA,2015,9223372036854775808,
        MIG_STOCK,FRA,2014,1e-400,
        """
        // when it is checked
        let preview = parse(text)
        // then each bad cell is one problem at its line and column; the rest are values
        #expect(problems(preview) == ["2|value|notANumber", "3|value|notANumber", "4|value|emptyValue", "5|value|notANumber", "6|period|periodInvalid",
                                      "7|unit_multiplier|unitMismatch", "8|period|periodInvalid"])
        #expect(preview.observations.map(\.value) == [9.223372036854775808e18, 0])
    }

    @Test("Control characters in a note or an age group are refused by line and column, and shown by their code")
    func controlCharacters() {
        // given a note with an escape sequence and an age group with a NUL-like control
        let text = "indicator,area,period,value,note,age\nMIG_STOCK,FRA,2020,1,\"\u{1B}[2J\",\nMIG_STOCK,FRA,2021,1,,0-4\u{7}\nMIG_STOCK,\u{1B}[31mXX,2022,1,,\n"
        // when it is checked
        let preview = parse(text)
        // then both are problems naming line and column; echoed cells show the code, not the character
        #expect(problems(preview) == ["2|note|controlCharacter", "3|age|controlCharacter", "4|area|unknownArea"])
        #expect(preview.problems[0].detail.contains("U+001B") && preview.problems[1].detail.contains("U+0007"))
        #expect(preview.problems.allSatisfy { !$0.detail.unicodeScalars.contains { $0.value < 0x20 } })
        // tabs and line breaks inside a quoted note are text, not control characters
        #expect(parse("indicator,area,period,value,note\nMIG_STOCK,FRA,2020,1,\"two\nlines\tand a tab\"\n").isImportable)
    }
}
