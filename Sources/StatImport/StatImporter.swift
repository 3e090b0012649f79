import Foundation

/// Entry point: parse and validate a statistical CSV upload.
public enum StatImporter {
    /// Parses `data` (UTF-8 CSV in tidy, wide or SDMX-CSV shape) and validates it against `rules`.
    ///
    /// Never throws and never traps on malformed input; everything wrong with the upload is reported
    /// in the returned preview. At most `maxProblems` problems (and, separately, warnings) are
    /// collected; validation and row counting continue past that limit.
    public static func parse(_ data: Data, rules: ImportRules, maxProblems: Int = 200) -> ImportPreview {
        if let detail = sniffNonText(data) {
            return ImportPreview(shape: .tidy, problems: [ImportProblem(line: 1, column: "", code: .binary, detail: detail)])
        }
        return data.withUnsafeBytes { raw -> ImportPreview in
            let bytes = raw.bindMemory(to: UInt8.self)
            var run = ImportRun(bytes: bytes, rules: rules, maxProblems: max(0, maxProblems))
            return run.execute()
        }
    }

    /// Recognises a few common non-CSV uploads by their signature, for a friendlier message.
    private static func sniffNonText(_ data: Data) -> String? {
        let head = [UInt8](data.prefix(4))
        if head.starts(with: [0xFF, 0xFE]) || head.starts(with: [0xFE, 0xFF]) {
            return "the file is UTF-16 encoded; save it as CSV UTF-8"
        }
        if head.starts(with: [0x50, 0x4B, 0x03, 0x04]) {
            return "this is a ZIP container (probably an Excel .xlsx workbook), not a CSV text file; export the sheet as CSV UTF-8"
        }
        if head.starts(with: [0xD0, 0xCF, 0x11, 0xE0]) {
            return "this is a legacy Excel/Office binary file, not a CSV text file; export the sheet as CSV UTF-8"
        }
        if head.starts(with: [0x25, 0x50, 0x44, 0x46]) {
            return "this is a PDF file, not a CSV text file"
        }
        return nil
    }
}

/// Column roles understood by the importer.
private enum Role: Hashable {
    case indicator, area, period, value, sex, age, origin, destination, counterpart, flag, note, unit, unitMultiplier
    case ignored
}

private struct Layout {
    var indicator = -1, area = -1, period = -1, value = -1, sex = -1, age = -1
    var origin = -1, destination = -1, counterpart = -1, flag = -1, note = -1, unit = -1, unitMultiplier = -1

    subscript(role: Role) -> Int {
        get {
            switch role {
            case .indicator: return indicator
            case .area: return area
            case .period: return period
            case .value: return value
            case .sex: return sex
            case .age: return age
            case .origin: return origin
            case .destination: return destination
            case .counterpart: return counterpart
            case .flag: return flag
            case .note: return note
            case .unit: return unit
            case .unitMultiplier: return unitMultiplier
            case .ignored: return -1
            }
        }
        set {
            switch role {
            case .indicator: indicator = newValue
            case .area: area = newValue
            case .period: period = newValue
            case .value: value = newValue
            case .sex: sex = newValue
            case .age: age = newValue
            case .origin: origin = newValue
            case .destination: destination = newValue
            case .counterpart: counterpart = newValue
            case .flag: flag = newValue
            case .note: note = newValue
            case .unit: unit = newValue
            case .unitMultiplier: unitMultiplier = newValue
            case .ignored: break
            }
        }
    }
}

/// A year (or other period) column of a wide file.
private struct PeriodColumn {
    var index: Int
    var periodID: Int32
    var year: Int
    var inRange: Bool
    var reported = false
}

/// Identity of an observation for duplicate detection, with all parts interned.
private struct ObservationKey: Hashable {
    var indicator: Int32
    var area: Int32
    var period: Int32
    var age: Int32
    var counterpart: Int32
    var sex: UInt8

