// TextDiff.swift
//
// Line and word diffs for the revision history page.
// Myers' O(ND) algorithm with the linear-space "middle snake" refinement,
// a line diff that refines similar removed/added line pairs into word pieces,
// unified-diff style hunks, and short edit statistics. Foundation only.

import Foundation

// MARK: - Public types

/// One element of an edit script: kept, inserted into the new sequence, or deleted from the old one.
public enum DiffOp<T: Equatable & Sendable>: Equatable, Sendable {
    case same(T), added(T), removed(T)

    /// The element carried by the operation, whatever its kind.
    public var value: T {
        switch self {
        case .same(let v), .added(let v), .removed(let v): return v
        }
    }
}

/// One line of a line diff.
public struct LineChange: Equatable, Sendable {
    /// How the line differs between the two texts.
    public enum Kind: String, Sendable { case same, added, removed, changed }

    public var kind: Kind
    /// 1-based line number in the old text; nil for `.added`.
    public var oldNumber: Int?
    /// 1-based line number in the new text; nil for `.removed`.
    public var newNumber: Int?
    /// For `.changed`: word-level pieces (words and the whitespace between them), so that joining
    /// `.same` + `.removed` gives the old line and `.same` + `.added` the new line.
    /// For other kinds: a single piece holding the whole line.
    public var pieces: [DiffOp<String>]

    public init(kind: Kind, oldNumber: Int?, newNumber: Int?, pieces: [DiffOp<String>]) {
        self.kind = kind
        self.oldNumber = oldNumber
        self.newNumber = newNumber
        self.pieces = pieces
    }

    /// The line as it reads in the old text (nil for `.added`).
    public var oldText: String? {
        kind == .added ? nil : Self.join(pieces) { if case .added = $0 { return false } else { return true } }
    }

    /// The line as it reads in the new text (nil for `.removed`).
    public var newText: String? {
        kind == .removed ? nil : Self.join(pieces) { if case .removed = $0 { return false } else { return true } }
    }

    private static func join(_ pieces: [DiffOp<String>], _ keep: (DiffOp<String>) -> Bool) -> String {
        var s = ""
        for p in pieces where keep(p) { s += p.value }
        return s
    }
}

/// A group of line changes with surrounding unchanged context lines.
public struct DiffHunk: Sendable, Equatable {
    public var changes: [LineChange]

    public init(changes: [LineChange]) { self.changes = changes }
}

/// Namespace for the diff functions.
public enum TextDiff {
    /// Minimum word similarity (Dice coefficient of common words, 2·common / (old + new words))
    /// for a removed/added line pair to be shown as one `.changed` line.
    static let similarityThreshold = 0.4
    /// Word refinement gives up (showing a removed and an added line) past this many word-token
    /// edits, which bounds the cost of huge rewritten paragraphs.
    static let wordEditLimit = 1_000

    /// Shortest edit script between `old` and `new` (Myers O(ND), linear space).
    /// Within each run of differences all removals come before all additions.
    public static func diff<T: Equatable & Sendable>(_ old: [T], _ new: [T]) -> [DiffOp<T>] {
        Myers.edits(old, new).map { edit in
            switch edit {
            case .same(let i, _): return .same(old[i])
            case .removed(let i): return .removed(old[i])
            case .added(let j): return .added(new[j])
            }
        }
    }

