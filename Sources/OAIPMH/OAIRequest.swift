import Foundation

public enum OAIVerb: String, Sendable, CaseIterable {
    case identify = "Identify"
    case listMetadataFormats = "ListMetadataFormats"
    case listSets = "ListSets"
    case listIdentifiers = "ListIdentifiers"
    case listRecords = "ListRecords"
    case getRecord = "GetRecord"

    /// Every argument the verb may carry besides `verb` itself (protocol section 4).
    var arguments: Set<String> {
        switch self {
        case .identify: []
        case .listMetadataFormats: ["identifier"]
        case .listSets: ["resumptionToken"]
        case .listIdentifiers, .listRecords: ["metadataPrefix", "from", "until", "set", "resumptionToken"]
        case .getRecord: ["identifier", "metadataPrefix"]
        }
    }
}

/// The selective-harvesting arguments of ListIdentifiers and ListRecords.
public struct OAIListArguments: Sendable, Hashable {
    public var metadataPrefix: String
    public var set: String?
    public var from: OAIDate?
    public var until: OAIDate?

    public init(metadataPrefix: String = "oai_dc", set: String? = nil, from: OAIDate? = nil, until: OAIDate? = nil) {
        self.metadataPrefix = metadataPrefix
        self.set = set
        self.from = from
        self.until = until
    }

    /// Records match when `fromInclusive <= datestamp < untilExclusive` (either bound may be absent).
    public var fromInclusive: Date? { from?.date }
    public var untilExclusive: Date? { until?.end }
}

/// A list request starts either from its arguments or from a resumption token, never both.
public enum OAIListStart: Sendable, Hashable {
    case arguments(OAIListArguments)
    case resumptionToken(String)
}

/// A syntactically valid OAI-PMH request. Parsing checks everything the protocol lets a
/// repository check without its data; unknown identifiers, empty lists and token contents are the
/// caller's (see `ResumptionToken`).
public enum OAIRequest: Sendable, Hashable {
    case identify
    case listMetadataFormats(identifier: String?)
    case listSets(resumptionToken: String?)
    case listIdentifiers(OAIListStart)
    case listRecords(OAIListStart)
    case getRecord(identifier: String, metadataPrefix: String)

    /// Parses query or form parameters in the order received (names may repeat).
    /// - Parameter metadataPrefixes: the formats the repository disseminates; any other
    ///   `metadataPrefix` is cannotDisseminateFormat.
    /// - Throws: badVerb, then badArgument, then cannotDisseminateFormat, in that precedence.
    public init(parameters: [(String, String)], metadataPrefixes: Set<String> = ["oai_dc"]) throws(OAIError) {
        let verbs = parameters.filter { $0.0 == "verb" }.map(\.1)
        guard verbs.count <= 1 else { throw OAIError(.badVerb, "The verb argument is repeated.") }
        guard let verbText = verbs.first else { throw OAIError(.badVerb, "The verb argument is missing.") }
        guard let verb = OAIVerb(rawValue: verbText) else {
            throw OAIError(.badVerb, "'\(verbText)' is not an OAI-PMH verb.")
        }

        var arguments: [String: String] = [:]
        for (name, value) in parameters where name != "verb" {
            guard verb.arguments.contains(name) else {
                throw OAIError(.badArgument, "'\(name)' is not an argument of \(verb.rawValue).")
            }
            guard arguments[name] == nil else { throw OAIError(.badArgument, "The argument '\(name)' is repeated.") }
            guard !value.isEmpty else { throw OAIError(.badArgument, "The argument '\(name)' is empty.") }
            arguments[name] = value
        }

        func prefix(_ value: String?) throws(OAIError) -> String {
            guard let value else { throw OAIError(.badArgument, "\(verb.rawValue) requires metadataPrefix.") }
            guard metadataPrefixes.contains(value) else {
                throw OAIError(.cannotDisseminateFormat, "The metadata format '\(value)' is not supported; use oai_dc.")
            }
            return value
        }

        switch verb {
        case .identify:
            self = .identify
        case .listMetadataFormats:
            self = .listMetadataFormats(identifier: arguments["identifier"])
        case .listSets:
            self = .listSets(resumptionToken: arguments["resumptionToken"])
        case .getRecord:
            guard let identifier = arguments["identifier"] else {
                throw OAIError(.badArgument, "GetRecord requires identifier.")
            }
            self = .getRecord(identifier: identifier, metadataPrefix: try prefix(arguments["metadataPrefix"]))
        case .listIdentifiers, .listRecords:
            let start: OAIListStart
            if let token = arguments["resumptionToken"] {
                guard arguments.count == 1 else {
                    throw OAIError(.badArgument, "resumptionToken is an exclusive argument.")
                }
                start = .resumptionToken(token)
            } else {
                let from = try Self.date(arguments["from"], name: "from")
                let until = try Self.date(arguments["until"], name: "until")
                if let from, let until {
                    guard from.granularity == until.granularity else {
                        throw OAIError(.badArgument, "from and until must have the same granularity.")
                    }
                    guard from.date <= until.date else { throw OAIError(.badArgument, "from is later than until.") }
                }
                // The prefix is checked last so that a badArgument outranks cannotDisseminateFormat.
                let metadataPrefix = try prefix(arguments["metadataPrefix"])
                start = .arguments(OAIListArguments(
                    metadataPrefix: metadataPrefix, set: arguments["set"], from: from, until: until
                ))
            }
            self = verb == .listRecords ? .listRecords(start) : .listIdentifiers(start)
        }
    }

    private static func date(_ text: String?, name: String) throws(OAIError) -> OAIDate? {
        guard let text else { return nil }
        guard let date = OAIDate(text) else {
            throw OAIError(
                .badArgument,
                "\(name) must be YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ (UTC); finer granularity is not supported."
            )
        }
        return date
    }

    public var verb: OAIVerb {
        switch self {
        case .identify: .identify
        case .listMetadataFormats: .listMetadataFormats
        case .listSets: .listSets
        case .listIdentifiers: .listIdentifiers
        case .listRecords: .listRecords
        case .getRecord: .getRecord
        }
    }

    /// The request's arguments, `verb` first, as the response's `request` element echoes them.
    public var arguments: [(name: String, value: String)] {
        var result: [(name: String, value: String)] = [("verb", verb.rawValue)]
        func add(_ name: String, _ value: String?) {
            if let value { result.append((name, value)) }
        }
        switch self {
        case .identify:
            break
        case let .listMetadataFormats(identifier):
            add("identifier", identifier)
        case let .listSets(token):
            add("resumptionToken", token)
        case let .listIdentifiers(start), let .listRecords(start):
            switch start {
            case let .resumptionToken(token):
                add("resumptionToken", token)
            case let .arguments(list):
                add("metadataPrefix", list.metadataPrefix)
                add("set", list.set)
                add("from", list.from?.text)
                add("until", list.until?.text)
            }
        case let .getRecord(identifier, metadataPrefix):
            add("identifier", identifier)
            add("metadataPrefix", metadataPrefix)
        }
        return result
    }
}
