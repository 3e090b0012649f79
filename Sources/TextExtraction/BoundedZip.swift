import Foundation
import ZIPFoundation

/// Reads entries of a ZIP-based file while counting every decompressed byte against one budget,
/// so a small file that inflates to gigabytes (a "zip bomb") stops at the limit instead of
/// filling memory. The sizes an entry declares are checked first but never trusted.
final class BoundedZip {
    private let archive: Archive
    private var remaining: Int
    private let deadline: Deadline?

    /// Paths of all entries, in archive order.
    let paths: [String]

    init(url: URL, maxUncompressedBytes: Int, deadline: Deadline? = nil) throws(ExtractionError) {
        do {
            archive = try Archive(url: url, accessMode: .read)
        } catch {
            throw .corrupt("not a readable ZIP archive")
        }
        remaining = maxUncompressedBytes
        self.deadline = deadline
        paths = archive.map(\.path)
    }

    /// The bytes of the entry at `path`, or `nil` when there is none.
    func data(at path: String) throws(ExtractionError) -> Data? {
        guard let entry = archive[path], entry.type == .file else { return nil }
        guard entry.uncompressedSize <= UInt64(max(remaining, 0)) else { throw .tooLarge }
        var data = Data()
        var overBudget = false
        var outOfTime = false
        let checksum: CRC32
        do {
            checksum = try archive.extract(entry, skipCRC32: false) { [self] chunk in
                guard chunk.count <= remaining else {
                    overBudget = true
                    throw CancellationError()
                }
                if deadline?.hasPassed == true {
                    outOfTime = true
                    throw CancellationError()
                }
                remaining -= chunk.count
                data.append(chunk)
            }
        } catch {
            if overBudget { throw .tooLarge }
            if outOfTime { throw .timedOut }
            throw .corrupt("the ZIP entry \(path) is damaged")
        }
        guard checksum == entry.checksum else { throw .corrupt("the ZIP entry \(path) is damaged") }
        return data
    }
}

/// A point in time after which in-process work gives up.
struct Deadline: Sendable {
    let instant: ContinuousClock.Instant

    init(after duration: Duration) {
        instant = .now + duration
    }

    var remaining: Duration { instant - .now }
    var hasPassed: Bool { ContinuousClock.now >= instant }
}
