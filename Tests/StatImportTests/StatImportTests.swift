import Foundation
import XCTest
import StatImport

// Shared fixtures -------------------------------------------------------------------------------

let testRules = ImportRules(
    indicators: [
        "MIG_STOCK": IndicatorSpec(code: "MIG_STOCK", unit: "persons", allowsSex: true, allowsOriginDestination: true),
        "NET_MIG_RATE": IndicatorSpec(code: "NET_MIG_RATE", unit: "per 1000", allowsSex: false, allowsOriginDestination: false),
        "REF_SHARE": IndicatorSpec(code: "REF_SHARE", unit: "%", allowsSex: true, allowsOriginDestination: false),
    ],
    areas: [
        "FR": "FRA", "FRA": "FRA", "DE": "DEU", "DEU": "DEU", "CH": "CHE", "CHE": "CHE",
        "SY": "SYR", "SYR": "SYR", "UA": "UKR", "UKR": "UKR", "EU27": "EU27",
    ],
    yearRange: 1950...2025)

func parse(_ text: String, rules: ImportRules = testRules, maxProblems: Int = 200) -> ImportPreview {
    StatImporter.parse(Data(text.utf8), rules: rules, maxProblems: maxProblems)
}

func problems(_ preview: ImportPreview) -> [String] {
    preview.problems.map { "\($0.line)|\($0.column)|\($0.code.rawValue)" }
}

// CSV reading -----------------------------------------------------------------------------------

final class CSVReadingTests: XCTestCase {
    func testTidyBasic() {
        let p = parse("""
        indicator,area,period,value,sex,age,flag,note,unit
        MIG_STOCK,FRA,2020,8524876,T,,,,persons
        mig_stock,fr,2020,4400000,F,15-64,E,census based,Persons
        REF_SHARE,DEU,2019-q2,12.5,,,P,,%
        REF_SHARE,DEU,2019-3,13,,,,,percent
        """)
        XCTAssertEqual(p.shape, .tidy)
        XCTAssertEqual(p.problems, [])
        XCTAssertEqual(p.warnings, [])
        XCTAssertEqual(p.rowCount, 4)
        XCTAssertEqual(p.observations, [
            Observation(indicator: "MIG_STOCK", area: "FRA", period: "2020", sex: "T", value: 8524876),
            Observation(indicator: "MIG_STOCK", area: "FRA", period: "2020", sex: "F", age: "15-64", value: 4400000, flag: "E", note: "census based"),
            Observation(indicator: "REF_SHARE", area: "DEU", period: "2019-Q2", value: 12.5, flag: "P"),
            Observation(indicator: "REF_SHARE", area: "DEU", period: "2019-03", value: 13),
        ])
        XCTAssertEqual(p.indicators, ["MIG_STOCK", "REF_SHARE"])
        XCTAssertEqual(p.areas, ["FRA", "DEU"])
        XCTAssertEqual(p.periods, 2019...2020)
        XCTAssertTrue(p.isImportable)
    }

    func testByteOrderMark() {
        var data = Data([0xEF, 0xBB, 0xBF])
        data.append(Data("indicator,area,period,value\nMIG_STOCK,FRA,2020,1\n".utf8))
        let p = StatImporter.parse(data, rules: testRules)
        XCTAssertEqual(p.problems, [])
        XCTAssertEqual(p.shape, .tidy)
        XCTAssertEqual(p.observations.first?.indicator, "MIG_STOCK")
    }

    func testSemicolonDelimiter() {
        let p = parse("indicator;area;period;value;note\nMIG_STOCK;FRA;2020;1234;a, b, c\nMIG_STOCK;DEU;2020;x;\n")
        XCTAssertEqual(p.observations.map(\.note), ["a, b, c"])
        XCTAssertEqual(problems(p), ["3|value|notANumber"])
    }

    func testTabDelimiter() {
        let p = parse("indicator\tarea\tperiod\tvalue\nMIG_STOCK\tFRA\t2020\t1,5\n")
        XCTAssertEqual(problems(p), ["2|value|notANumber"])   // comma is not a decimal mark by default
        XCTAssertTrue(p.problems[0].detail.contains("decimal-comma"))
    }