    /// Line diff of two texts; a removed line followed by a similar added line becomes one
    /// `.changed` line refined into word pieces. Line endings are normalised ("\r\n", "\r" → "\n"),
    /// a final newline does not count as an extra empty line, and lines and words are compared
    /// by their exact Unicode scalars (so pieces rebuild both texts exactly).
    public static func lines(_ old: String, _ new: String) -> [LineChange] {
        let oldLines = splitLines(old)
        let newLines = splitLines(new)
        var ids: [ExactText: Int] = [:]
        ids.reserveCapacity(oldLines.count + newLines.count)
        func intern(_ s: String) -> Int {
            let key = ExactText(s)
            if let id = ids[key] { return id }
            let id = ids.count
            ids[key] = id
            return id
        }
        let oldIDs = oldLines.map(intern)
        let newIDs = newLines.map(intern)
        let edits = Myers.editsSkippingUnique(oldIDs, newIDs)!

        var result: [LineChange] = []
        result.reserveCapacity(edits.count)
        var runRemoved: [Int] = []
        var runAdded: [Int] = []

        func removed(_ i: Int) -> LineChange {
            LineChange(kind: .removed, oldNumber: i + 1, newNumber: nil, pieces: [.removed(oldLines[i])])
        }
        func added(_ j: Int) -> LineChange {
            LineChange(kind: .added, oldNumber: nil, newNumber: j + 1, pieces: [.added(newLines[j])])
        }
        // Pairs the current run of removed/added lines one by one; dissimilar lines stay separate,
        // grouped as removals then additions between the changed lines.
        func flushRun() {
            if runRemoved.isEmpty && runAdded.isEmpty { return }
            var pendingRemoved: [Int] = []
            var pendingAdded: [Int] = []
            func flushPending() {
                for i in pendingRemoved { result.append(removed(i)) }
                for j in pendingAdded { result.append(added(j)) }
                pendingRemoved.removeAll(keepingCapacity: true)
                pendingAdded.removeAll(keepingCapacity: true)
            }
            let paired = min(runRemoved.count, runAdded.count)
            for p in 0..<paired {
                let i = runRemoved[p], j = runAdded[p]
                if let pieces = wordPieces(oldLines[i], newLines[j]) {
                    flushPending()
                    result.append(LineChange(kind: .changed, oldNumber: i + 1, newNumber: j + 1, pieces: pieces))
                } else {
                    pendingRemoved.append(i)
                    pendingAdded.append(j)
                }
            }
            pendingRemoved += runRemoved[paired...]
            pendingAdded += runAdded[paired...]
            flushPending()
            runRemoved.removeAll(keepingCapacity: true)
            runAdded.removeAll(keepingCapacity: true)
        }

        for edit in edits {
            switch edit {
            case .same(let i, let j):
                flushRun()
                result.append(LineChange(kind: .same, oldNumber: i + 1, newNumber: j + 1, pieces: [.same(oldLines[i])]))
            case .removed(let i):
                runRemoved.append(i)
            case .added(let j):
                runAdded.append(j)
            }
        }
        flushRun()
        return result
    }

    // MARK: Lines and words

    /// Splits text into lines; "\r\n", "\r" and "\n" all end a line, and a final line break adds no empty line.
    static func splitLines(_ text: String) -> [String] {
        var text = text
        text.makeContiguousUTF8()
        return text.utf8.withContiguousStorageIfAvailable(splitLines(utf8:))
            ?? Array(text.utf8).withUnsafeBufferPointer(splitLines(utf8:))
    }

    private static func splitLines(utf8 bytes: UnsafeBufferPointer<UInt8>) -> [String] {
        guard let base = bytes.baseAddress else { return [] }
        let raw = UnsafeRawPointer(base)
        let n = bytes.count
        var lines: [String] = []
        var start = 0
        while start < n {
            var end = n
            if let p = memchr(raw + start, 0x0A, n - start) { end = raw.distance(to: UnsafeRawPointer(p)) }
            if let p = memchr(raw + start, 0x0D, end - start) { end = raw.distance(to: UnsafeRawPointer(p)) }
            lines.append(String(decoding: UnsafeBufferPointer(start: base + start, count: end - start), as: UTF8.self))
            start = end + (end + 1 < n && bytes[end] == 0x0D && bytes[end + 1] == 0x0A ? 2 : 1)
        }
        return lines
    }

    /// Splits a line into alternating runs of whitespace and non-whitespace characters.
    static func wordTokens(_ line: String) -> [Substring] {
        var tokens: [Substring] = []
        var start = line.startIndex
        var inWhitespace: Bool? = nil
        for index in line.indices {
            let ws = line[index].isWhitespace
            if let current = inWhitespace, current != ws {
                tokens.append(line[start..<index])
                start = index
            }
            inWhitespace = ws
        }
        if start < line.endIndex { tokens.append(line[start...]) }
        return tokens
    }