    // Hash two packed words instead of six fields (equality still compares the fields).
    func hash(into hasher: inout Hasher) {
        hasher.combine(UInt64(UInt32(bitPattern: indicator)) << 32 | UInt64(UInt32(bitPattern: area)))
        hasher.combine(UInt64(UInt32(bitPattern: period)) << 32 | UInt64(UInt32(bitPattern: age)))
        hasher.combine(UInt64(UInt32(bitPattern: counterpart)) << 8 | UInt64(sex))
    }
}

/// Collects problems and warnings up to a limit while counting all of them.
/// A class so that detail messages can be built lazily from the importer's state.
private final class ProblemSink {
    let limit: Int
    var problems: [ImportProblem] = []
    var warnings: [ImportProblem] = []
    var problemCount = 0

    init(limit: Int) { self.limit = limit }

    func problem(_ line: Int, _ column: String, _ code: ImportProblem.Problem, _ detail: @autoclosure () -> String) {
        problemCount += 1
        if problems.count < limit {
            problems.append(ImportProblem(line: line, column: column, code: code, detail: detail()))
        }
    }

    /// Returns the index of the stored warning, or nil if the limit was reached.
    @discardableResult
    func warning(_ line: Int, _ column: String, _ code: ImportProblem.Problem, _ detail: @autoclosure () -> String) -> Int? {
        guard warnings.count < limit else { return nil }
        warnings.append(ImportProblem(line: line, column: column, code: code, detail: detail()))
        return warnings.count - 1
    }
}

/// Interns strings to small integer ids.
private struct Interner {
    private(set) var names: [String] = []
    private var ids: [String: Int32] = [:]

    mutating func id(_ name: String) -> Int32 {
        if let id = ids[name] { return id }
        let id = Int32(names.count)
        names.append(name)
        ids[name] = id
        return id
    }
}

/// Dimension values of one row, resolved.
private struct RowDimensions {
    var indicator: Int32 = -1          // index into specs; -1 unknown
    var area: Int32 = -1
    var sex: UInt8 = 0
    var sexValid = true
    var age: Int32 = 0
    var counterpart: Int32 = -1        // area id; -1 none
    var counterpartValid = true
    var multiplier = 0
    var flag = ""
    var note = ""
    var hasProblem = false
}

private struct ImportRun {
    // Input and rules.
    private var reader: CSVReader
    private let rules: ImportRules
    private let specs: [IndicatorSpec]
    private let specUnits: [String]
    private let indicatorLookup: [String: Int32]
    private let areaLookup: [String: String]

    // Output.
    private let sink: ProblemSink
    private var shape: ImportPreview.Shape = .tidy
    private var observations: [Observation] = []
    private var rowCount = 0
    private var usedIndicators: [Bool]
    private var usedAreas: [Bool] = []
    private var minYear = Int.max, maxYear = Int.min

    // Header.
    private var headerLine = 1
    private var header: [String] = []
    /// Header length without trailing unnamed columns (rows may omit those).
    private var namedColumnCount = 0
    private var layout = Layout()
    private var periodColumns: [PeriodColumn] = []

    // Interning and caches (keyed by the raw cell text).
    private static let cacheLimit = 50_000
    private var areas = Interner()
    private var periods = Interner()
    private var periodYears: [Int] = []
    private var ages = Interner()
    private var indicatorCache: [String: Int32] = [:]
    private var areaCache: [String: Int32] = [:]
    private var periodCache: [String: Int32] = [:]       // -1 invalid
    private var sexCache: [String: UInt8] = [:]          // 255 invalid
    private var ageCache: [String: Int32] = [:]
    private var unitCache: [String: String] = [:]
    private var flagCache: [String: String] = [:]        // "?" invalid
    private var seen: [ObservationKey: Int] = [:]
    /// Thousands-separator warnings, one per column: column index -> (warning index, count).
    private var groupingWarnings: [Int: (index: Int, count: Int)] = [:]

