import OAIPMH
import Testing

@Test("The library links") func links() { #expect(String(describing: OAIPMHPlaceholder.self).isEmpty == false) }
