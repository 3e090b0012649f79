/// An OAI-PMH error condition (protocol section 3.6), written as `<error code="…">message</error>`.
public struct OAIError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, CaseIterable {
        case badArgument
        case badResumptionToken
        case badVerb
        case cannotDisseminateFormat
        case idDoesNotExist
        case noRecordsMatch
        case noMetadataFormats
        case noSetHierarchy
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }

    /// After these two the response's `request` element must carry no attributes (section 3.2).
    var forbidsEcho: Bool { code == .badVerb || code == .badArgument }
}