    init(bytes: UnsafeBufferPointer<UInt8>, rules: ImportRules, maxProblems: Int) {
        reader = CSVReader(bytes: bytes)
        self.rules = rules
        sink = ProblemSink(limit: maxProblems)
        var specs: [IndicatorSpec] = []
        var lookup: [String: Int32] = [:]
        for key in rules.indicators.keys.sorted() {
            var spec = rules.indicators[key]!
            if spec.code.isEmpty { spec.code = key }
            let id = Int32(specs.count)
            specs.append(spec)
            lookup[key.trimmedCell.uppercased()] = id
            if lookup[spec.code.uppercased()] == nil { lookup[spec.code.uppercased()] = id }
        }
        self.specs = specs
        specUnits = specs.map { FieldParsers.normalizedUnit($0.unit) }
        indicatorLookup = lookup
        var areaLookup: [String: String] = [:]
        for (spelling, canonical) in rules.areas {
            areaLookup[spelling.trimmedCell.uppercased()] = canonical
        }
        // A canonical code is always an accepted spelling of itself.
        for canonical in rules.areas.values where areaLookup[canonical.uppercased()] == nil {
            areaLookup[canonical.uppercased()] = canonical
        }
        self.areaLookup = areaLookup
        usedIndicators = Array(repeating: false, count: specs.count)
        _ = ages.id("")
    }

    // MARK: - Driver

    mutating func execute() -> ImportPreview {
        var fields: [String] = []
        fields.reserveCapacity(32)
        var headerDone = false
        var usable = false

        loop: while true {
            switch reader.next(into: &fields) {
            case .end:
                break loop
            case .failure(let failure):
                return ImportPreview(shape: shape, problems: [ImportProblem(line: failure.line, column: "", code: .binary, detail: failure.detail)])
            case .record(let line):
                if isBlank(fields) { continue loop }
                if !headerDone {
                    headerDone = true
                    headerLine = line
                    usable = readHeader(fields, line: line)
                    continue loop
                }
                rowCount += 1
                if usable {
                    if rowCount == ImportRun.sampleRows { reserveForEstimatedSize() }
                    processRow(fields, line: line)
                }
            }
        }

        if let open = reader.unterminatedQuote {
            let column = open.recordLine == headerLine ? "" : columnName(open.field)
            let swallowed = reader.currentLine - open.quoteLine
            sink.problem(open.recordLine, column, .missingColumn,
                         "a quoted field opened on line \(open.quoteLine) is never closed, so the rest of the file (\(swallowed) more line\(swallowed == 1 ? "" : "s")) was read as part of it; check for a missing closing quote")
        }
        if !headerDone {
            sink.problem(1, "", .empty, "the file contains no data (no header and no rows)")
        } else if rowCount == 0 {
            sink.problem(headerLine, "", .empty, "the file has a header but no data rows")
        } else if usable && observations.isEmpty && sink.problemCount == 0 {
            sink.problem(headerLine, "", .empty, "no values were found in the file")
        }
        finishGroupingWarnings()
        return makePreview()
    }

    /// After a sample of rows, reserve storage for the whole file in one go: this avoids repeated
    /// re-allocation (and the memory peaks it causes) for large uploads.
    private static let sampleRows = 512

    private mutating func reserveForEstimatedSize() {
        let consumed = reader.bytesRead
        guard consumed > 0, observations.count > 0 else { return }
        let estimatedRows = Double(reader.byteCount) / Double(consumed) * Double(rowCount) * 1.02
        let perRow = Double(observations.count + sink.problemCount) / Double(rowCount)
        let estimated = Int(min(estimatedRows * perRow, 50_000_000))
        if estimated > observations.capacity { observations.reserveCapacity(estimated) }
        if estimated > seen.capacity { seen.reserveCapacity(estimated) }
    }

    private func isBlank(_ fields: [String]) -> Bool {
        for field in fields where !field.trimmedCell.isEmpty { return false }
        return true
    }

    private func columnName(_ index: Int) -> String {
        if index < header.count, !header[index].isEmpty { return header[index] }
        return "column \(index + 1)"
    }

