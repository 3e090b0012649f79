import XCTest
import Foundation
@testable import TextDiff

final class StressTests: XCTestCase {
    func testStressMinimal() {
        var rng = SeededGenerator(seed: 99)
        for round in 0..<400 {
            let alpha = [2, 3, 5, 20, 100][round % 5]
            let a = (0..<Int.random(in: 0...150, using: &rng)).map { _ in Int.random(in: 0..<alpha, using: &rng) }
            var b = a
            if round % 2 == 0 {
                b = (0..<Int.random(in: 0...150, using: &rng)).map { _ in Int.random(in: 0..<alpha, using: &rng) }
            } else {
                for _ in 0..<Int.random(in: 0...20, using: &rng) {
                    if b.isEmpty || Bool.random(using: &rng) { b.insert(Int.random(in: 0..<alpha, using: &rng), at: Int.random(in: 0...b.count, using: &rng)) }
                    else { b.remove(at: Int.random(in: 0..<b.count, using: &rng)) }
                }
            }
            let ops = TextDiff.diff(a, b)
            XCTAssertEqual(apply(ops, to: a), b)
            let kept = ops.filter { if case .same = $0 { return true } else { return false } }.count
            XCTAssertEqual(kept, lcsLength(a, b), "round \(round)")
        }
    }

    func testLongParagraph() {
        var rng = SeededGenerator(seed: 5)
        let words = (0..<400).map { "w\($0)" } + ["the", "of", "and", "Curaçao", "🇨🇼"]
        let oldWords = (0..<2800).map { _ in words.randomElement(using: &rng)! }
        var newWords = oldWords
        for i in stride(from: 0, to: newWords.count, by: 3) { newWords[i] = words.randomElement(using: &rng)! }
        let old = oldWords.joined(separator: " "), new = newWords.joined(separator: " ")
        let s = DispatchTime.now().uptimeNanoseconds
        let changes = TextDiff.lines(old, new)
        print(String(format: "Rewritten 13,000-character paragraph: %.2f ms", Double(DispatchTime.now().uptimeNanoseconds - s) / 1e6))
        // A third of 2,800 words replaced exceeds the word edit limit: shown as removed + added.
        XCTAssertEqual(changes.map(\.kind), [.removed, .added])
        XCTAssertEqual(reconstruct(changes).new, [new])
        let s2 = DispatchTime.now().uptimeNanoseconds
        let old2 = (0..<2000).map { "line \($0) alpha" }.joined(separator: "\n")
        let new2 = (0..<2000).map { "other \($0) beta gamma" }.joined(separator: "\n")
        let c2 = TextDiff.lines(old2, new2)
        print(String(format: "Two unrelated 2,000-line texts: %.2f ms", Double(DispatchTime.now().uptimeNanoseconds - s2) / 1e6))
        XCTAssertEqual(c2.count, 4000)
        XCTAssertEqual(reconstruct(c2).old, lineList(old2))
    }
}

final class SkipUniqueTests: XCTestCase {
    func testSkipUniqueMinimal() {
        var rng = SeededGenerator(seed: 123)
        for round in 0..<400 {
            let alpha = [3, 10, 40, 200][round % 4]
            let a = (0..<Int.random(in: 0...120, using: &rng)).map { _ in Int.random(in: 0..<alpha, using: &rng) }
            let b = (0..<Int.random(in: 0...120, using: &rng)).map { _ in Int.random(in: 0..<alpha, using: &rng) }
            let edits = Myers<Int>.editsSkippingUnique(a, b)!
            let ops: [DiffOp<Int>] = edits.map {
                switch $0 { case .same(let i, _): return .same(a[i]); case .removed(let i): return .removed(a[i]); case .added(let j): return .added(b[j]) }
            }
            XCTAssertEqual(apply(ops, to: a), b)
            var ia = 0, ib = 0
            for e in edits {
                switch e {
                case .same(let i, let j): XCTAssertEqual([i, j], [ia, ib]); ia += 1; ib += 1
                case .removed(let i): XCTAssertEqual(i, ia); ia += 1
                case .added(let j): XCTAssertEqual(j, ib); ib += 1
                }
            }
            let kept = edits.filter { if case .same = $0 { return true } else { return false } }.count
            XCTAssertEqual(kept, lcsLength(a, b), "round \(round)")
        }
    }
}

final class LimitTests: XCTestCase {
    func testCostLimit() {
        var rng = SeededGenerator(seed: 77)
        for _ in 0..<300 {
            let a = (0..<Int.random(in: 0...40, using: &rng)).map { _ in Int.random(in: 0..<5, using: &rng) }
            let b = (0..<Int.random(in: 0...40, using: &rng)).map { _ in Int.random(in: 0..<5, using: &rng) }
            let d = a.count + b.count - 2 * lcsLength(a, b)
            let limit = Int.random(in: 0...40, using: &rng)
            let r = Myers<Int>.edits(a, b, costLimit: limit)
            XCTAssertEqual(r != nil, d <= limit, "d \(d) limit \(limit) \(a) \(b) \(r.map { $0.filter { if case .same = $0 { return false } else { return true } }.count } ?? -1)")
            XCTAssertEqual(Myers<Int>.editsSkippingUnique(a, b, costLimit: limit) != nil || d > limit, true)
        }
    }
}
