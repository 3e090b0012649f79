import TextExtraction
import Testing

@Test("The library links") func links() { #expect(String(describing: TextExtractionPlaceholder.self).isEmpty == false) }