    /// Word-level pieces for a removed/added line pair, or nil when the lines are not similar enough.
    static func wordPieces(_ old: String, _ new: String) -> [DiffOp<String>]? {
        let oldTokens = wordTokens(old)
        let newTokens = wordTokens(new)
        var ids: [ExactText: Int] = [:]
        var isWord: [Bool] = []
        func intern(_ s: Substring) -> Int {
            let key = ExactText(String(s))
            if let id = ids[key] { return id }
            let id = ids.count
            ids[key] = id
            isWord.append(!(s.first?.isWhitespace ?? true))
            return id
        }
        let a = oldTokens.map(intern)
        let b = newTokens.map(intern)

        // Cheap upper bound first: common words as multisets bound the LCS from above.
        var counts = [Int](repeating: 0, count: ids.count)
        var totalWords = 0
        for id in a where isWord[id] { counts[id] += 1; totalWords += 1 }
        var bagCommon = 0
        for id in b where isWord[id] {
            totalWords += 1
            if counts[id] > 0 { counts[id] -= 1; bagCommon += 1 }
        }
        func similar(_ common: Int) -> Bool {
            totalWords == 0 || Double(2 * common) >= similarityThreshold * Double(totalWords)
        }
        guard similar(bagCommon) else { return nil }

        guard let edits = Myers.editsSkippingUnique(a, b, costLimit: wordEditLimit) else { return nil }
        var common = 0
        for case .same(let i, _) in edits where isWord[a[i]] { common += 1 }
        guard similar(common) else { return nil }

        // Segments: kept text, or a replacement (removed text, added text).
        enum Segment { case same(String), change(removed: String, added: String) }
        var runs: [Segment] = []
        for edit in edits {
            switch (edit, runs.last) {
            case (.same(let i, _), .same(let s)?): runs[runs.count - 1] = .same(s + oldTokens[i])
            case (.same(let i, _), _): runs.append(.same(String(oldTokens[i])))
            case (.removed(let i), .change(let r, let ad)?): runs[runs.count - 1] = .change(removed: r + oldTokens[i], added: ad)
            case (.removed(let i), _): runs.append(.change(removed: String(oldTokens[i]), added: ""))
            case (.added(let j), .change(let r, let ad)?): runs[runs.count - 1] = .change(removed: r, added: ad + newTokens[j])
            case (.added(let j), _): runs.append(.change(removed: "", added: String(newTokens[j])))
            }
        }
        // A lone whitespace gap between two changes joins them into one replacement, so
        // "the quick" → "a slow" reads as one replacement rather than two.
        var segments: [Segment] = []
        for run in runs {
            if case .change(let r, let ad) = run, segments.count >= 2,
               case .same(let gap) = segments[segments.count - 1], gap.allSatisfy(\.isWhitespace),
               case .change(let r0, let a0) = segments[segments.count - 2],
               !(r0.isEmpty && r.isEmpty), !(a0.isEmpty && ad.isEmpty) {
                segments.removeLast(2)
                segments.append(.change(removed: r0 + gap + r, added: a0 + gap + ad))
            } else {
                segments.append(run)
            }
        }

        var pieces: [DiffOp<String>] = []
        func append(_ piece: DiffOp<String>) {
            guard !piece.value.isEmpty else { return }
            switch (pieces.last, piece) {
            case (.same(let s)?, .same(let t)): pieces[pieces.count - 1] = .same(s + t)
            case (.removed(let s)?, .removed(let t)): pieces[pieces.count - 1] = .removed(s + t)
            case (.added(let s)?, .added(let t)): pieces[pieces.count - 1] = .added(s + t)
            default: pieces.append(piece)
            }
        }
        for segment in segments {
            switch segment {
            case .same(let s):
                append(.same(s))
            case .change(let r, let ad):
                // Whitespace common to both edges of a replacement is shown as unchanged.
                let r = Array(r), ad = Array(ad)
                var lead = 0
                while lead < r.count && lead < ad.count && r[lead] == ad[lead] && r[lead].isWhitespace { lead += 1 }
                var trail = 0
                while trail < r.count - lead && trail < ad.count - lead
                        && r[r.count - 1 - trail] == ad[ad.count - 1 - trail] && ad[ad.count - 1 - trail].isWhitespace {
                    trail += 1
                }
                append(.same(String(r[..<lead])))
                append(.removed(String(r[lead..<(r.count - trail)])))
                append(.added(String(ad[lead..<(ad.count - trail)])))
                append(.same(String(r[(r.count - trail)...])))
            }
        }
        return pieces
    }
}

