import Fluent
import Foundation
import Vapor

/// Synthetic series for benchmarks (`cpmg demo-data --observations N`): one published dataset,
/// `demo-synthetic`, whose title, indicators and caveats say plainly that the numbers are made up.
/// Indicators `demo_1` … each hold every area × year (1960–2024) × sex; `demo_big` also has 16 age
/// groups (over 100,000 rows) for download benchmarks.
enum DemoStatistics {
    static func create(observations: Int, app: Application, seed: UInt64) async throws {
        let db = app.db
        guard try await StatisticsSeed.missing("demo-synthetic", db) else { throw CommandFailure("the synthetic dataset already exists") }
        let areas = try await Country.query(on: db).all().map(\.iso2).sorted()
        let years = Array(1960...2024)
        let perIndicator = areas.count * years.count * 3
        let big = areas.count * years.count * 3 * 16
        let indicators = max(1, (observations - min(observations, big)) / perIndicator)
        var random = SeededRandom(seed: seed)
        var progress = Progress(title: "Creating observations", total: observations)
        var rows: [StatisticsSeed.Observation] = []
        var done = 0
        try await StatisticsSeed.dataset(slug: "demo-synthetic", title: "Synthetic series (demo data — not real figures)",
                                         description: "Made-up numbers for trying the statistics centre and measuring it. Not real data.",
                                         source: "cpmg demo-data (synthetic)", url: "", licence: "None (synthetic)",
                                         caveats: "Every number in this dataset is random. Do not use it.", observations: [], db: db, now: app.cpmg.now())
        guard let dataset = try await StatDataset.query(on: db).filter(\.$slug == "demo-synthetic").first() else { return }
        let id = try dataset.requireID()
        func flush(_ force: Bool) async throws {
            guard force || rows.count >= 30_000 else { return }
            let batch = rows
            rows.removeAll(keepingCapacity: true)
            try await db.transaction { db in try await StatisticsSeed.insert(batch, dataset: id, db: db) }
            done += batch.count
            progress.update(min(done, observations))
        }
        for n in 0...indicators {
            let code = n == 0 ? "demo_big" : "demo_\(n)"
            try await StatisticsSeed.indicator(code: code, name: "Synthetic series \(code) (not real)", definition: "Random numbers for benchmarks.",
                                               unit: "persons", themes: "population-development", source: "cpmg demo-data (synthetic)", licence: "None",
                                               disaggregations: "sex", derivation: "Random walk; not real data.", db: db)
            for area in areas {
                var level = Double(random.next() % 100_000 + 1_000)
                for year in years {
                    level = max(0, level * (0.95 + Double(random.next() % 1000) / 10_000))
                    let female = (level * (0.4 + Double(random.next() % 200) / 1000)).rounded()
                    let male = level.rounded() - female
                    for (sex, value) in [("T", level.rounded()), ("F", female), ("M", male)] {
                        if n == 0 {
                            for age in 0..<16 {
                                rows.append(.init(indicator: code, area: area, year: year, sex: sex, value: (value / 16).rounded(), age: "\(age * 5)-\(age * 5 + 4)"))
                            }
                        } else {
                            rows.append(.init(indicator: code, area: area, year: year, sex: sex, value: value))
                        }
                    }
                }
                try await flush(false)
            }
            if done + rows.count >= observations { break }
        }
        try await flush(true)
        try await StatisticsIndexing.indexAll(app: app, db: db)
    }

    /// SplitMix64: the same series for the same seed.
    struct SeededRandom {
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
}
