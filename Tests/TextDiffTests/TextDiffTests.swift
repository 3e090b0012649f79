import XCTest
import Foundation
@testable import TextDiff

/// Small deterministic generator (SplitMix64) so random tests are reproducible.
struct SeededGenerator: RandomNumberGenerator {
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

/// Applies an edit script to `old`, failing if it does not match `old`.
func apply<T: Equatable>(_ ops: [DiffOp<T>], to old: [T]) -> [T]? {
    var i = 0
    var out: [T] = []
    for op in ops {
        switch op {
        case .same(let v):
            guard i < old.count, old[i] == v else { return nil }
            out.append(v); i += 1
        case .removed(let v):
            guard i < old.count, old[i] == v else { return nil }
            i += 1
        case .added(let v):
            out.append(v)
        }
    }
    return i == old.count ? out : nil
}

/// Classic O(NM) LCS length, to check minimality.
func lcsLength<T: Equatable>(_ a: [T], _ b: [T]) -> Int {
    if a.isEmpty || b.isEmpty { return 0 }
    var prev = [Int](repeating: 0, count: b.count + 1)
    var cur = prev
    for i in 1...a.count {
        for j in 1...b.count {
            cur[j] = a[i - 1] == b[j - 1] ? prev[j - 1] + 1 : max(prev[j], cur[j - 1])
        }
        swap(&prev, &cur)
    }
    return prev[b.count]
}

/// Old and new line lists (and their numbers) read back from a line diff.
func reconstruct(_ changes: [LineChange]) -> (old: [String], new: [String], oldNumbers: [Int], newNumbers: [Int]) {
    var old: [String] = [], new: [String] = [], oldNumbers: [Int] = [], newNumbers: [Int] = []
    for c in changes {
        if let t = c.oldText, let n = c.oldNumber { old.append(t); oldNumbers.append(n) }
        if let t = c.newText, let n = c.newNumber { new.append(t); newNumbers.append(n) }
    }
    return (old, new, oldNumbers, newNumbers)
}

func lineList(_ text: String) -> [String] {
    TextDiff.splitLines(text)
}

final class TextDiffTests: XCTestCase {
    func testEqualTexts() {
        let text = "# Curaçao\n\nCapital: Willemstad\nFlag: 🇨🇼\n"
        let changes = TextDiff.lines(text, text)
        XCTAssertEqual(changes.count, 4)
        XCTAssertTrue(changes.allSatisfy { $0.kind == .same && $0.oldNumber == $0.newNumber })
        XCTAssertEqual(changes[3].pieces, [.same("Flag: 🇨🇼")])
        XCTAssertEqual(TextDiff.hunks(changes), [])
        let s = TextDiff.stats(changes)
        XCTAssertEqual([s.added, s.removed, s.changed, s.charsAdded, s.charsRemoved], [0, 0, 0, 0, 0])
        XCTAssertEqual(TextDiff.diff([1, 2, 3], [1, 2, 3]), [.same(1), .same(2), .same(3)])
    }

    func testBothEmpty() {
        XCTAssertEqual(TextDiff.lines("", ""), [])
        XCTAssertEqual(TextDiff.diff([Int](), []), [])
        XCTAssertEqual(TextDiff.hunks([]), [])
    }

    func testEmptyOld() {
        let changes = TextDiff.lines("", "a\nb\n")
        XCTAssertEqual(changes, [
            LineChange(kind: .added, oldNumber: nil, newNumber: 1, pieces: [.added("a")]),
            LineChange(kind: .added, oldNumber: nil, newNumber: 2, pieces: [.added("b")]),
        ])
        XCTAssertEqual(TextDiff.diff([], ["x"]), [.added("x")])
    }

    func testEmptyNew() {
        let changes = TextDiff.lines("a\n\nb", "")
        XCTAssertEqual(changes.map(\.kind), [.removed, .removed, .removed])
        XCTAssertEqual(changes.map(\.oldNumber), [1, 2, 3])
        XCTAssertEqual(changes[1].pieces, [.removed("")])
        XCTAssertEqual(TextDiff.diff(["x"], []), [.removed("x")])
    }

    func testInsertionInMiddle() {
        let changes = TextDiff.lines("a\nb\nc", "a\nb\nnew line\nc")
        XCTAssertEqual(changes.map(\.kind), [.same, .same, .added, .same])
        XCTAssertEqual(changes[2], LineChange(kind: .added, oldNumber: nil, newNumber: 3, pieces: [.added("new line")]))
        XCTAssertEqual(changes[3].oldNumber, 3)
        XCTAssertEqual(changes[3].newNumber, 4)
    }