    func testCRLFAndCROnlyLineEndings() {
        let crlf = parse("indicator,area,period,value\r\nMIG_STOCK,FRA,2020,1\r\nMIG_STOCK,XXX,2020,2\r\n")
        XCTAssertEqual(problems(crlf), ["3|area|unknownArea"])
        XCTAssertEqual(crlf.rowCount, 2)
        let cr = parse("indicator,area,period,value\rMIG_STOCK,FRA,2020,1\rMIG_STOCK,XXX,2020,2\r")
        XCTAssertEqual(problems(cr), ["3|area|unknownArea"])
        let mixed = parse("indicator,area,period,value\r\nMIG_STOCK,FRA,2020,1\nMIG_STOCK,DEU,2020,2\rMIG_STOCK,XXX,2020,3")
        XCTAssertEqual(problems(mixed), ["4|area|unknownArea"])
    }

    func testQuotedFieldsWithCommasQuotesAndNewlines() {
        let text = """
        indicator,area,period,value,note
        MIG_STOCK,FRA,2020,"1,234","He said ""hi"", then left"
        MIG_STOCK,DEU,2020,5,"line one
        line two
        line three"
          "MIG_STOCK" ,CHE,2020,6,x
        MIG_STOCK,BAD,2020,7,
        """
        let p = parse(text)
        XCTAssertEqual(p.observations.count, 3)
        XCTAssertEqual(p.observations[0].value, 1234)
        XCTAssertEqual(p.observations[0].note, "He said \"hi\", then left")
        XCTAssertEqual(p.observations[1].note, "line one\nline two\nline three")
        XCTAssertEqual(p.observations[2].area, "CHE")
        // The record after the three-line field starts on physical line 6; the bad one on line 7.
        XCTAssertEqual(problems(p), ["7|area|unknownArea"])
        XCTAssertEqual(p.warnings.map(\.line), [2])        // "1,234" thousands separator
    }

    func testEmptyLinesAreSkippedButCounted() {
        let p = parse("\n\nindicator,area,period,value\n\nMIG_STOCK,FRA,2020,1\n\n,,,\n   \nMIG_STOCK,XXX,2020,1\n\n")
        XCTAssertEqual(p.rowCount, 2)
        XCTAssertEqual(problems(p), ["9|area|unknownArea"])
    }

    func testUnterminatedQuoteIsReported() {
        let p = parse("indicator,area,period,value,note\nMIG_STOCK,FRA,2020,1,\"oops\nMIG_STOCK,DEU,2020,2,ok\nMIG_STOCK,CHE,2020,3,ok\n")
        XCTAssertTrue(problems(p).contains("2|note|missingColumn"), "\(p.problems)")
        XCTAssertFalse(p.isImportable)
    }
}

// Binary / empty input --------------------------------------------------------------------------

final class BinaryInputTests: XCTestCase {
    func testNULByteIsBinary() {
        var data = Data("indicator,area,period,value\nMIG_STOCK,FRA,2020,1\n".utf8)
        data.append(contentsOf: [0x00, 0x01, 0x02, 0xFF])
        let p = StatImporter.parse(data, rules: testRules)
        XCTAssertEqual(problems(p), ["3||binary"])
        XCTAssertTrue(p.problems[0].detail.contains("NUL"))
        XCTAssertEqual(p.observations, [])
    }

    func testInvalidUTF8IsBinary() {
        // "Réunion" in Windows-1252.
        var data = Data("indicator,area,period,value,note\nMIG_STOCK,FRA,2020,1,R".utf8)
        data.append(contentsOf: [0xE9])
        data.append(Data("union\n".utf8))
        let p = StatImporter.parse(data, rules: testRules)
        XCTAssertEqual(problems(p), ["2||binary"])
        XCTAssertTrue(p.problems[0].detail.contains("0xE9"))
        XCTAssertTrue(p.problems[0].detail.contains("UTF-8"))
    }

    func testValidMultibyteUTF8IsAccepted() {
        let p = parse("indicator,area,period,value,note\nMIG_STOCK,FRA,2020,1,Réunion – 🇫🇷 日本\n")
        XCTAssertEqual(p.problems, [])
        XCTAssertEqual(p.observations.first?.note, "Réunion – 🇫🇷 日本")
    }