    private func makePreview() -> ImportPreview {
        var indicatorSet = Set<String>()
        for (i, used) in usedIndicators.enumerated() where used { indicatorSet.insert(specs[i].code) }
        var areaSet = Set<String>()
        for (i, used) in usedAreas.enumerated() where used { areaSet.insert(areas.names[i]) }
        return ImportPreview(shape: shape, observations: observations, problems: sink.problems,
                             warnings: sink.warnings, rowCount: rowCount, indicators: indicatorSet,
                             areas: areaSet, periods: minYear <= maxYear ? minYear...maxYear : nil,
                             problemCount: sink.problemCount)
    }

    // MARK: - Header and shape

    private static let tidyRoles: [String: Role] = [
        "indicator": .indicator, "area": .area, "period": .period, "year": .period, "value": .value,
        "sex": .sex, "age": .age, "origin": .origin, "destination": .destination, "counterpart": .counterpart,
        "flag": .flag, "note": .note, "unit": .unit, "unit_multiplier": .unitMultiplier,
    ]

    private static let sdmxRoles: [String: Role] = [
        "ref_area": .area, "indicator": .indicator, "series": .indicator, "time_period": .period,
        "obs_value": .value, "sex": .sex, "age": .age, "counterpart_area": .counterpart,
        "unit_measure": .unit, "unit_mult": .unitMultiplier, "obs_status": .flag,
        "comment": .note, "obs_comment": .note, "comment_obs": .note,
        // Structural/technical SDMX columns that carry nothing for the observation model.
        "dataflow": .ignored, "structure": .ignored, "structure_id": .ignored, "action": .ignored,
        "freq": .ignored, "decimals": .ignored, "time_format": .ignored, "obs_conf": .ignored,
    ]

    private static func normalizedHeader(_ raw: String) -> String {
        var name = raw.trimmedCell
        if name.contains(":") { name = name.sdmxCodePart }   // SDMX "REF_AREA: Reference area"
        var out = ""
        for ch in name.lowercased() {
            out.append(ch == " " || ch == "-" ? "_" : ch)
        }
        return out
    }

    /// Reads the header; returns false when rows cannot be validated (required columns missing).
    private mutating func readHeader(_ fields: [String], line: Int) -> Bool {
        // Column names appear in every problem: kept short whatever the file holds.
        header = fields.map { $0.trimmedCell.excerpt }
        namedColumnCount = (header.lastIndex(where: { !$0.isEmpty }) ?? -1) + 1
        let names = fields.map(ImportRun.normalizedHeader)

        let sdmxMarkers: Set<String> = ["dataflow", "obs_value", "time_period", "ref_area", "structure_id"]
        let hasTidyTime = names.contains("period") || names.contains("year") || names.contains("value")
        if names.contains(where: sdmxMarkers.contains) {
            shape = .sdmx
        } else if !hasTidyTime && names.contains(where: { FieldParsers.period($0) != nil }) {
            shape = .wide
        } else {
            shape = .tidy
        }

        let roles = shape == .sdmx ? ImportRun.sdmxRoles : ImportRun.tidyRoles
        var fatal = false
        for (index, name) in names.enumerated() {
            if name.isEmpty { continue }
            if shape == .wide, FieldParsers.looksLikePeriod(name) {
                if let period = FieldParsers.period(name) {
                    let id = periods.id(period.canonical)
                    if Int(id) == periodYears.count { periodYears.append(period.year) }
                    if let other = periodColumns.first(where: { $0.periodID == id }) {
                        sink.problem(line, header[index], .tooManyColumns,
                                     "period column '\(header[index])' repeats column \(other.index + 1) ('\(header[other.index])')")
                        fatal = true
                    }
                    periodColumns.append(PeriodColumn(index: index, periodID: id, year: period.year,
                                                      inRange: rules.yearRange.contains(period.year)))
                } else {
                    sink.problem(line, header[index], .periodInvalid,
                                 "column heading '\(header[index])' is not a valid period (use yyyy, yyyy-Qn or yyyy-mm)")
                }
                continue
            }
            var role = roles[name]
            if shape == .sdmx && name == "series" && names.contains("indicator") { role = .ignored }
            if shape == .wide && (role == .period || role == .value) { role = nil }
            guard let role else {
                sink.warning(line, header[index], .tooManyColumns, "column '\(header[index])' is not recognised and was ignored")
                continue
            }
            if role == .ignored { continue }
            let existing = layout[role]
            if existing >= 0 {
                sink.problem(line, header[index], .tooManyColumns,
                             "column '\(header[index])' has the same meaning as column \(existing + 1) ('\(header[existing])')")
                fatal = true
                continue
            }
            layout[role] = index
        }

        // Required columns.
        let required: [(Role, String)]
        switch shape {
        case .tidy: required = [(.indicator, "indicator"), (.area, "area"), (.period, "period"), (.value, "value")]
        case .wide: required = [(.indicator, "indicator"), (.area, "area")]
        case .sdmx: required = [(.area, "REF_AREA"), (.indicator, "INDICATOR"), (.period, "TIME_PERIOD"), (.value, "OBS_VALUE")]
        }
        for (role, name) in required where layout[role] < 0 {
            sink.problem(line, name, .missingColumn, "required column '\(name)' is missing from the header")
            fatal = true
        }
        if shape == .wide && periodColumns.isEmpty {
            sink.problem(line, "period", .missingColumn, "no period columns (such as 2000, 2010) in the header")
            fatal = true
        }
        return !fatal
    }