    func testDeletion() {
        let changes = TextDiff.lines("a\nb\nc\nd", "a\nd")
        XCTAssertEqual(changes.map(\.kind), [.same, .removed, .removed, .same])
        XCTAssertEqual(changes[1].oldNumber, 2)
        XCTAssertEqual(changes[2].oldNumber, 3)
        XCTAssertEqual(changes[3].oldNumber, 4)
        XCTAssertEqual(changes[3].newNumber, 2)
    }

    func testChangedLineWordPieces() {
        let old = "Capital:  Willemstad, population 150,000 in Curaçao 🇨🇼 today."
        let new = "Capital:\tWillemstad, population about 155,000 in Curaçao 🇨🇼 (2023)."
        let changes = TextDiff.lines("intro\n" + old + "\noutro", "intro\n" + new + "\noutro")
        XCTAssertEqual(changes.map(\.kind), [.same, .changed, .same])
        let c = changes[1]
        XCTAssertEqual(c.oldNumber, 2)
        XCTAssertEqual(c.newNumber, 2)
        XCTAssertEqual(c.oldText, old)
        XCTAssertEqual(c.newText, new)
        XCTAssertTrue(c.pieces.contains(.same(" in Curaçao 🇨🇼 ")))
        XCTAssertTrue(c.pieces.contains(.removed("150,000")))
        XCTAssertTrue(c.pieces.contains(.added("about 155,000")))
        XCTAssertFalse(c.pieces.contains { $0.value.isEmpty })
        // Adjacent pieces never share a kind.
        for (p, q) in zip(c.pieces, c.pieces.dropFirst()) {
            XCTAssertFalse(kindOf(p) == kindOf(q), "\(p) \(q)")
        }
    }

    func testReplacementReadsAsOnePiece() {
        let changes = TextDiff.lines("the quick brown fox jumps", "the slow red fox jumps")
        XCTAssertEqual(changes.count, 1)
        XCTAssertEqual(changes[0].pieces, [.same("the "), .removed("quick brown"), .added("slow red"), .same(" fox jumps")])
    }

    func testDissimilarLinesStaySeparate() {
        let changes = TextDiff.lines("a\nThe economy relies on tourism.\nz", "a\nSee also: list of islands\nz")
        XCTAssertEqual(changes.map(\.kind), [.same, .removed, .added, .same])
        // Pairing is one by one: first pair similar, second not.
        let changes2 = TextDiff.lines("Capital: Paris\nOld unrelated text here", "Capital: Lyon\nCompletely different words")
        XCTAssertEqual(changes2.map(\.kind), [.changed, .removed, .added])
        XCTAssertEqual(changes2[0].pieces, [.same("Capital: "), .removed("Paris"), .added("Lyon")])
    }

    func testCRLFAndTrailingNewline() {
        let changes = TextDiff.lines("a\r\nb\r\nc\r\n", "a\nb\nc")
        XCTAssertEqual(changes.map(\.kind), [.same, .same, .same])
        XCTAssertEqual(changes.map { $0.pieces }, [[.same("a")], [.same("b")], [.same("c")]])
        XCTAssertEqual(TextDiff.lines("a\rb\r", "a\nb\n").map(\.kind), [.same, .same])
        XCTAssertEqual(TextDiff.lines("a\r\n\r\nb", "a\n\nb").map(\.kind), [.same, .same, .same])
        XCTAssertEqual(TextDiff.lines("a\n", "a").map(\.kind), [.same])
        // A real extra empty line does show up.
        XCTAssertEqual(TextDiff.lines("a\n", "a\n\n").map(\.kind), [.same, .added])
    }

