import Syndication
import Testing

@Test("The library links") func links() { #expect(String(describing: SyndicationPlaceholder.self).isEmpty == false) }