    // MARK: - Rows

    private mutating func processRow(_ fields: [String], line: Int) {
        if fields.count < namedColumnCount {
            let missing = fields.count
            sink.problem(line, columnName(missing), .missingColumn,
                         "the row has \(fields.count) field\(fields.count == 1 ? "" : "s") but the header has \(namedColumnCount) columns; '\(columnName(missing))' and any later columns are missing")
            return
        }
        if fields.count > header.count {
            var extra = 0
            for k in header.count..<fields.count where !fields[k].trimmedCell.isEmpty { extra += 1 }
            if extra > 0 {
                sink.problem(line, "column \(header.count + 1)", .tooManyColumns,
                             "the row has \(fields.count) fields but the header has only \(header.count) columns")
                return
            }
        }

        var dims = resolveDimensions(fields, line: line)

        if shape == .wide {
            for c in periodColumns.indices {
                let column = periodColumns[c]
                let raw = fields[column.index]
                let text = raw.trimmedCell
                if FieldParsers.isMissingMarker(text) { continue }
                if !column.inRange {
                    if !periodColumns[c].reported {
                        periodColumns[c].reported = true
                        sink.problem(line, header[column.index], .yearOutOfRange,
                                     "year \(column.year) is outside the accepted range \(rules.yearRange.lowerBound)–\(rules.yearRange.upperBound) (reported once for this column)")
                    } else {
                        sink.problemCount += 1
                    }
                    continue
                }
                let value = readValue(text, dims: dims, column: column.index, line: line, missingIsProblem: false)
                record(dims: &dims, periodID: column.periodID, year: column.year, value: value,
                       valueColumn: column.index, line: line, hasProblem: dims.hasProblem || value == nil)
            }
            return
        }

        // Tidy and SDMX: one observation per row.
        var rowProblem = dims.hasProblem
        var periodID: Int32 = -1
        var year = 0
        let rawPeriod = fields[layout.period]
        if let cached = periodCache[rawPeriod] {
            periodID = cached
        } else {
            if let period = FieldParsers.period(rawPeriod.trimmedCell) {
                periodID = periods.id(period.canonical)
                if Int(periodID) == periodYears.count { periodYears.append(period.year) }
            }
            if periodCache.count < ImportRun.cacheLimit { periodCache[rawPeriod] = periodID }
        }
        if periodID < 0 {
            let text = rawPeriod.trimmedCell
            sink.problem(line, header[layout.period], .periodInvalid,
                         text.isEmpty ? "the period is empty" : "'\(text.excerpt)' is not a valid period (use yyyy, yyyy-Qn or yyyy-mm)")
            rowProblem = true
        } else {
            year = periodYears[Int(periodID)]
            if !rules.yearRange.contains(year) {
                sink.problem(line, header[layout.period], .yearOutOfRange,
                             "year \(year) is outside the accepted range \(rules.yearRange.lowerBound)–\(rules.yearRange.upperBound)")
                rowProblem = true
                periodID = -1
            }
        }
        let value = readValue(fields[layout.value].trimmedCell, dims: dims, column: layout.value, line: line, missingIsProblem: true)
        if value == nil { rowProblem = true }
        record(dims: &dims, periodID: periodID, year: year, value: value, valueColumn: layout.value, line: line, hasProblem: rowProblem)
    }