    func testOfficeAndUTF16Signatures() {
        let xlsx = StatImporter.parse(Data([0x50, 0x4B, 0x03, 0x04, 0x14, 0x00]), rules: testRules)
        XCTAssertEqual(problems(xlsx), ["1||binary"])
        XCTAssertTrue(xlsx.problems[0].detail.contains("xlsx"))
        let utf16 = StatImporter.parse(Data([0xFF, 0xFE, 0x69, 0x00]), rules: testRules)
        XCTAssertEqual(problems(utf16), ["1||binary"])
        XCTAssertTrue(utf16.problems[0].detail.contains("UTF-16"))
    }

    func testRandomBytesNeverCrash() {
        var generator = SplitMix64(seed: 42)
        for round in 0..<300 {
            let length = Int(generator.next() % 400)
            var bytes = [UInt8]()
            for _ in 0..<length {
                // Bias towards CSV-significant bytes so the parser paths are exercised.
                let r = generator.next()
                let pool: [UInt8] = [0x2C, 0x3B, 0x09, 0x22, 0x0A, 0x0D, 0x20, 0x31, 0x41, 0xC3, 0xA9, 0xE2, 0x80, 0xF0]
                bytes.append(r % 3 == 0 ? UInt8(truncatingIfNeeded: r >> 8) : pool[Int((r >> 16) % UInt64(pool.count))])
            }
            if round % 2 == 0 { bytes.insert(contentsOf: Array("indicator,area,period,value\n".utf8), at: 0) }
            let p = StatImporter.parse(Data(bytes), rules: testRules, maxProblems: 10)
            XCTAssertLessThanOrEqual(p.problems.count, 10)
        }
    }

    func testEmptyFileAndHeaderOnly() {
        XCTAssertEqual(problems(parse("")), ["1||empty"])
        XCTAssertEqual(problems(StatImporter.parse(Data([0xEF, 0xBB, 0xBF, 0x0A, 0x0A]), rules: testRules)), ["1||empty"])
        XCTAssertEqual(problems(parse("\nindicator,area,period,value\n\n")), ["2||empty"])
        XCTAssertEqual(problems(parse("indicator,area,2000,2010\nMIG_STOCK,FRA,,\n")), ["1||empty"])
    }
}

// Each problem type, with exact line and column ----------------------------------------------------

final class ProblemTests: XCTestCase {
    func testUnknownIndicatorAndArea() {
        let p = parse("indicator,Area,period,value\nNOPE,FRA,2020,1\nMIG_STOCK,ZZ,2020,1\n,,2020,1\n")
        XCTAssertEqual(problems(p), ["2|indicator|unknownIndicator", "3|Area|unknownArea",
                                     "4|indicator|unknownIndicator", "4|Area|unknownArea"])
        XCTAssertTrue(p.problems[0].detail.contains("NOPE"))
        XCTAssertEqual(p.observations, [])
    }

    func testUnknownCounterpart() {
        let p = parse("""
        indicator,area,period,value,origin,destination
        MIG_STOCK,FRA,2020,10,SY,
        MIG_STOCK,FRA,2020,11,XX,
        NET_MIG_RATE,FRA,2020,2.5,SYR,
        MIG_STOCK,FRA,2021,12,SYR,DEU
        MIG_STOCK,FRA,2021,13,SYR,FRA
        """)
        XCTAssertEqual(problems(p), ["3|origin|unknownCounterpart", "4|origin|unknownCounterpart", "5|destination|unknownCounterpart"])
        XCTAssertTrue(p.problems[1].detail.contains("bilateral"))
        XCTAssertEqual(p.observations.map(\.counterpart), ["SYR", "SYR"])
    }

    func testNotANumberShowsRawText() {
        let p = parse("indicator,area,period,value\nMIG_STOCK,FRA,2020,12abc\nMIG_STOCK,DEU,2020,1.2.3\nMIG_STOCK,CHE,2020,  42  \n")
        XCTAssertEqual(problems(p), ["2|value|notANumber", "3|value|notANumber"])
        XCTAssertTrue(p.problems[0].detail.contains("'12abc'"))
        XCTAssertEqual(p.observations.map(\.value), [42])
    }