// MARK: - Hunks and statistics

extension TextDiff {
    /// Groups changes into hunks with `context` unchanged lines around each change, merging hunks
    /// whose context would touch or overlap (like unified diff). Empty when nothing changed.
    public static func hunks(_ changes: [LineChange], context: Int = 2) -> [DiffHunk] {
        let context = max(0, context)
        var ranges: [ClosedRange<Int>] = []
        for (index, change) in changes.enumerated() where change.kind != .same {
            let lower = max(0, index - context)
            let upper = min(changes.count - 1, index + context)
            if let last = ranges.last, lower <= last.upperBound + 1 {
                ranges[ranges.count - 1] = last.lowerBound...max(last.upperBound, upper)
            } else {
                ranges.append(lower...upper)
            }
        }
        return ranges.map { DiffHunk(changes: Array(changes[$0])) }
    }

    /// Lines added, removed and changed, and characters (grapheme clusters, newlines excluded)
    /// added and removed, counting word pieces of changed lines.
    public static func stats(_ changes: [LineChange]) -> (added: Int, removed: Int, changed: Int, charsAdded: Int, charsRemoved: Int) {
        var added = 0, removed = 0, changed = 0, charsAdded = 0, charsRemoved = 0
        for change in changes {
            switch change.kind {
            case .same: continue
            case .added: added += 1
            case .removed: removed += 1
            case .changed: changed += 1
            }
            for piece in change.pieces {
                switch piece {
                case .same: break
                case .added(let s): charsAdded += s.count
                case .removed(let s): charsRemoved += s.count
                }
            }
        }
        return (added, removed, changed, charsAdded, charsRemoved)
    }
}

// MARK: - Exact text keys

/// Text compared and hashed by its exact UTF-8 bytes. Cheaper than `String` hashing, which
/// normalises non-ASCII text, and it shows a change of Unicode normalisation form as a change.
struct ExactText: Hashable {
    let text: String
    private let bytesHash: Int

    init(_ text: String) {
        var text = text
        text.makeContiguousUTF8()
        self.text = text
        var hasher = Hasher()
        let done: Void? = text.utf8.withContiguousStorageIfAvailable { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        if done == nil { hasher.combine(Array(text.utf8)) }
        bytesHash = hasher.finalize()
    }

    func hash(into hasher: inout Hasher) { hasher.combine(bytesHash) }

    static func == (lhs: ExactText, rhs: ExactText) -> Bool {
        guard lhs.bytesHash == rhs.bytesHash else { return false }
        let l = lhs.text.utf8, r = rhs.text.utf8
        guard l.count == r.count else { return false }
        let same = l.withContiguousStorageIfAvailable { lb in
            r.withContiguousStorageIfAvailable { rb in
                lb.isEmpty || memcmp(lb.baseAddress!, rb.baseAddress!, lb.count) == 0
            }
        }
        return (same ?? nil) ?? l.elementsEqual(r)
    }
}

// MARK: - Myers O(ND), linear space

/// Index-based edit script produced by `Myers`.
enum Edit: Equatable {
    case same(Int, Int), removed(Int), added(Int)
}

/// Myers' O(ND) difference algorithm with divide and conquer on the middle snake.
/// Each call strips the common prefix and suffix; a non-trivial remainder is split at a point
/// on an optimal path, found by running the forward and reverse searches until they overlap.
final class Myers<T: Equatable> {
    private let a: [T]
    private let b: [T]
    private var forward: [Int]
    private var backward: [Int]
    private var out: [Edit] = []
    private let costLimit: Int
    private var exceeded = false
    private var editCount = 0

