import Foundation
import Vapor

/// What the application holds for every feature: settings, catalog, mailer, job queue, clock.
/// Tests replace any of them (e.g. the clock) as plain values.
public struct Platform: Sendable {
    public var settings: Settings
    public var catalog: Catalog
    public var mailer: Mailer
    public var jobs: JobQueue
    public var assets: Assets
    public var blobs: any BlobStore
    public var references: ReferenceCache
    public var now: @Sendable () -> Date
}

extension Application {
    struct PlatformKey: StorageKey { typealias Value = Platform }

    public var cpmg: Platform {
        get {
            guard let services = storage[PlatformKey.self] else { fatalError("configure(_:) has not run") }
            return services
        }
        set { storage[PlatformKey.self] = newValue }
    }
}

extension Request {
    public var now: Date { application.cpmg.now() }
}

/// Random, URL-safe secrets and their stored form.
public enum Secret {
    /// 256 random bits, base64url without padding.
    public static func make() -> String {
        Data([UInt8].random(count: 32)).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// What the database keeps instead of the secret itself.
    public static func hash(_ secret: String) -> String {
        SHA256.hash(data: Data(secret.utf8)).map { byte in
            let digits = Array("0123456789abcdef")
            return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0f)]])
        }.joined()
    }

    /// Compares two strings in time independent of where they differ.
    public static func equal(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for i in x.indices { difference |= x[i] ^ y[i] }
        return difference == 0
    }
}