    func testEmptyValueMarkers() {
        let p = parse("indicator,area,period,value\nMIG_STOCK,FRA,2020,\nMIG_STOCK,FRA,2021,-\nMIG_STOCK,FRA,2022,..\nMIG_STOCK,FRA,2023,N/A\nMIG_STOCK,FRA,2024, \n")
        XCTAssertEqual(problems(p), (2...6).map { "\($0)|value|emptyValue" })
    }

    func testPeriodInvalidAndYearOutOfRange() {
        let p = parse("indicator,area,period,value\nMIG_STOCK,FRA,20201,1\nMIG_STOCK,FRA,2020-13,1\nMIG_STOCK,FRA,2020-Q5,1\nMIG_STOCK,FRA,1949,1\nMIG_STOCK,FRA,2026-Q1,1\nMIG_STOCK,FRA,,1\n")
        XCTAssertEqual(problems(p), ["2|period|periodInvalid", "3|period|periodInvalid", "4|period|periodInvalid",
                                     "5|period|yearOutOfRange", "6|period|yearOutOfRange", "7|period|periodInvalid"])
    }

    func testDuplicateNamesFirstLine() {
        let p = parse("""
        indicator,area,period,value,sex,age
        MIG_STOCK,FRA,2020,1,T,
        MIG_STOCK,FRA,2020,2,F,
        MIG_STOCK,FR,2020,3,total,

        mig_stock,FRA,2020,4,female,
        MIG_STOCK,FRA,2020,5,F,0-14
        """)
        XCTAssertEqual(problems(p), ["4|value|duplicateKey", "6|value|duplicateKey"])
        XCTAssertTrue(p.problems[0].detail.contains("line 2"), p.problems[0].detail)
        XCTAssertTrue(p.problems[1].detail.contains("line 3"), p.problems[1].detail)
        XCTAssertEqual(p.observations.map(\.value), [1, 2, 5])
    }

    func testUnitMismatchAndPercentEquivalence() {
        let p = parse("indicator,area,period,value,unit\nREF_SHARE,FRA,2020,1,percent\nREF_SHARE,FRA,2021,1,%\nREF_SHARE,FRA,2022,1,PERCENT\nREF_SHARE,FRA,2023,1,persons\nMIG_STOCK,FRA,2020,1,\n")
        XCTAssertEqual(problems(p), ["5|unit|unitMismatch"])
        XCTAssertEqual(p.observations.count, 4)
    }

    func testUnitMultiplier() {
        let p = parse("indicator,area,period,value,unit_multiplier\nMIG_STOCK,FRA,2020,1.234,3\nMIG_STOCK,FRA,2021,0.1,6\nMIG_STOCK,FRA,2022,5,2\n")
        XCTAssertEqual(p.observations.map(\.value), [1234, 100_000])
        XCTAssertEqual(problems(p), ["4|unit_multiplier|unitMismatch"])
    }

    func testSexInvalid() {
        let p = parse("indicator,area,period,value,sex\nMIG_STOCK,FRA,2020,1,X\nNET_MIG_RATE,FRA,2020,1,F\nNET_MIG_RATE,FRA,2021,1,T\nMIG_STOCK,FRA,2020,1,male\n")
        XCTAssertEqual(problems(p), ["2|sex|sexInvalid", "3|sex|sexInvalid"])
        XCTAssertEqual(p.observations.map(\.sex), ["T", "M"])
    }

    func testFlagInvalid() {
        let p = parse("indicator,area,period,value,flag\nMIG_STOCK,FRA,2020,1,E\nMIG_STOCK,FRA,2021,1,Q\nMIG_STOCK,FRA,2022,1,d\n")
        XCTAssertEqual(problems(p), ["3|flag|flagInvalid"])
        XCTAssertEqual(p.observations.map(\.flag), ["E", "D"])
    }

    func testMissingColumns() {
        let header = parse("indicator,area,value\nMIG_STOCK,FRA,1\nMIG_STOCK,FRA,2\n")
        XCTAssertEqual(problems(header), ["1|period|missingColumn"])
        XCTAssertEqual(header.rowCount, 2)
        let shortRow = parse("indicator,area,period,value,note\nMIG_STOCK,FRA,2020\nMIG_STOCK,FRA,2021,1,x\n")
        XCTAssertEqual(problems(shortRow), ["2|value|missingColumn"])
    }

