import Foundation

/// Writes small but valid PDFs by hand: objects, a cross-reference table and the standard
/// Helvetica font, enough for poppler to read.
struct PDFWriter {
    /// What one page shows.
    enum Page {
        /// Lines of text (WinAnsi, so Latin-1 accents work) in Helvetica at `size` points.
        case text([String], size: Int = 12)
        /// A filled rectangle and no text operators at all, like a scan without OCR.
        case drawing
        /// An 8-bit greyscale image covering the page.
        case image(width: Int, height: Int, pixels: [UInt8])
    }

    var pages: [Page]
    /// Adds an `/Encrypt` dictionary whose user password is not empty, so readers ask for one.
    var passwordProtected = false

    func data() -> Data {
        var objects: [[UInt8]] = []
        func add(_ object: [UInt8]) -> Int {
            objects.append(object)
            return objects.count
        }
        func bytes(_ string: String) -> [UInt8] { Array(string.utf8) }
        func stream(_ dictionary: String, _ content: [UInt8]) -> [UInt8] {
            bytes("<< \(dictionary) /Length \(content.count) >>\nstream\n") + content + bytes("\nendstream")
        }

        let catalog = add(bytes("<< /Type /Catalog /Pages 2 0 R >>"))
        let pagesID = add([])
        let font = add(bytes("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"))
        var kids: [Int] = []
        for page in pages {
            var resources = "/Font << /F1 \(font) 0 R >>"
            let content: [UInt8]
            switch page {
            case .text(let lines, let size):
                var ops = bytes("BT /F1 \(size) Tf \(size + 4) TL 72 720 Td ")
                for line in lines { ops += bytes("(") + Self.literal(line) + bytes(") Tj T* ") }
                content = ops + bytes("ET")
            case .drawing:
                content = bytes("0.2 0.4 0.8 rg 72 72 300 300 re f")
            case .image(let width, let height, let pixels):
                let image = add(stream(
                    "/Type /XObject /Subtype /Image /Width \(width) /Height \(height) /ColorSpace /DeviceGray /BitsPerComponent 8",
                    pixels
                ))
                resources += " /XObject << /Im1 \(image) 0 R >>"
                content = bytes("q 612 0 0 792 0 0 cm /Im1 Do Q")
            }
            let contents = add(stream("", content))
            kids.append(add(bytes(
                "<< /Type /Page /Parent \(pagesID) 0 R /MediaBox [0 0 612 792] /Resources << \(resources) >> /Contents \(contents) 0 R >>"
            )))
        }
        objects[pagesID - 1] = bytes("<< /Type /Pages /Kids [\(kids.map { "\($0) 0 R" }.joined(separator: " "))] /Count \(kids.count) >>")
        var trailerExtra = ""
        if passwordProtected {
            let encrypt = add(bytes("<< /Filter /Standard /V 1 /R 2 /O <\(String(repeating: "11", count: 32))> /U <\(String(repeating: "22", count: 32))> /P -44 >>"))
            trailerExtra = " /Encrypt \(encrypt) 0 R /ID [<00112233445566778899AABBCCDDEEFF><00112233445566778899AABBCCDDEEFF>]"
        }

        var output = bytes("%PDF-1.4\n%") + [0xE2, 0xE3, 0xCF, 0xD3] + bytes("\n")
        var offsets: [Int] = []
        for (index, object) in objects.enumerated() {
            offsets.append(output.count)
            output += bytes("\(index + 1) 0 obj\n") + object + bytes("\nendobj\n")
        }
        let xref = output.count
        output += bytes("xref\n0 \(objects.count + 1)\n0000000000 65535 f \n")
        for offset in offsets { output += bytes(String(format: "%010d 00000 n \n", offset)) }
        output += bytes("trailer\n<< /Size \(objects.count + 1) /Root \(catalog) 0 R\(trailerExtra) >>\nstartxref\n\(xref)\n%%EOF\n")
        return Data(output)
    }

    /// A PDF literal string body in WinAnsi (Latin-1 for the accents tests use).
    private static func literal(_ text: String) -> [UInt8] {
        var result: [UInt8] = []
        for scalar in text.unicodeScalars {
            let byte = scalar.value < 256 ? UInt8(scalar.value) : UInt8(ascii: "?")
            if byte == UInt8(ascii: "(") || byte == UInt8(ascii: ")") || byte == UInt8(ascii: "\\") { result.append(UInt8(ascii: "\\")) }
            result.append(byte)
        }
        return result
    }
}
