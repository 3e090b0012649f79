// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "cpmg",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "cpmg", targets: ["cpmg"]),
    ],
    dependencies: [
        .package(url: "https://github.com/vapor/vapor.git", from: "4.110.0"),
        .package(url: "https://github.com/vapor/fluent.git", from: "4.12.0"),
        .package(url: "https://github.com/vapor/fluent-sqlite-driver.git", from: "4.8.0"),
        .package(url: "https://github.com/vapor/fluent-postgres-driver.git", from: "2.10.0"),
        .package(url: "https://github.com/JohnSundell/Plot.git", from: "0.14.0"),
        .package(url: "https://github.com/JohnSundell/Ink.git", from: "0.6.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.1.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.5.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation.git", from: "0.9.19"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
    ],
    targets: [
        .executableTarget(
            name: "cpmg",
            dependencies: ["App"]
        ),
        .target(
            name: "App",
            dependencies: [
                "CSVParser",
                "TextExtraction",
                "OAIPMH",
                "Syndication",
                "RegionMap",
                "TextDiff",
                "ICalendar",
                "Charts",
                "StatImport",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "Fluent", package: "fluent"),
                .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
                .product(name: "Plot", package: "Plot"),
                .product(name: "Ink", package: "Ink"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        /// RFC 4180 CSV reading with row and column positions for error messages; no Vapor.
        .target(name: "CSVParser"),
        /// File type sniffing and full-text extraction (pdftotext, OOXML/ODF XML, HTML); no Vapor.
        .target(
            name: "TextExtraction",
            dependencies: [.product(name: "ZIPFoundation", package: "ZIPFoundation")]
        ),
        /// OAI-PMH 2.0 requests, errors, resumption tokens and oai_dc responses; no Vapor.
        .target(name: "OAIPMH", dependencies: ["XMLSupport"]),
        /// Atom feeds, sitemaps and citation formats (BibTeX, RIS, a formatted reference); no Vapor.
        .target(name: "Syndication", dependencies: ["XMLSupport"]),
        /// Escaped XML writing, UTC date formatting and a small reader, shared by the formats above.
        .target(name: "XMLSupport"),
        /// A server-rendered SVG map of the Caribbean with linked markers, classes and a legend; no Vapor.
        .target(name: "RegionMap"),
        /// Line and word differences between two texts (Myers), with hunks and statistics; no Vapor.
        .target(name: "TextDiff"),
        /// iCalendar (RFC 5545) writing: events, VTIMEZONE from the zone data, escaping, folding; no Vapor.
        .target(name: "ICalendar"),
        /// Server-rendered SVG charts (line, bars, stacked bars, sparklines) with axes, legends and sources; no Vapor.
        .target(name: "Charts"),
        /// Statistical CSV uploads (tidy, wide, SDMX-CSV) read and checked, every problem by line and column; no Vapor.
        .target(name: "StatImport"),
        .testTarget(
            name: "AppTests",
            dependencies: [
                "App",
                "XMLSupport",
                .product(name: "VaporTesting", package: "vapor"),
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        .testTarget(name: "CSVParserTests", dependencies: ["CSVParser"]),
        .testTarget(
            name: "TextExtractionTests",
            dependencies: ["TextExtraction", .product(name: "ZIPFoundation", package: "ZIPFoundation")]
        ),
        .testTarget(name: "OAIPMHTests", dependencies: ["OAIPMH", "XMLSupport"]),
        .testTarget(name: "SyndicationTests", dependencies: ["Syndication", "XMLSupport"]),
        .testTarget(name: "RegionMapTests", dependencies: ["RegionMap"]),
        .testTarget(name: "TextDiffTests", dependencies: ["TextDiff"]),
        .testTarget(name: "ICalendarTests", dependencies: ["ICalendar"]),
        .testTarget(name: "StatImportTests", dependencies: ["StatImport"]),
        .testTarget(name: "ChartsTests", dependencies: ["Charts"]),
    ]
)
