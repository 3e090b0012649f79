@testable import App
import Testing

@Suite("Search query syntax")
struct SearchQueryTests {
    @Test("Words, phrases, OR and exclusions")
    func syntax() {
        let query = SearchQuery.parse(#"border "labour mobility" asylum OR refugee -trafficking migra*"#)
        #expect(query.groups == [
            [.word("border")], [.phrase(["labour", "mobility"])], [.word("asylum"), .word("refugee")], [.prefix("migra")],
        ])
        #expect(query.excluded == [.word("trafficking")])
    }

    @Test("Engine syntax typed by a user is only text", arguments: [
        #"NEAR(a b)"#, "AND", "OR", "NOT", #"""""#, "***", "(((", "a:b", "{title}: x", "^start", "'; DROP TABLE users; --",
        String(repeating: "x ", count: 3000), "tab\tnull\u{0}bell\u{7}",
    ])
    func hostile(text: String) {
        let query = SearchQuery.parse(text)
        for group in query.groups {
            for term in group {
                for word in term.words { #expect(word.allSatisfy { $0.isLetter || $0.isNumber }) }
            }
        }
        #expect(query.groups.count <= SearchQuery.maxTerms)
    }

    @Test("An exclusion alone searches nothing")
    func onlyExclusion() {
        #expect(SearchQuery.parse("-trafficking").isEmpty)
    }

    @Test("Word families: migration, migrants and migrant share a root")
    func families() {
        #expect(WordFamily.root(of: "migration") == "migr")
        #expect(WordFamily.root(of: "migrants") == "migr")
        #expect(WordFamily.root(of: "protection") == "protect")
        #expect(WordFamily.root(of: "border") == nil)
    }
}

@Suite("Snippets")
struct SnippetTests {
    @Test("The passage around the first match, matches marked, word forms and accents included")
    func passage() throws {
        let text = "The report opens with history. Many Migrants arrived in Curaçao after 2015, and migration policy changed."
        let marked = try #require(Snippets.passage(in: text, query: SearchQuery.parse("migration curacao")))
        let pieces = SnippetPiece.pieces(fromMarked: marked)
        #expect(pieces.filter(\.highlighted).map(\.text) == ["Migrants", "Curaçao", "migration"])
        #expect(Snippets.passage(in: text, query: SearchQuery.parse("zebra")) == nil)
    }

    @Test("Long texts are cut with ellipses")
    func window() throws {
        let text = (1...200).map { "word\($0)" }.joined(separator: " ") + " target " + (1...200).map { "tail\($0)" }.joined(separator: " ")
        let marked = try #require(Snippets.passage(in: text, query: SearchQuery.parse("target")))
        #expect(marked.hasPrefix("… "))
        #expect(marked.hasSuffix(" …"))
        #expect(marked.split(separator: " ").count < 40)
    }
}
