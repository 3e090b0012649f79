import Foundation

/// Description of one indicator the statistics centre accepts.
public struct IndicatorSpec: Sendable, Equatable, Hashable {
    /// Canonical indicator code, e.g. `"MIG_STOCK"`.
    public var code: String
    /// Expected unit, e.g. `"persons"` or `"%"`. Empty means "any unit is accepted".
    public var unit: String
    /// Whether observations may be broken down by sex (F/M). Totals (T) are always allowed.
    public var allowsSex: Bool
    /// Whether observations may carry an origin/destination counterpart area (bilateral series).
    public var allowsOriginDestination: Bool

    public init(code: String, unit: String = "", allowsSex: Bool = true, allowsOriginDestination: Bool = false) {
        self.code = code
        self.unit = unit
        self.allowsSex = allowsSex
        self.allowsOriginDestination = allowsOriginDestination
    }
}

/// The reference data an upload is validated against.
public struct ImportRules: Sendable {
    /// Known indicators. Keys are looked up case-insensitively; the spec's `code` is the canonical code.
    public var indicators: [String: IndicatorSpec]
    /// Any accepted area spelling (ISO 3166 alpha-2, alpha-3, regional code), upper-cased, mapped to its canonical code.
    public var areas: [String: String]
    /// Accepted reference years (inclusive).
    public var yearRange: ClosedRange<Int>
    /// When true, numbers are read as `1.234,5` (comma = decimal mark, dot = thousands separator).
    public var decimalComma: Bool = false

    public init(indicators: [String: IndicatorSpec],
                areas: [String: String],
                yearRange: ClosedRange<Int> = 1950...ImportRules.currentYear,
                decimalComma: Bool = false) {
        self.indicators = indicators
        self.areas = areas
        self.yearRange = yearRange
        self.decimalComma = decimalComma
    }

    /// Convenience: indicators keyed by their own code.
    public init(indicators: [IndicatorSpec],
                areas: [String: String],
                yearRange: ClosedRange<Int> = 1950...ImportRules.currentYear,
                decimalComma: Bool = false) {
        var table: [String: IndicatorSpec] = [:]
        for spec in indicators { table[spec.code] = spec }
        self.init(indicators: table, areas: areas, yearRange: yearRange, decimalComma: decimalComma)
    }

    /// The current calendar year (Gregorian, UTC).
    public static var currentYear: Int {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        return calendar.component(.year, from: Date())
    }
}

/// One validated data point.
public struct Observation: Sendable, Equatable, Hashable {
    public var indicator: String
    public var area: String
    /// Canonical period: `yyyy`, `yyyy-Qn` or `yyyy-mm`.
    public var period: String
    /// `"T"`, `"F"` or `"M"`.
    public var sex: String
    public var age: String
    /// Origin/destination area for bilateral series, or `""`.
    public var counterpart: String
    /// Value, already scaled by any unit multiplier.
    public var value: Double
    /// `""`, `"E"`, `"P"`, `"B"` or `"D"`.
    public var flag: String
    public var note: String

    public init(indicator: String, area: String, period: String, sex: String = "T", age: String = "",
                counterpart: String = "", value: Double, flag: String = "", note: String = "") {
        self.indicator = indicator
        self.area = area
        self.period = period
        self.sex = sex
        self.age = age
        self.counterpart = counterpart
        self.value = value
        self.flag = flag
        self.note = note
    }
}

/// A problem (or warning) tied to a CSV record and column.
public struct ImportProblem: Sendable, Equatable, CustomStringConvertible {
    /// 1-based physical line on which the CSV record starts (the header is usually line 1).
    public var line: Int
    /// Column name as written in the header (or the expected name for a missing column).
    public var column: String
    public var code: Problem
    public var detail: String

    public enum Problem: String, Sendable {
        case unknownIndicator, unknownArea, unknownCounterpart, notANumber, emptyValue, periodInvalid,
             yearOutOfRange, duplicateKey, unitMismatch, sexInvalid, flagInvalid, missingColumn, binary,
             empty, tooManyColumns, controlCharacter
    }

    public init(line: Int, column: String, code: Problem, detail: String) {
        self.line = line
        self.column = column
        self.code = code
        self.detail = detail
    }

    public var description: String {
        let where_ = column.isEmpty ? "line \(line)" : "line \(line), column \(column)"
        return "\(where_): \(code.rawValue) – \(detail)"
    }
}

/// What an upload would import. Import is all-or-nothing: callers should refuse the upload
/// whenever `problems` is non-empty.
public struct ImportPreview: Sendable {
    public var shape: Shape
    /// Observations from rows without problems.
    public var observations: [Observation]
    /// At most `maxProblems` problems, in file order.
    public var problems: [ImportProblem]
    /// At most `maxProblems` warnings (the data was accepted, but a human should look).
    public var warnings: [ImportProblem]
    /// Number of non-blank data records after the header (rows, not observations).
    public var rowCount: Int
    public var indicators: Set<String>
    public var areas: Set<String>
    /// Smallest...largest year among accepted observations.
    public var periods: ClosedRange<Int>?
    /// Total number of problems found, including those beyond `maxProblems` that were not collected.
    public var problemCount: Int

    public enum Shape: String, Sendable { case tidy, wide, sdmx }

    public init(shape: Shape, observations: [Observation] = [], problems: [ImportProblem] = [],
                warnings: [ImportProblem] = [], rowCount: Int = 0, indicators: Set<String> = [],
                areas: Set<String> = [], periods: ClosedRange<Int>? = nil, problemCount: Int? = nil) {
        self.shape = shape
        self.observations = observations
        self.problems = problems
        self.warnings = warnings
        self.rowCount = rowCount
        self.indicators = indicators
        self.areas = areas
        self.periods = periods
        self.problemCount = problemCount ?? problems.count
    }

    /// True when the upload has data and no problems (also those beyond `maxProblems`).
    public var isImportable: Bool { problemCount == 0 && !observations.isEmpty }
}