    func testTooManyColumns() {
        let p = parse("indicator,area,period,value\nMIG_STOCK,FRA,2020,1,extra\nMIG_STOCK,FRA,2021,1,,\n")
        XCTAssertEqual(problems(p), ["2|column 5|tooManyColumns"])
        XCTAssertEqual(p.observations.count, 1)           // trailing empty fields are tolerated
        let duplicated = parse("indicator,area,period,value,Value\nMIG_STOCK,FRA,2020,1,2\n")
        XCTAssertEqual(problems(duplicated), ["1|Value|tooManyColumns"])
        let unknown = parse("indicator,area,period,value,comments\nMIG_STOCK,FRA,2020,1,x\n")
        XCTAssertEqual(unknown.problems, [])
        XCTAssertEqual(unknown.warnings.map(\.column), ["comments"])
    }

    func testMaxProblemsStopsCollectingButKeepsCounting() {
        var text = "indicator,area,period,value\n"
        for _ in 0..<500 { text += "NOPE,FRA,2020,1\n" }
        let p = parse(text, maxProblems: 25)
        XCTAssertEqual(p.problems.count, 25)
        XCTAssertEqual(p.problemCount, 500)
        XCTAssertEqual(p.rowCount, 500)
        XCTAssertEqual(p.problems.last?.line, 26)
        let none = parse(text, maxProblems: 0)
        XCTAssertEqual(none.problems, [])
        XCTAssertEqual(none.problemCount, 500)
        XCTAssertFalse(none.isImportable)
    }

    func testTrailingUnnamedHeaderColumnsAreTolerated() {
        let p = parse("indicator,area,period,value,,\nMIG_STOCK,FRA,2020,1\nMIG_STOCK,FRA,2021,2,,\nMIG_STOCK,FRA,2022,3,\n")
        XCTAssertEqual(p.problems, [])
        XCTAssertEqual(p.observations.count, 3)
    }
}

// Numbers -----------------------------------------------------------------------------------------

final class NumberTests: XCTestCase {
    func testThousandsSeparatorWarning() {
        let p = parse("indicator,area,period,value\nMIG_STOCK,FRA,2020,\"1,234.5\"\nMIG_STOCK,FRA,2021,\"12,345,678\"\nMIG_STOCK,FRA,2022,99\nMIG_STOCK,FRA,2023,\"1,23\"\n")
        XCTAssertEqual(p.observations.map(\.value), [1234.5, 12_345_678, 99])
        XCTAssertEqual(p.warnings.count, 1)
        XCTAssertEqual(p.warnings[0].line, 2)
        XCTAssertEqual(p.warnings[0].column, "value")
        XCTAssertTrue(p.warnings[0].detail.contains("thousands separator"))
        XCTAssertTrue(p.warnings[0].detail.contains("2 values"))
        XCTAssertEqual(problems(p), ["5|value|notANumber"])
    }

    func testDecimalComma() {
        var rules = testRules
        rules.decimalComma = true
        let p = parse("indicator;area;period;value\nMIG_STOCK;FRA;2020;1.234,5\nMIG_STOCK;FRA;2021;12,5\nMIG_STOCK;FRA;2022; 7 \nMIG_STOCK;FRA;2023;1.5\nMIG_STOCK;FRA;2024;-0,25\n", rules: rules)
        XCTAssertEqual(p.observations.map(\.value), [1234.5, 12.5, 7, -0.25])
        XCTAssertEqual(problems(p), ["5|value|notANumber"])
        XCTAssertEqual(p.warnings.map(\.line), [2])
    }

    func testOtherNumberForms() {
        let p = parse("indicator,area,period,value\nMIG_STOCK,FRA,2020,1e3\nMIG_STOCK,FRA,2021,+7\nMIG_STOCK,FRA,2022,.5\nMIG_STOCK,FRA,2023,1 234\nMIG_STOCK,FRA,2024,inf\nMIG_STOCK,FRA,2025,nan\n")
        XCTAssertEqual(p.observations.map(\.value), [1000, 7, 0.5, 1234])
        XCTAssertEqual(problems(p), ["6|value|notANumber", "7|value|emptyValue"])
    }
}

