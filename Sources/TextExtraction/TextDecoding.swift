import Foundation

/// Turns bytes of unknown encoding into a string, the same way for text files, Markdown and HTML.
enum TextDecoding {
    enum Encoding: Equatable {
        case utf8, utf16LittleEndian, utf16BigEndian, windows1252
    }

    /// The encoding the bytes are in: a byte order mark wins; otherwise UTF-8 if the bytes are
    /// valid UTF-8 (a sequence cut off at the very end is forgiven when `isPrefix` says the bytes
    /// are only the start of a file); otherwise Windows-1252, which decodes any byte and is what
    /// "Latin-1" files from Windows really are.
    static func encoding(of bytes: some Collection<UInt8>, isPrefix: Bool = false) -> Encoding {
        let head = Array(bytes.prefix(3))
        if head.starts(with: [0xEF, 0xBB, 0xBF]) { return .utf8 }
        if head.starts(with: [0xFF, 0xFE]) { return .utf16LittleEndian }
        if head.starts(with: [0xFE, 0xFF]) { return .utf16BigEndian }
        return isValidUTF8(Array(bytes), allowingCutEnd: isPrefix) ? .utf8 : .windows1252
    }

    static func decode(_ bytes: some Collection<UInt8>, isPrefix: Bool = false) -> String {
        let bytes = Array(bytes)
        switch encoding(of: bytes, isPrefix: isPrefix) {
        case .utf8:
            let body = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? bytes.dropFirst(3) : bytes[...]
            return String(decoding: body, as: UTF8.self)
        case .utf16LittleEndian:
            return decodeUTF16(bytes.dropFirst(2), bigEndian: false)
        case .utf16BigEndian:
            return decodeUTF16(bytes.dropFirst(2), bigEndian: true)
        case .windows1252:
            return windows1252(bytes)
        }
    }

    static func isValidUTF8(_ bytes: [UInt8], allowingCutEnd: Bool) -> Bool {
        String(validating: allowingCutEnd ? droppingCutCharacter(bytes) : bytes[...], as: UTF8.self) != nil
    }

    /// `bytes` without a multi-byte UTF-8 sequence left incomplete at the end, as happens when
    /// output is cut at a byte limit.
    static func droppingCutCharacter(_ bytes: [UInt8]) -> ArraySlice<UInt8> {
        var continuations = 0
        while continuations < 3, continuations < bytes.count, bytes[bytes.count - 1 - continuations] & 0xC0 == 0x80 {
            continuations += 1
        }
        let leadIndex = bytes.count - 1 - continuations
        guard leadIndex >= 0, bytes[leadIndex] >= 0xC0 else { return bytes[...] }
        let lead = bytes[leadIndex]
        let length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2
        return continuations + 1 < length ? bytes[..<leadIndex] : bytes[...]
    }

    private static func decodeUTF16(_ bytes: ArraySlice<UInt8>, bigEndian: Bool) -> String {
        var units: [UInt16] = []
        units.reserveCapacity(bytes.count / 2)
        var index = bytes.startIndex
        while index + 1 < bytes.endIndex {
            let (first, second) = (UInt16(bytes[index]), UInt16(bytes[index + 1]))
            units.append(bigEndian ? first << 8 | second : second << 8 | first)
            index += 2
        }
        return String(decoding: units, as: UTF16.self)
    }

    /// Windows-1252 is Latin-1 except for 0x80–0x9F, where it has typographic punctuation
    /// (curly quotes, dashes, the euro sign) instead of control characters.
    static func windows1252(_ bytes: some Sequence<UInt8>) -> String {
        var scalars = String.UnicodeScalarView()
        for byte in bytes {
            if (0x80...0x9F).contains(byte), let mapped = Unicode.Scalar(windows1252High[Int(byte - 0x80)]) {
                scalars.append(mapped)
            } else {
                scalars.append(Unicode.Scalar(byte))
            }
        }
        return String(scalars)
    }

    /// Code points for 0x80–0x9F; the five undefined bytes keep their C1 control (dropped later).
    static let windows1252High: [UInt32] = [
        0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
        0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8D, 0x017D, 0x8F,
        0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
        0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D, 0x017E, 0x0178,
    ]
}