    /// Checks for a duplicate and appends the observation if everything is valid.
    @discardableResult
    private mutating func record(dims: inout RowDimensions, periodID: Int32, year: Int, value: Double?,
                                 valueColumn: Int, line: Int, hasProblem: Bool) -> Bool {
        var hasProblem = hasProblem
        if dims.indicator >= 0 && dims.area >= 0 && periodID >= 0 && dims.sexValid && dims.counterpartValid {
            let key = ObservationKey(indicator: dims.indicator, area: dims.area, period: periodID,
                                     age: dims.age, counterpart: dims.counterpart, sex: dims.sex)
            if let first = seen[key] {
                sink.problem(line, header[valueColumn], .duplicateKey,
                             "duplicate of line \(first): same indicator, area, period, sex, age and counterpart (\(describe(key)))")
                hasProblem = true
            } else {
                seen[key] = line
            }
        }
        guard !hasProblem, let value else { return false }
        let spec = specs[Int(dims.indicator)]
        observations.append(Observation(
            indicator: spec.code,
            area: areas.names[Int(dims.area)],
            period: periods.names[Int(periodID)],
            sex: FieldParsers.sexCodes[Int(dims.sex)],
            age: ages.names[Int(dims.age)],
            counterpart: dims.counterpart >= 0 ? areas.names[Int(dims.counterpart)] : "",
            value: value,
            flag: dims.flag,
            note: dims.note))
        usedIndicators[Int(dims.indicator)] = true
        markArea(dims.area)
        if year < minYear { minYear = year }
        if year > maxYear { maxYear = year }
        return true
    }

    private mutating func markArea(_ id: Int32) {
        let i = Int(id)
        if i >= usedAreas.count { usedAreas.append(contentsOf: repeatElement(false, count: i - usedAreas.count + 1)) }
        usedAreas[i] = true
    }

    private func describe(_ key: ObservationKey) -> String {
        var parts = [specs[Int(key.indicator)].code, areas.names[Int(key.area)], periods.names[Int(key.period)],
                     FieldParsers.sexCodes[Int(key.sex)]]
        if key.age != 0 { parts.append("age " + ages.names[Int(key.age)]) }
        if key.counterpart >= 0 { parts.append("counterpart " + areas.names[Int(key.counterpart)]) }
        return parts.joined(separator: " / ")
    }

    /// Parses a value cell. Returns nil (after reporting, where appropriate) when there is no usable value.
    private mutating func readValue(_ text: String, dims: RowDimensions, column: Int, line: Int, missingIsProblem: Bool) -> Double? {
        if FieldParsers.isMissingMarker(text) {
            if missingIsProblem {
                sink.problem(line, header[column], .emptyValue,
                             text.isEmpty ? "the value is empty" : "'\(text.excerpt)' marks a missing value; leave such rows out of the upload")
            }
            return nil
        }
        switch FieldParsers.number(text, decimalComma: rules.decimalComma, multiplier: dims.multiplier) {
        case .invalid(let hint):
            sink.problem(line, header[column], .notANumber, "'\(text.excerpt)' is not a number (\(hint))")
            return nil
        case .value(let value, let grouped):
            if grouped { noteGrouping(column: column, line: line, text: text, value: value) }
            return value
        }
    }

    private mutating func noteGrouping(column: Int, line: Int, text: String, value: Double) {
        let key = shape == .wide ? -1 : column
        if var entry = groupingWarnings[key] {
            entry.count += 1
            groupingWarnings[key] = entry
        } else if let index = sink.warning(line, header[column], .notANumber,
                                           "thousands separator: '\(text.excerpt)' was read as \(format(value))") {
            groupingWarnings[key] = (index, 1)
        }
    }