// Shapes ------------------------------------------------------------------------------------------

final class ShapeTests: XCTestCase {
    func testWideYearsAsColumns() {
        let p = parse("""
        Indicator,Area,Sex,Unit,1990,2000,2010,2020
        MIG_STOCK,FRA,T,persons,5900000,6300000,7200000,8500000
        MIG_STOCK,FRA,F,,2900000,,3700000,-
        MIG_STOCK,DEU,T,,,x,1,
        MIG_STOCK,FRA,T,,1,,,
        """)
        XCTAssertEqual(p.shape, .wide)
        XCTAssertEqual(p.rowCount, 4)
        XCTAssertEqual(problems(p), ["4|2000|notANumber", "5|1990|duplicateKey"])
        XCTAssertTrue(p.problems[1].detail.contains("line 2"))
        XCTAssertEqual(p.observations.count, 7)
        XCTAssertEqual(p.observations[0], Observation(indicator: "MIG_STOCK", area: "FRA", period: "1990", sex: "T", value: 5_900_000))
        XCTAssertEqual(p.observations.filter { $0.sex == "F" }.map(\.period), ["1990", "2010"])
        XCTAssertEqual(p.periods, 1990...2020)
    }

    func testWideThousandsSeparatorsGiveOneWarning() {
        let p = parse("indicator,area,1990,2000\nMIG_STOCK,FRA,\"5,900,000\",\"6,300,000\"\nMIG_STOCK,DEU,\"1,000\",7\n")
        XCTAssertEqual(p.problems, [])
        XCTAssertEqual(p.observations.map(\.value), [5_900_000, 6_300_000, 1000, 7])
        XCTAssertEqual(p.warnings.count, 1)
        XCTAssertEqual(p.warnings[0].line, 2)
        XCTAssertEqual(p.warnings[0].column, "1990")
        XCTAssertTrue(p.warnings[0].detail.contains("3 values"), p.warnings[0].detail)
    }

    func testWideYearOutOfRangeAndBadHeader() {
        let p = parse("indicator,area,1940,2000,2000-13\nMIG_STOCK,FRA,1,2,3\nMIG_STOCK,DEU,1,2,3\n")
        XCTAssertEqual(problems(p), ["1|2000-13|periodInvalid", "2|1940|yearOutOfRange"])
        XCTAssertEqual(p.problemCount, 3)
        XCTAssertEqual(p.observations.map(\.value), [2, 2])
    }

    func testSDMXCSV() {
        let p = parse("""
        DATAFLOW,FREQ,REF_AREA,INDICATOR,SEX,TIME_PERIOD,OBS_VALUE,UNIT_MEASURE,UNIT_MULT,OBS_STATUS,COMMENT
        UNHCR:MIG(1.0),A,FR,MIG_STOCK,_T,2020,8.5,persons,6,A,
        UNHCR:MIG(1.0),A,DE,MIG_STOCK,F,2020-Q1,100,,,E,provisional estimate
        UNHCR:MIG(1.0),A,DE,MIG_STOCK,X,2020,1,,,Z,
        UNHCR:MIG(1.0),A,DE,MIG_STOCK,M,2020,,,,,
        """)
        XCTAssertEqual(p.shape, .sdmx)
        XCTAssertEqual(p.observations, [
            Observation(indicator: "MIG_STOCK", area: "FRA", period: "2020", sex: "T", value: 8_500_000),
            Observation(indicator: "MIG_STOCK", area: "DEU", period: "2020-Q1", sex: "F", value: 100, flag: "E", note: "provisional estimate"),
        ])
        XCTAssertEqual(problems(p), ["4|SEX|sexInvalid", "4|OBS_STATUS|flagInvalid", "5|OBS_VALUE|emptyValue"])
        XCTAssertEqual(p.warnings, [])
    }

    func testSDMXSeriesColumnAndLabels() {
        let p = parse("STRUCTURE_ID;REF_AREA: Reference area;SERIES;TIME_PERIOD;OBS_VALUE\nX;CH: Switzerland;REF_SHARE;2021;3,5\n",
                      rules: { var r = testRules; r.decimalComma = true; return r }())
        XCTAssertEqual(p.shape, .sdmx)
        XCTAssertEqual(p.problems, [])
        XCTAssertEqual(p.observations, [Observation(indicator: "REF_SHARE", area: "CHE", period: "2021", value: 3.5)])
    }