    func testHunksContextAndMerging() {
        let old = (1...20).map { "line \($0)" }
        var new = old
        new[3] = "line 4 edited"      // index 3
        new[6] = "line 7 edited"      // 2 unchanged lines between: merged with context 2
        new.remove(at: 15)            // "line 16" removed: far away, separate hunk
        let changes = TextDiff.lines(old.joined(separator: "\n"), new.joined(separator: "\n"))
        let hunks = TextDiff.hunks(changes, context: 2)
        XCTAssertEqual(hunks.count, 2)
        XCTAssertEqual(hunks[0].changes.map(\.oldNumber), [2, 3, 4, 5, 6, 7, 8, 9])
        XCTAssertEqual(hunks[0].changes.map(\.kind), [.same, .same, .changed, .same, .same, .changed, .same, .same])
        XCTAssertEqual(hunks[1].changes.map(\.oldNumber), [14, 15, 16, 17, 18])
        XCTAssertEqual(hunks[1].changes[2].kind, .removed)

        let tight = TextDiff.hunks(changes, context: 0)
        XCTAssertEqual(tight.count, 3)
        XCTAssertTrue(tight.allSatisfy { $0.changes.count == 1 })
        // With context 1 the gap of two same lines is exactly covered: still merged.
        XCTAssertEqual(TextDiff.hunks(changes, context: 1).count, 2)
        XCTAssertEqual(TextDiff.hunks(changes, context: 1)[0].changes.count, 6)
        // Context clamps at the text boundaries.
        let edge = TextDiff.hunks(TextDiff.lines("x\na\nb", "y\na\nb"), context: 5)
        XCTAssertEqual(edge.count, 1)
        XCTAssertEqual(edge[0].changes.count, 4)
        XCTAssertEqual(edge[0].changes.map(\.kind), [.removed, .added, .same, .same])
    }

    func testStats() {
        let old = "Capital: Paris\nkeep\ngone line\n"
        let new = "Capital: Lyon\nkeep\nbrand new 🇫🇷\nanother\n"
        let changes = TextDiff.lines(old, new)
        XCTAssertEqual(changes.map(\.kind), [.changed, .same, .removed, .added, .added])
        let s = TextDiff.stats(changes)
        XCTAssertEqual(s.added, 2)
        XCTAssertEqual(s.removed, 1)
        XCTAssertEqual(s.changed, 1)
        XCTAssertEqual(s.charsAdded, 4 + 11 + 7)     // "Lyon", "brand new 🇫🇷", "another"
        XCTAssertEqual(s.charsRemoved, 5 + 9)        // "Paris", "gone line"
    }

    func testGenericDiffIsMinimal() {
        var rng = SeededGenerator(seed: 42)
        for _ in 0..<300 {
            let a = (0..<Int.random(in: 0...30, using: &rng)).map { _ in Int.random(in: 0..<4, using: &rng) }
            let b = (0..<Int.random(in: 0...30, using: &rng)).map { _ in Int.random(in: 0..<4, using: &rng) }
            let ops = TextDiff.diff(a, b)
            XCTAssertEqual(apply(ops, to: a), b)
            let kept = ops.filter { if case .same = $0 { return true } else { return false } }.count
            XCTAssertEqual(kept, lcsLength(a, b), "\(a) \(b)")
        }
        let chars = TextDiff.diff(Array("Curaçao 🇨🇼"), Array("Curacao 🇨🇼!"))
        XCTAssertEqual(apply(chars, to: Array("Curaçao 🇨🇼")), Array("Curacao 🇨🇼!"))
        XCTAssertEqual(chars.filter { if case .same = $0 { return false } else { return true } }.count, 3)
    }

    func testRandomEditScripts() {
        var rng = SeededGenerator(seed: 2024)
        let vocabulary = ["alpha", "beta", "gamma", "Curaçao", "🇨🇼", "", "delta epsilon", "x"]
        for round in 0..<200 {
            let old = (0..<Int.random(in: 0...25, using: &rng)).map { _ in vocabulary.randomElement(using: &rng)! }
            var new = old
            for _ in 0..<Int.random(in: 0...6, using: &rng) {
                let op = Int.random(in: 0..<3, using: &rng)
                if op == 0 || new.isEmpty {
                    new.insert(vocabulary.randomElement(using: &rng)!, at: Int.random(in: 0...new.count, using: &rng))
                } else if op == 1 {
                    new.remove(at: Int.random(in: 0..<new.count, using: &rng))
                } else {
                    let i = Int.random(in: 0..<new.count, using: &rng)
                    new[i] += " " + vocabulary.randomElement(using: &rng)!
                }
            }
            // Generic diff: applying it to old gives new.
            let ops = TextDiff.diff(old, new)
            XCTAssertEqual(apply(ops, to: old), new, "round \(round)")

            // Line diff: old and new read back exactly, with consecutive line numbers.
            let separator = round % 3 == 0 ? "\r\n" : "\n"
            let oldText = old.joined(separator: separator) + (round % 2 == 0 ? separator : "")
            let newText = new.joined(separator: "\n")
            let changes = TextDiff.lines(oldText, newText)
            let back = reconstruct(changes)
            XCTAssertEqual(back.old, lineList(oldText), "round \(round)")
            XCTAssertEqual(back.new, lineList(newText), "round \(round)")
            XCTAssertEqual(back.oldNumbers, Array(stride(from: 1, through: back.old.count, by: 1)))
            XCTAssertEqual(back.newNumbers, Array(stride(from: 1, through: back.new.count, by: 1)))
            let hunkLines = TextDiff.hunks(changes, context: 1).flatMap(\.changes).filter { $0.kind != .same }
            XCTAssertEqual(hunkLines, changes.filter { $0.kind != .same })
        }
    }