    private mutating func finishGroupingWarnings() {
        for (_, entry) in groupingWarnings where entry.count > 1 {
            let scope = shape == .wide ? "the period columns" : "this column"
            sink.warnings[entry.index].detail += " (thousands separators were found in \(entry.count) values in \(scope))"
        }
    }

    private func format(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }

    // MARK: - Dimensions

    private mutating func resolveDimensions(_ fields: [String], line: Int) -> RowDimensions {
        var dims = RowDimensions()
        let sdmx = shape == .sdmx

        // Indicator.
        let rawIndicator = fields[layout.indicator]
        if let cached = indicatorCache[rawIndicator] {
            dims.indicator = cached
        } else {
            var code = rawIndicator.trimmedCell
            if sdmx { code = code.sdmxCodePart }
            let id = indicatorLookup[code.uppercased()] ?? -1
            if indicatorCache.count < ImportRun.cacheLimit { indicatorCache[rawIndicator] = id }
            dims.indicator = id
        }
        let spec: IndicatorSpec? = dims.indicator >= 0 ? specs[Int(dims.indicator)] : nil
        if dims.indicator < 0 {
            let text = rawIndicator.trimmedCell
            sink.problem(line, header[layout.indicator], .unknownIndicator,
                         text.isEmpty ? "the indicator code is empty" : "'\(text.excerpt)' is not a known indicator code")
            dims.hasProblem = true
        }

        // Area.
        dims.area = resolveArea(fields[layout.area])
        if dims.area < 0 {
            let text = fields[layout.area].trimmedCell
            sink.problem(line, header[layout.area], .unknownArea,
                         text.isEmpty ? "the area code is empty" : "'\(text.excerpt)' is not a known area code")
            dims.hasProblem = true
        }

        // Sex.
        if layout.sex >= 0 {
            let raw = fields[layout.sex]
            let code: UInt8
            if let cached = sexCache[raw] {
                code = cached
            } else {
                var text = raw.trimmedCell
                if sdmx { text = text.sdmxCodePart }
                code = FieldParsers.sex(text) ?? 255
                if sexCache.count < ImportRun.cacheLimit { sexCache[raw] = code }
            }
            if code == 255 {
                sink.problem(line, header[layout.sex], .sexInvalid, "'\(raw.trimmedCell.excerpt)' is not a valid sex (use F, M or T)")
                dims.sexValid = false
                dims.hasProblem = true
            } else {
                dims.sex = code
                if code != 0, let spec, !spec.allowsSex {
                    sink.problem(line, header[layout.sex], .sexInvalid,
                                 "indicator \(spec.code) is not broken down by sex; only T (total) is allowed")
                    dims.sexValid = false
                    dims.hasProblem = true
                }
            }
        }

        // Age (free label).
        if layout.age >= 0 {
            let raw = fields[layout.age]
            if let cached = ageCache[raw] {
                dims.age = cached
            } else if let scalar = raw.firstControlCharacter {
                sink.problem(line, header[layout.age], .controlCharacter, "the age group contains the control character \(scalar.codeNotation); remove it")
                dims.hasProblem = true
            } else {
                let id = ages.id(raw.trimmedCell)
                if ageCache.count < ImportRun.cacheLimit { ageCache[raw] = id }
                dims.age = id
            }
        }

        resolveCounterpart(fields, line: line, spec: spec, dims: &dims)

        // Unit.
        if layout.unit >= 0 {
            let raw = fields[layout.unit]
            let normalized: String
            if let cached = unitCache[raw] {
                normalized = cached
            } else {
                normalized = FieldParsers.normalizedUnit(sdmx ? raw.trimmedCell.sdmxCodePart : raw)
                if unitCache.count < ImportRun.cacheLimit { unitCache[raw] = normalized }
            }
            if !normalized.isEmpty, let spec, !specUnits[Int(dims.indicator)].isEmpty,
               normalized != specUnits[Int(dims.indicator)] {
                sink.problem(line, header[layout.unit], .unitMismatch,
                             "unit '\(raw.trimmedCell.excerpt)' differs from the unit of \(spec.code) ('\(spec.unit)')")
                dims.hasProblem = true
            }
        }

        // Unit multiplier.
        if layout.unitMultiplier >= 0 {
            var text = fields[layout.unitMultiplier].trimmedCell
            if sdmx { text = text.sdmxCodePart }
            if let multiplier = FieldParsers.unitMultiplier(text) {
                dims.multiplier = multiplier
            } else {
                sink.problem(line, header[layout.unitMultiplier], .unitMismatch,
                             "'\(text.excerpt)' is not an accepted unit multiplier (0, 3, 6 or 9)")
                dims.hasProblem = true
            }
        }

        // Flag.
        if layout.flag >= 0 {
            let raw = fields[layout.flag]
            let flag: String
            if let cached = flagCache[raw] {
                flag = cached
            } else {
                var text = raw.trimmedCell
                if sdmx { text = text.sdmxCodePart }
                flag = FieldParsers.flag(text, sdmx: sdmx) ?? "?"
                if flagCache.count < ImportRun.cacheLimit { flagCache[raw] = flag }
            }
            if flag == "?" {
                sink.problem(line, header[layout.flag], .flagInvalid,
                             "'\(raw.trimmedCell.excerpt)' is not a valid flag (use E estimate, P provisional, B break or D derived)")
                dims.hasProblem = true
            } else {
                dims.flag = flag
            }
        }

        if layout.note >= 0 {
            dims.note = fields[layout.note].trimmedCell
            if let scalar = dims.note.firstControlCharacter {
                sink.problem(line, header[layout.note], .controlCharacter, "the note contains the control character \(scalar.codeNotation); remove it")
                dims.hasProblem = true
            }
        }
        return dims
    }