    private init(_ a: [T], _ b: [T], costLimit: Int) {
        self.a = a
        self.b = b
        self.costLimit = costLimit
        let size = 2 * ((a.count + b.count + 1) / 2) + 2
        forward = [Int](repeating: -1, count: size)
        backward = [Int](repeating: -1, count: size)
        out.reserveCapacity(max(a.count, b.count))
    }

    /// Edit script turning `a` into `b`; removals precede additions within each run of changes.
    static func edits(_ a: [T], _ b: [T]) -> [Edit] {
        edits(a, b, costLimit: .max)!
    }

    /// As `edits(_:_:)`, or nil when the script needs more than `costLimit` insertions and deletions.
    static func edits(_ a: [T], _ b: [T], costLimit: Int) -> [Edit]? {
        let myers = Myers(a, b, costLimit: costLimit)
        myers.solve(0, a.count, 0, b.count)
        return myers.exceeded ? nil : normalised(myers.out)
    }

    private func solve(_ aStart: Int, _ aEnd: Int, _ bStart: Int, _ bEnd: Int) {
        if exceeded { return }
        var aLo = aStart, aHi = aEnd, bLo = bStart, bHi = bEnd
        while aLo < aHi && bLo < bHi && a[aLo] == b[bLo] {
            out.append(.same(aLo, bLo))
            aLo += 1
            bLo += 1
        }
        var suffix = 0
        while aLo < aHi && bLo < bHi && a[aHi - 1] == b[bHi - 1] {
            aHi -= 1
            bHi -= 1
            suffix += 1
        }
        if aLo < aHi && bLo < bHi, let (x, y) = split(aLo, aHi, bLo, bHi) {
            solve(aLo, x, bLo, y)
            solve(x, aHi, y, bHi)
        } else if exceeded {
            return
        } else {
            // One side is empty, or the sides have nothing in common (no meeting point).
            for i in aLo..<aHi { out.append(.removed(i)) }
            for j in bLo..<bHi { out.append(.added(j)) }
            editCount += (aHi - aLo) + (bHi - bLo)
            if editCount > costLimit {
                exceeded = true
                return
            }
        }
        for s in 0..<suffix { out.append(.same(aHi + s, bHi + s)) }
    }