    func testSDMXMissingColumns() {
        let p = parse("DATAFLOW,REF_AREA,TIME_PERIOD,OBS_VALUE\nX,FR,2020,1\n")
        XCTAssertEqual(problems(p), ["1|INDICATOR|missingColumn"])
    }
}

// Performance -------------------------------------------------------------------------------------

/// Deterministic generator for synthetic files.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A valid tidy file with `rows` unique observations.
func syntheticTidy(rows: Int) -> (Data, ImportRules) {
    var areas: [String: String] = [:]
    var codes: [String] = []
    for i in 0..<200 {
        let code = "A" + String(i, radix: 36, uppercase: true).leftPadded(to: 2)
        areas[code] = code
        codes.append(code)
    }
    let rules = ImportRules(
        indicators: [IndicatorSpec(code: "MIG_STOCK", unit: "persons", allowsSex: true, allowsOriginDestination: true),
                     IndicatorSpec(code: "MIG_FLOW", unit: "persons", allowsSex: true, allowsOriginDestination: true)],
        areas: areas, yearRange: 1950...2025)
    var out = [UInt8]()
    out.reserveCapacity(rows * 52)
    out.append(contentsOf: Array("indicator,area,period,sex,origin,value,flag,note\n".utf8))
    var random = SplitMix64(seed: 7)
    var n = 0
    outer: for indicator in ["MIG_STOCK", "MIG_FLOW"] {
        for area in codes {
            for origin in codes {
                for year in stride(from: 1990, through: 2025, by: 5) {
                    for sex in ["T", "F", "M"] {
                        if n == rows { break outer }
                        n += 1
                        let value = Double(random.next() % 10_000_000) / 10
                        let flag = n % 17 == 0 ? "E" : ""
                        let line = "\(indicator),\(area),\(year),\(sex),\(origin),\(value),\(flag),\(n % 1000 == 0 ? "\"census, adjusted\"" : "")\n"
                        out.append(contentsOf: Array(line.utf8))
                    }
                }
            }
        }
    }
    precondition(n == rows, "generator exhausted")
    return (Data(out), rules)
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}

func memoryStatus() -> String {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return "n/a" }
    return status.split(separator: "\n").filter { $0.hasPrefix("VmHWM") || $0.hasPrefix("VmRSS") }
        .map { $0.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ") }
        .joined(separator: ", ")
}

final class PerformanceTests: XCTestCase {
    func test100kRows() {
        let (data, rules) = syntheticTidy(rows: 100_000)
        let start = Date()
        let p = StatImporter.parse(data, rules: rules)
        let seconds = Date().timeIntervalSince(start)
        print(String(format: "[perf] 100,000 rows (%.1f MB): parse+validate %.3f s", Double(data.count) / 1e6, seconds))
        XCTAssertEqual(p.rowCount, 100_000)
        XCTAssertEqual(p.observations.count, 100_000)
        XCTAssertEqual(p.problems, [])
    }

    func test1MillionRowsRelease() throws {
        #if DEBUG
        throw XCTSkip("run with `swift test -c release --filter test1MillionRowsRelease`")
        #else
        print("[perf] before generating: \(memoryStatus())")
        var (data, rules) = syntheticTidy(rows: 1_000_000)
        // Make the last row a duplicate of the first so the full key set is exercised.
        data.append(Data("MIG_STOCK,A00,1990,T,A00,1,,\n".utf8))
        print(String(format: "[perf] input %.1f MB; after generating: %@", Double(data.count) / 1e6, memoryStatus()))
        let start = Date()
        let p = StatImporter.parse(data, rules: rules)
        let seconds = Date().timeIntervalSince(start)
        print(String(format: "[perf] 1,000,001 rows: parse+validate %.3f s; after parse: %@", seconds, memoryStatus()))
        XCTAssertEqual(p.rowCount, 1_000_001)
        XCTAssertEqual(p.observations.count, 1_000_000)
        XCTAssertEqual(problems(p), ["1000002|value|duplicateKey"])
        XCTAssertTrue(p.problems.first?.detail.contains("line 2") ?? false)
        #endif
    }
}
