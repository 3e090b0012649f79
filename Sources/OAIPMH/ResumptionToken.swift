import Foundation

/// The state of an incomplete list between two requests, carried by the harvester as an opaque,
/// URL-safe, signed string: `1.<payload>.<mac>` (base64url JSON, then a 128-bit HMAC-SHA-256 over
/// `1.<payload>` with a key only the server knows). Nothing is stored on the server, so any
/// instance can answer the next request.
///
/// Paging is by keyset, not offset: a list is ordered by (datestamp, identifier), and the next
/// page starts strictly after `after`. Records added or changed while a harvest runs therefore
/// never shift the pages; a changed record gets a newer datestamp and comes again at the end.
public struct ResumptionToken: Sendable, Hashable {
    /// The last item of the page already sent. Query the next page with
    /// `datestamp > d OR (datestamp = d AND identifier > i)`, ordered by datestamp then identifier.
    public struct Position: Sendable, Hashable {
        /// Exactly as the database sorts it, sub-second part included; nil for ListSets.
        public var datestamp: Date?
        /// The record identifier, or the setSpec for ListSets.
        public var identifier: String

        public init(datestamp: Date?, identifier: String) {
            self.datestamp = datestamp
            self.identifier = identifier
        }
    }

    /// The list's arguments; nil for a ListSets token.
    public var arguments: OAIListArguments?
    public var after: Position
    /// Items sent before the next page: the next response's `cursor`.
    public var sent: Int
    public var expires: Date?

    public init(arguments: OAIListArguments?, after: Position, sent: Int, expires: Date? = nil) {
        self.arguments = arguments
        self.after = after
        self.sent = sent
        self.expires = expires
    }

    private static let version = "1"
    private static let macLength = 16

    /// Short keys keep the token short in the harvester's URLs. Dates are seconds since the
    /// reference date, which is how `Date` stores them, so they survive the trip bit for bit.
    private struct Payload: Codable {
        var p: String?
        var s: String?
        var f: String?
        var u: String?
        var d: Double?
        var i: String
        var n: Int
        var x: Double?
    }

    public func encoded(key: [UInt8]) -> String {
        let payload = Payload(
            p: arguments?.metadataPrefix, s: arguments?.set, f: arguments?.from?.text, u: arguments?.until?.text,
            d: after.datestamp?.timeIntervalSinceReferenceDate, i: after.identifier, n: sent,
            x: expires?.timeIntervalSinceReferenceDate
        )
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        // Encoding a struct of strings and numbers cannot fail.
        let json = (try? encoder.encode(payload)) ?? Data()
        let signed = Self.version + "." + Base64URL.encode(Array(json))
        let mac = HMAC.sha256(key: key, message: Array(signed.utf8)).prefix(Self.macLength)
        return signed + "." + Base64URL.encode(Array(mac))
    }

    /// Decodes a token this repository issued for `verb`.
    /// - Throws: badResumptionToken when the token is malformed, was not signed with `key`, has
    ///   expired, or belongs to another kind of list.
    public init(decoding text: String, for verb: OAIVerb, key: [UInt8], now: Date = Date()) throws(OAIError) {
        let invalid = OAIError(.badResumptionToken, "The resumption token is invalid.")
        let pieces = text.split(separator: ".", omittingEmptySubsequences: false)
        guard pieces.count == 3, pieces[0] == Self.version,
              let json = Base64URL.decode(pieces[1]), let mac = Base64URL.decode(pieces[2])
        else { throw invalid }
        let expected = HMAC.sha256(key: key, message: Array("\(pieces[0]).\(pieces[1])".utf8)).prefix(Self.macLength)
        guard HMAC.equal(Array(expected), mac),
              let payload = try? JSONDecoder().decode(Payload.self, from: Data(json)),
              payload.n >= 0
        else { throw invalid }

        if let x = payload.x {
            let expires = Date(timeIntervalSinceReferenceDate: x)
            guard now <= expires else { throw OAIError(.badResumptionToken, "The resumption token has expired.") }
            self.expires = expires
        } else {
            self.expires = nil
        }
        if let prefix = payload.p {
            let from = payload.f.flatMap(OAIDate.init)
            let until = payload.u.flatMap(OAIDate.init)
            guard (payload.f == nil) == (from == nil), (payload.u == nil) == (until == nil) else { throw invalid }
            arguments = OAIListArguments(metadataPrefix: prefix, set: payload.s, from: from, until: until)
        } else {
            arguments = nil
        }
        guard (arguments == nil) == (verb == .listSets), verb == .listSets || verb == .listIdentifiers || verb == .listRecords
        else { throw OAIError(.badResumptionToken, "The resumption token does not belong to \(verb.rawValue).") }
        after = Position(datestamp: payload.d.map(Date.init(timeIntervalSinceReferenceDate:)), identifier: payload.i)
        sent = payload.n
    }
}

extension OAIListStart {
    /// The list's arguments, and the token to continue from when the request resumes a list.
    public func resolve(
        for verb: OAIVerb, key: [UInt8], now: Date = Date()
    ) throws(OAIError) -> (arguments: OAIListArguments, previous: ResumptionToken?) {
        switch self {
        case let .arguments(arguments):
            return (arguments, nil)
        case let .resumptionToken(text):
            let token = try ResumptionToken(decoding: text, for: verb, key: key, now: now)
            guard let arguments = token.arguments else { throw OAIError(.badResumptionToken, "The resumption token is invalid.") }
            return (arguments, token)
        }
    }
}

/// The `resumptionToken` element of a list response.
public struct OAIResumption: Sendable, Hashable {
    /// Empty on the last page of a list that took more than one response.
    public var token: String
    public var completeListSize: Int?
    /// How many items of the list were sent before this response (0 on the first page).
    public var cursor: Int?
    public var expirationDate: Date?

    public init(token: String, completeListSize: Int? = nil, cursor: Int? = nil, expirationDate: Date? = nil) {
        self.token = token
        self.completeListSize = completeListSize
        self.cursor = cursor
        self.expirationDate = expirationDate
    }

    /// The protocol's flow control for one page (section 3.5): a list complete in one response
    /// has no resumptionToken (nil); an incomplete list gets a token to the next page; the last
    /// page of an incomplete list gets an empty token.
    ///
    /// Fetch one item more than the page size to know `hasMore`.
    /// - Parameters:
    ///   - count: items in this response.
    ///   - last: the position of this response's last item.
    ///   - arguments: the list's arguments (nil for ListSets).
    ///   - previous: the token this request resumed from, nil on the first page.
    public static func forPage(
        count: Int,
        last: ResumptionToken.Position?,
        hasMore: Bool,
        arguments: OAIListArguments?,
        previous: ResumptionToken?,
        completeListSize: Int?,
        key: [UInt8],
        expires: Date? = nil
    ) -> OAIResumption? {
        let cursor = previous?.sent ?? 0
        if hasMore, let last {
            let next = ResumptionToken(arguments: arguments, after: last, sent: cursor + count, expires: expires)
            return OAIResumption(
                token: next.encoded(key: key), completeListSize: completeListSize, cursor: cursor, expirationDate: expires
            )
        }
        guard previous != nil else { return nil }
        return OAIResumption(token: "", completeListSize: completeListSize, cursor: cursor)
    }
}

enum Base64URL {
    static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ text: Substring) -> [UInt8]? {
        guard text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else { return nil }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return Data(base64Encoded: base64).map(Array.init)
    }
}
