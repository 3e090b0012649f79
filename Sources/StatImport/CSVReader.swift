import Foundation

/// Why the byte stream cannot be read as UTF-8 text.
struct CSVReadFailure: Error, Sendable {
    var line: Int
    var detail: String
}

/// A tolerant RFC 4180 reader working directly on a byte buffer, one record at a time.
///
/// * UTF-8 BOM is skipped; line ends may be CRLF, LF or CR.
/// * The delimiter (comma, semicolon or tab) is chosen from the header line.
/// * Quoted fields may contain delimiters, doubled quotes and line breaks.
/// * Leniencies: blanks before an opening quote are ignored; text after a closing quote is kept;
///   a stray quote inside an unquoted field is literal; an unterminated quote runs to end of input
///   (reported through `unterminatedQuote`).
/// * UTF-8 is validated on the fly; a NUL byte or an invalid sequence stops reading with a failure.
struct CSVReader {
    enum Step {
        /// A record was read into the fields array; `line` is its first physical line (1-based).
        case record(line: Int)
        case end
        case failure(CSVReadFailure)
    }

    private static let quote: UInt8 = 0x22
    private static let lf: UInt8 = 0x0A
    private static let cr: UInt8 = 0x0D

    private let bytes: UnsafeBufferPointer<UInt8>
    let delimiter: UInt8
    private var position: Int
    private var line = 1
    private var scratch: [UInt8] = []
    /// (record line, field index, line of the opening quote) of a quoted field that never closed.
    private(set) var unterminatedQuote: (recordLine: Int, field: Int, quoteLine: Int)?