    func testPerformanceTwoThousandLines() {
        var rng = SeededGenerator(seed: 7)
        let words = ["country", "capital", "population", "economy", "Curaçao", "tourism", "oil", "🇨🇼",
                     "history", "island", "Dutch", "Papiamentu", "climate", "trade", "port"]
        let old: [String] = (0..<2000).map { i in
            "Line \(i): " + (0..<8).map { _ in words.randomElement(using: &rng)! }.joined(separator: " ")
        }
        var new = old
        // 50 changes spread over the text: 20 edited, 15 inserted, 15 deleted lines.
        var edited = 0, inserted = 0, deleted = 0, charsAdded = 0
        for c in 0..<50 {
            let i = 2000 - 40 * (c + 1) + 7   // descending positions, so indices stay valid
            switch c % 10 {
            case 0, 1, 2, 3:
                new[i] += " edited"; edited += 1; charsAdded += 7
            case 4, 5, 6:
                let line = "A brand new line number \(c) about trade"
                new.insert(line, at: i); inserted += 1; charsAdded += line.count
            default:
                new.remove(at: i); deleted += 1
            }
        }
        let oldText = old.joined(separator: "\n") + "\n"
        let newText = new.joined(separator: "\n") + "\n"

        let start = DispatchTime.now().uptimeNanoseconds
        let changes = TextDiff.lines(oldText, newText)
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1_000_000
        print(String(format: "TextDiff.lines on 2,000 lines with 50 changes: %.2f ms", elapsed))

        let back = reconstruct(changes)
        XCTAssertEqual(back.old, old)
        XCTAssertEqual(back.new, new)
        let s = TextDiff.stats(changes)
        XCTAssertEqual(s.changed, edited)
        XCTAssertEqual(s.added, inserted)
        XCTAssertEqual(s.removed, deleted)
        XCTAssertEqual(s.charsAdded, charsAdded)
        XCTAssertEqual(TextDiff.hunks(changes, context: 2).count, 50)
    }
}

private func kindOf(_ op: DiffOp<String>) -> Int {
    switch op {
    case .same: return 0
    case .added: return 1
    case .removed: return 2
    }
}

final class WordPieceTests: XCTestCase {
    func testGapAbsorbedIntoReplacement() {
        // Removal-only run, whitespace gap, then a replacement: one replacement piece.
        let c = TextDiff.lines("keep one two three end", "keep four end")
        XCTAssertEqual(c.count, 1)
        XCTAssertEqual(c[0].oldText, "keep one two three end")
        XCTAssertEqual(c[0].newText, "keep four end")
        let changedPieces = c[0].pieces.filter { if case .same = $0 { return false } else { return true } }
        XCTAssertLessThanOrEqual(changedPieces.count, 2, "\(c[0].pieces)")
    }

    func testPureInsertionKeepsWordsApart() {
        let c = TextDiff.lines("Population: 150,000 people", "Population: about 150,000 people")
        XCTAssertEqual(c.map(\.kind), [.changed])
        XCTAssertEqual(c[0].oldText, "Population: 150,000 people")
        XCTAssertEqual(c[0].newText, "Population: about 150,000 people")
        XCTAssertEqual(c[0].pieces.filter { if case .added = $0 { return true } else { return false } }.count, 1)
    }

    func testNormalisationFormIsAChange() {
        let nfc = "Cura\u{E7}ao", nfd = "Curac\u{327}ao"
        let c = TextDiff.lines("Island: " + nfc, "Island: " + nfd)
        XCTAssertEqual(c.map(\.kind), [.changed])
        XCTAssertEqual(Array(c[0].newText!.unicodeScalars), Array(("Island: " + nfd).unicodeScalars))
    }

    func testWhitespaceOnlyChange() {
        let c = TextDiff.lines("a\n\nb", "a\n   \nb")
        XCTAssertEqual(c.map(\.kind), [.same, .changed, .same])
        XCTAssertEqual(c[1].pieces, [.added("   ")])
    }
}