    /// Area id for a raw cell, or -1 if unknown or empty.
    private mutating func resolveArea(_ raw: String) -> Int32 {
        if let cached = areaCache[raw] { return cached }
        var code = raw.trimmedCell
        if shape == .sdmx { code = code.sdmxCodePart }
        var id: Int32 = -1
        if let canonical = areaLookup[code.uppercased()] { id = areas.id(canonical) }
        if areaCache.count < ImportRun.cacheLimit { areaCache[raw] = id }
        return id
    }

    private mutating func resolveCounterpart(_ fields: [String], line: Int, spec: IndicatorSpec?, dims: inout RowDimensions) {
        // Up to three columns may name the counterpart; resolve without allocating.
        var firstColumn = -1, firstID: Int32 = -1
        var secondColumn = -1, secondID: Int32 = -1
        var given = 0
        for k in 0..<3 {
            let column = k == 0 ? layout.origin : (k == 1 ? layout.destination : layout.counterpart)
            if column < 0 { continue }
            let raw = fields[column]
            if raw.trimmedCell.isEmpty { continue }
            let id = resolveArea(raw)
            if id < 0 {
                sink.problem(line, header[column], .unknownCounterpart, "'\(raw.trimmedCell.excerpt)' is not a known area code")
                dims.counterpartValid = false
                dims.hasProblem = true
                continue
            }
            given += 1
            if firstColumn < 0 { firstColumn = column; firstID = id } else if id != firstID { secondColumn = column; secondID = id }
        }
        guard dims.counterpartValid, given > 0 else { return }
        if let spec, !spec.allowsOriginDestination {
            sink.problem(line, header[firstColumn], .unknownCounterpart,
                         "indicator \(spec.code) is not a bilateral series; origin/destination must be empty")
            dims.counterpartValid = false
            dims.hasProblem = true
            return
        }
        if secondColumn < 0 {
            // One counterpart (or the same area given in several columns).
            dims.counterpart = firstID
        } else if firstID == dims.area {
            dims.counterpart = secondID        // e.g. origin = other country, destination = the area itself
        } else if secondID == dims.area {
            dims.counterpart = firstID
        } else {
            sink.problem(line, header[secondColumn], .unknownCounterpart,
                         "origin and destination are both given and neither equals the area; give only the counterpart")
            dims.counterpartValid = false
            dims.hasProblem = true
        }
    }
}