    /// A point (absolute indices) where the forward and reverse searches meet on an optimal path;
    /// nil when the sides have nothing in common. `backward` holds reverse-search x distances
    /// measured from the box's far corner. Also nil, setting `exceeded`, once the box is known to
    /// need more than `costLimit` edits.
    private func split(_ aLo: Int, _ aHi: Int, _ bLo: Int, _ bHi: Int) -> (Int, Int)? {
        let n = aHi - aLo, m = bHi - bLo
        if abs(n - m) > costLimit {
            exceeded = true
            return nil
        }
        let maxD = (n + m + 1) / 2
        let offset = maxD
        let length = 2 * maxD + 2
        for k in 0..<length {
            forward[k] = -1
            backward[k] = -1
        }
        forward[offset + 1] = 0
        backward[offset + 1] = 0
        let delta = n - m
        let oddDelta = delta & 1 != 0
        // Diagonals that left the box are trimmed from the search.
        var fStartTrim = 0, fEndTrim = 0, bStartTrim = 0, bEndTrim = 0

        for d in 0..<maxD {
            var k = -d + fStartTrim
            while k <= d - fEndTrim {
                let index = offset + k
                var x = (k == -d || (k != d && forward[index - 1] < forward[index + 1]))
                    ? forward[index + 1] : forward[index - 1] + 1
                var y = x - k
                while x < n && y < m && a[aLo + x] == b[bLo + y] {
                    x += 1
                    y += 1
                }
                forward[index] = x
                if x > n {
                    fEndTrim += 2
                } else if y > m {
                    fStartTrim += 2
                } else if oddDelta {
                    let other = offset + delta - k
                    if other >= 0 && other < length && backward[other] != -1 {
                        let bx = backward[other]
                        let by = bx - (delta - k)
                        if x >= n - bx && bx <= n && by >= 0 && by <= m {
                            return (aLo + x, bLo + y)
                        }
                    }
                }
                k += 2
            }

            k = -d + bStartTrim
            while k <= d - bEndTrim {
                let index = offset + k
                var x = (k == -d || (k != d && backward[index - 1] < backward[index + 1]))
                    ? backward[index + 1] : backward[index - 1] + 1
                var y = x - k
                while x < n && y < m && a[aHi - 1 - x] == b[bHi - 1 - y] {
                    x += 1
                    y += 1
                }
                backward[index] = x
                if x > n {
                    bEndTrim += 2
                } else if y > m {
                    bStartTrim += 2
                } else if !oddDelta {
                    let other = offset + delta - k
                    if other >= 0 && other < length && forward[other] != -1 {
                        let fx = forward[other]
                        let fy = fx - (delta - k)
                        if fx >= n - x && fx <= n && fy >= 0 && fy <= m {
                            return (aLo + fx, bLo + fy)
                        }
                    }
                }
                k += 2
            }
            // No meeting point yet: the box needs at least 2d + 1 edits.
            if 2 * d + 1 > costLimit {
                exceeded = true
                return nil
            }
        }
        return nil
    }

    /// Reorders each maximal run of non-`same` edits so removals come first.
    fileprivate static func normalised(_ edits: [Edit]) -> [Edit] {
        var result: [Edit] = []
        result.reserveCapacity(edits.count)
        var added: [Edit] = []
        for edit in edits {
            switch edit {
            case .same:
                result += added
                added.removeAll(keepingCapacity: true)
                result.append(edit)
            case .removed:
                result.append(edit)
            case .added:
                added.append(edit)
            }
        }
        result += added
        return result
    }
}

extension Myers where T == Int {
    /// Like `edits`, for non-negative ids: ids found on one side only can never match, so they are
    /// set aside before the search, which keeps heavily rewritten texts cheap. `costLimit` applies
    /// to what remains.
    static func editsSkippingUnique(_ a: [Int], _ b: [Int], costLimit: Int = .max) -> [Edit]? {
        let idCount = max(a.max() ?? -1, b.max() ?? -1) + 1
        var inA = [Bool](repeating: false, count: idCount)
        var inB = [Bool](repeating: false, count: idCount)
        for id in a { inA[id] = true }
        for id in b { inB[id] = true }
        let keptA = a.indices.filter { inB[a[$0]] }
        let keptB = b.indices.filter { inA[b[$0]] }
        if keptA.count == a.count && keptB.count == b.count { return edits(a, b, costLimit: costLimit) }
        guard let reduced = edits(keptA.map { a[$0] }, keptB.map { b[$0] }, costLimit: costLimit) else { return nil }

        var result: [Edit] = []
        result.reserveCapacity(a.count + b.count)
        var nextA = 0, nextB = 0
        func removed(upTo end: Int) {
            while nextA < end { result.append(.removed(nextA)); nextA += 1 }
        }
        func added(upTo end: Int) {
            while nextB < end { result.append(.added(nextB)); nextB += 1 }
        }
        for edit in reduced {
            switch edit {
            case .same(let i, let j):
                removed(upTo: keptA[i])
                added(upTo: keptB[j])
                result.append(.same(keptA[i], keptB[j]))
                nextA += 1
                nextB += 1
            case .removed(let i):
                removed(upTo: keptA[i] + 1)
            case .added(let j):
                added(upTo: keptB[j] + 1)
            }
        }
        removed(upTo: a.count)
        added(upTo: b.count)
        return Myers<Int>.normalised(result)
    }
}