    init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
        var start = 0
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { start = 3 }
        position = start
        delimiter = CSVReader.detectDelimiter(bytes, from: start)
    }

    var delimiterName: String {
        switch delimiter {
        case 0x3B: return "semicolon"
        case 0x09: return "tab"
        default: return "comma"
        }
    }

    /// Counts comma, semicolon and tab outside quotes on the first non-blank line; the most frequent wins
    /// (ties: comma, then semicolon, then tab).
    static func detectDelimiter(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> UInt8 {
        var i = start
        let n = bytes.count
        // Skip leading blank lines.
        while i < n, bytes[i] == lf || bytes[i] == cr || bytes[i] == 0x20 { i += 1 }
        var comma = 0, semicolon = 0, tab = 0
        var inQuotes = false
        while i < n {
            let b = bytes[i]
            if b == quote {
                inQuotes.toggle()
            } else if !inQuotes {
                if b == lf || b == cr { break }
                if b == 0x2C { comma += 1 } else if b == 0x3B { semicolon += 1 } else if b == 0x09 { tab += 1 }
            }
            i += 1
        }
        if semicolon > comma && semicolon >= tab { return 0x3B }
        if tab > comma && tab > semicolon { return 0x09 }
        return 0x2C
    }

    /// Length of the valid UTF-8 sequence starting at `i` (lead byte >= 0x80), or nil.
    @inline(__always)
    private func utf8SequenceLength(at i: Int) -> Int? {
        let n = bytes.count
        let b0 = bytes[i]
        @inline(__always) func cont(_ k: Int, _ lo: UInt8 = 0x80, _ hi: UInt8 = 0xBF) -> Bool {
            k < n && bytes[k] >= lo && bytes[k] <= hi
        }
        switch b0 {
        case 0xC2...0xDF:
            return cont(i + 1) ? 2 : nil
        case 0xE0:
            return cont(i + 1, 0xA0, 0xBF) && cont(i + 2) ? 3 : nil
        case 0xE1...0xEC, 0xEE...0xEF:
            return cont(i + 1) && cont(i + 2) ? 3 : nil
        case 0xED:
            return cont(i + 1, 0x80, 0x9F) && cont(i + 2) ? 3 : nil
        case 0xF0:
            return cont(i + 1, 0x90, 0xBF) && cont(i + 2) && cont(i + 3) ? 4 : nil
        case 0xF1...0xF3:
            return cont(i + 1) && cont(i + 2) && cont(i + 3) ? 4 : nil
        case 0xF4:
            return cont(i + 1, 0x80, 0x8F) && cont(i + 2) && cont(i + 3) ? 4 : nil
        default:
            return nil
        }
    }

    private func invalidByte(at i: Int) -> CSVReadFailure {
        let b = bytes[i]
        if b == 0 {
            return CSVReadFailure(line: line, detail: "NUL byte at offset \(i) (line \(line)): this is a binary file, not a UTF-8 CSV text file")
        }
        let hex = String(b, radix: 16, uppercase: true)
        return CSVReadFailure(line: line, detail: "invalid UTF-8 byte 0x\(hex.count == 1 ? "0" + hex : hex) at offset \(i) (line \(line)): the file is binary or uses a legacy encoding such as Windows-1252; save it as CSV UTF-8")
    }

    /// Reads the next record into `fields` (cleared first).
    mutating func next(into fields: inout [String]) -> Step {
        fields.removeAll(keepingCapacity: true)
        let n = bytes.count
        if position >= n { return .end }
        let recordLine = line
        let delimiter = self.delimiter
        let q = CSVReader.quote, lf = CSVReader.lf, cr = CSVReader.cr

        while true {
            // Leniency: blanks before an opening quote.
            var p = position
            while p < n, bytes[p] == 0x20 || (bytes[p] == 0x09 && delimiter != 0x09) { p += 1 }

            if p < n && bytes[p] == q {
                // Quoted field.
                let quoteLine = line
                p += 1
                scratch.removeAll(keepingCapacity: true)
                var segment = p
                var closed = false
                while p < n {
                    let b = bytes[p]
                    if b == q {
                        scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[segment..<p]))
                        if p + 1 < n && bytes[p + 1] == q {
                            scratch.append(q)
                            p += 2
                            segment = p
                            continue
                        }
                        p += 1
                        closed = true
                        break
                    } else if b == lf {
                        line += 1; p += 1
                    } else if b == cr {
                        line += 1
                        p += (p + 1 < n && bytes[p + 1] == lf) ? 2 : 1
                    } else if b == 0 {
                        return .failure(invalidByte(at: p))
                    } else if b >= 0x80 {
                        guard let len = utf8SequenceLength(at: p) else { return .failure(invalidByte(at: p)) }
                        p += len
                    } else {
                        p += 1
                    }
                }
                if !closed {
                    scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[segment..<p]))
                    if unterminatedQuote == nil {
                        unterminatedQuote = (recordLine, fields.count, quoteLine)
                    }
                }
                // Leniency: anything between the closing quote and the delimiter is kept (blanks dropped).
                let tail = p
                var tailHasText = false
                while p < n {
                    let b = bytes[p]
                    if b == delimiter || b == lf || b == cr { break }
                    if b == 0 { return .failure(invalidByte(at: p)) }
                    if b >= 0x80 {
                        guard let len = utf8SequenceLength(at: p) else { return .failure(invalidByte(at: p)) }
                        p += len
                        tailHasText = true
                        continue
                    }
                    if b != 0x20 && b != 0x09 { tailHasText = true }
                    p += 1
                }
                if tailHasText {
                    scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[tail..<p]))
                }
                fields.append(String(decoding: scratch, as: UTF8.self))
            } else {
                // Unquoted field: runs to the delimiter or line end.
                p = position
                while p < n {
                    let b = bytes[p]
                    if b == delimiter || b == lf || b == cr { break }
                    if b >= 0x80 {
                        guard let len = utf8SequenceLength(at: p) else { return .failure(invalidByte(at: p)) }
                        p += len
                        continue
                    }
                    if b == 0 { return .failure(invalidByte(at: p)) }
                    p += 1
                }
                fields.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[position..<p]), as: UTF8.self))
            }

            if p >= n {
                position = n
                return .record(line: recordLine)
            }
            let b = bytes[p]
            if b == delimiter {
                position = p + 1
                continue
            }
            // Line end (CR, LF or CRLF).
            line += 1
            position = (b == cr && p + 1 < n && bytes[p + 1] == lf) ? p + 2 : p + 1
            return .record(line: recordLine)
        }
    }

    /// Physical line the reader is on (after the last record read).
    var currentLine: Int { line }
    /// Bytes consumed so far and in total (used to estimate the number of rows).
    var bytesRead: Int { position }
    var byteCount: Int { bytes.count }
}
