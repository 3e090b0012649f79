import Foundation

public struct OAIRecordHeader: Sendable, Hashable {
    /// e.g. `oai:cpmg.example.org:documents/<uuid>`; see `OAIIdentifierScheme`.
    public var identifier: String
    public var datestamp: Date
    /// e.g. `country:jm`, `theme:border-management`, `type:report`.
    public var setSpecs: [String]
    /// A deleted record keeps its header (`deletedRecord` is persistent) and loses its metadata.
    public var isDeleted: Bool

    public init(identifier: String, datestamp: Date, setSpecs: [String] = [], isDeleted: Bool = false) {
        self.identifier = identifier
        self.datestamp = datestamp
        self.setSpecs = setSpecs
        self.isDeleted = isDeleted
    }
}

public struct OAIRecord: Sendable, Hashable {
    public var header: OAIRecordHeader
    /// Ignored when the header is deleted.
    public var metadata: DublinCore?

    public init(header: OAIRecordHeader, metadata: DublinCore?) {
        self.header = header
        self.metadata = metadata
    }
}

/// Simple Dublin Core as oai_dc carries it. Every element may repeat, so every field is a list,
/// written in order (creators in author order).
public struct DublinCore: Sendable, Hashable {
    public var titles: [String]
    public var creators: [String]
    public var subjects: [String]
    public var descriptions: [String]
    public var publishers: [String]
    public var contributors: [String]
    /// ISO 8601 dates, e.g. `2018` or `2018-03-05`.
    public var dates: [String]
    public var types: [String]
    /// MIME types, e.g. `application/pdf`.
    public var formats: [String]
    /// Landing-page URLs and DOIs (see `doiIdentifiers(_:)`).
    public var identifiers: [String]
    public var sources: [String]
    /// ISO 639 codes, e.g. `en`, `es`.
    public var languages: [String]
    public var relations: [String]
    /// Country names.
    public var coverage: [String]
    public var rights: [String]

    public init(
        titles: [String] = [], creators: [String] = [], subjects: [String] = [], descriptions: [String] = [],
        publishers: [String] = [], contributors: [String] = [], dates: [String] = [], types: [String] = [],
        formats: [String] = [], identifiers: [String] = [], sources: [String] = [], languages: [String] = [],
        relations: [String] = [], coverage: [String] = [], rights: [String] = []
    ) {
        self.titles = titles
        self.creators = creators
        self.subjects = subjects
        self.descriptions = descriptions
        self.publishers = publishers
        self.contributors = contributors
        self.dates = dates
        self.types = types
        self.formats = formats
        self.identifiers = identifiers
        self.sources = sources
        self.languages = languages
        self.relations = relations
        self.coverage = coverage
        self.rights = rights
    }

    /// The element names and values in the conventional DC order.
    var elements: [(name: String, values: [String])] {
        [
            ("title", titles), ("creator", creators), ("subject", subjects), ("description", descriptions),
            ("publisher", publishers), ("contributor", contributors), ("date", dates), ("type", types),
            ("format", formats), ("identifier", identifiers), ("source", sources), ("language", languages),
            ("relation", relations), ("coverage", coverage), ("rights", rights),
        ]
    }

    /// A DOI in both forms harvesters look for: `https://doi.org/10.…` and `doi:10.…`. Accepts the
    /// bare DOI or either form (also `http://dx.doi.org/…`); empty when `doi` is not a DOI.
    public static func doiIdentifiers(_ doi: String) -> [String] {
        var bare = doi.trimmingCharacters(in: .whitespaces)
        for prefix in ["https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "http://dx.doi.org/", "doi:"]
        where bare.lowercased().hasPrefix(prefix) {
            bare = String(bare.dropFirst(prefix.count))
        }
        guard bare.hasPrefix("10."), bare.contains("/") else { return [] }
        return ["https://doi.org/" + bare, "doi:" + bare]
    }
}

public struct OAISet: Sendable, Hashable {
    /// e.g. `country:jm`; the colon makes `country` a set containing every `country:…` set.
    public var spec: String
    public var name: String
    /// Written as a `setDescription` holding an oai_dc `dc:description`.
    public var description: String?

    public init(spec: String, name: String, description: String? = nil) {
        self.spec = spec
        self.name = name
        self.description = description
    }
}

/// The `oai-identifier` scheme (http://www.openarchives.org/OAI/2.0/guidelines-oai-identifier.htm):
/// `oai:<repositoryIdentifier>:<local identifier>`.
public struct OAIIdentifierScheme: Sendable, Hashable {
    /// A domain name the repository controls, e.g. `cpmg.example.org`.
    public var repositoryIdentifier: String
    /// A local identifier shown in Identify, e.g. `documents/<some uuid>`.
    public var sampleLocalIdentifier: String

    public init(repositoryIdentifier: String, sampleLocalIdentifier: String) {
        self.repositoryIdentifier = repositoryIdentifier
        self.sampleLocalIdentifier = sampleLocalIdentifier
    }

    public func identifier(local: String) -> String {
        "oai:\(repositoryIdentifier):\(local)"
    }

    /// The local part of an identifier of this repository, or nil (an idDoesNotExist).
    public func localIdentifier(of identifier: String) -> String? {
        let prefix = "oai:\(repositoryIdentifier):"
        guard identifier.hasPrefix(prefix), identifier.count > prefix.count else { return nil }
        return String(identifier.dropFirst(prefix.count))
    }

    public var sampleIdentifier: String { identifier(local: sampleLocalIdentifier) }
}

/// What Identify says about the repository. Deleted records are persistent and the granularity is
/// seconds, as everything else in this module assumes.
public struct OAIRepository: Sendable, Hashable {
    public var name: String
    public var adminEmails: [String]
    /// The datestamp of the oldest record, deleted ones included.
    public var earliestDatestamp: Date
    public var identifierScheme: OAIIdentifierScheme

    public init(name: String, adminEmails: [String], earliestDatestamp: Date, identifierScheme: OAIIdentifierScheme) {
        self.name = name
        self.adminEmails = adminEmails
        self.earliestDatestamp = earliestDatestamp
        self.identifierScheme = identifierScheme
    }
}
