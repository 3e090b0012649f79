import Foundation
import XMLSupport

/// Writes complete OAI-PMH response documents (UTF-8 XML with declaration). The writer does not
/// decide protocol outcomes that need data: an empty list must be answered with
/// `error([OAIError(.noRecordsMatch, …)], …)`, an unknown identifier with idDoesNotExist.
public struct OAIResponse: Sendable {
    /// The repository's base URL, echoed in `request` and in Identify.
    public var baseURL: String
    public var responseDate: Date

    public init(baseURL: String, responseDate: Date = Date()) {
        self.baseURL = baseURL
        self.responseDate = responseDate
    }

    static let namespace = "http://www.openarchives.org/OAI/2.0/"
    static let xsi = "http://www.w3.org/2001/XMLSchema-instance"
    static let oaiDCNamespace = "http://www.openarchives.org/OAI/2.0/oai_dc/"
    static let oaiDCSchema = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"
    static let dcNamespace = "http://purl.org/dc/elements/1.1/"

    // MARK: - Verbs

    public func identify(_ repository: OAIRepository) -> String {
        document(arguments: OAIRequest.identify.arguments) { w in
            w.element("Identify") { w in
                w.element("repositoryName", text: repository.name)
                w.element("baseURL", text: baseURL)
                w.element("protocolVersion", text: "2.0")
                w.elements("adminEmail", repository.adminEmails)
                w.element("earliestDatestamp", text: OAIDatestamp.string(repository.earliestDatestamp))
                w.element("deletedRecord", text: "persistent")
                w.element("granularity", text: "YYYY-MM-DDThh:mm:ssZ")
                w.element("description") { w in
                    let ns = "http://www.openarchives.org/OAI/2.0/oai-identifier"
                    w.element("oai-identifier", [
                        ("xmlns", ns), ("xmlns:xsi", Self.xsi),
                        ("xsi:schemaLocation", "\(ns) http://www.openarchives.org/OAI/2.0/oai-identifier.xsd"),
                    ]) { w in
                        let scheme = repository.identifierScheme
                        w.element("scheme", text: "oai")
                        w.element("repositoryIdentifier", text: scheme.repositoryIdentifier)
                        w.element("delimiter", text: ":")
                        w.element("sampleIdentifier", text: scheme.sampleIdentifier)
                    }
                }
            }
        }
    }

    /// oai_dc is the only format, and every record has it.
    public func listMetadataFormats(request: OAIRequest) -> String {
        document(arguments: request.arguments) { w in
            w.element("ListMetadataFormats") { w in
                w.element("metadataFormat") { w in
                    w.element("metadataPrefix", text: "oai_dc")
                    w.element("schema", text: Self.oaiDCSchema)
                    w.element("metadataNamespace", text: Self.oaiDCNamespace)
                }
            }
        }
    }

    public func listSets(_ sets: [OAISet], resumption: OAIResumption? = nil, request: OAIRequest) -> String {
        document(arguments: request.arguments) { w in
            w.element("ListSets") { w in
                for set in sets {
                    w.element("set") { w in
                        w.element("setSpec", text: set.spec)
                        w.element("setName", text: set.name)
                        if let description = set.description {
                            w.element("setDescription") { w in
                                Self.writeDublinCore(DublinCore(descriptions: [description]), to: &w)
                            }
                        }
                    }
                }
                Self.write(resumption, to: &w)
            }
        }
    }

    public func listIdentifiers(_ headers: [OAIRecordHeader], resumption: OAIResumption? = nil, request: OAIRequest) -> String {
        document(arguments: request.arguments) { w in
            w.element("ListIdentifiers") { w in
                for header in headers { Self.write(header, to: &w) }
                Self.write(resumption, to: &w)
            }
        }
    }

    public func listRecords(_ records: [OAIRecord], resumption: OAIResumption? = nil, request: OAIRequest) -> String {
        document(arguments: request.arguments) { w in
            w.element("ListRecords") { w in
                for record in records { Self.write(record, to: &w) }
                Self.write(resumption, to: &w)
            }
        }
    }

    public func getRecord(_ record: OAIRecord, request: OAIRequest) -> String {
        document(arguments: request.arguments) { w in
            w.element("GetRecord") { w in Self.write(record, to: &w) }
        }
    }

    /// An error response. `parameters` are the request's parameters as received: they are echoed
    /// unless an error is badVerb or badArgument, where the protocol allows only the base URL.
    public func error(_ errors: [OAIError], parameters: [(String, String)]) -> String {
        let echo = errors.contains(where: \.forbidsEcho) ? [] : parameters.map { (name: $0.0, value: $0.1) }
        return document(arguments: echo) { w in
            for error in errors {
                w.element("error", [("code", error.code.rawValue)], text: error.message)
            }
        }
    }

    // MARK: - Parts

    private func document(arguments: [(name: String, value: String)], body: (inout XMLWriter) -> Void) -> String {
        var w = XMLWriter()
        w.element("OAI-PMH", [
            ("xmlns", Self.namespace), ("xmlns:xsi", Self.xsi),
            ("xsi:schemaLocation", "\(Self.namespace) http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"),
        ]) { w in
            w.element("responseDate", text: OAIDatestamp.string(responseDate))
            w.element("request", arguments.map { ($0.name, $0.value) }, text: baseURL)
            body(&w)
        }
        return w.output
    }

    private static func write(_ header: OAIRecordHeader, to w: inout XMLWriter) {
        w.element("header", [("status", header.isDeleted ? "deleted" : nil)]) { w in
            w.element("identifier", text: header.identifier)
            w.element("datestamp", text: OAIDatestamp.string(header.datestamp))
            w.elements("setSpec", header.setSpecs)
        }
    }

    private static func write(_ record: OAIRecord, to w: inout XMLWriter) {
        w.element("record") { w in
            write(record.header, to: &w)
            if !record.header.isDeleted, let metadata = record.metadata {
                w.element("metadata") { w in writeDublinCore(metadata, to: &w) }
            }
        }
    }

    private static func write(_ resumption: OAIResumption?, to w: inout XMLWriter) {
        guard let resumption else { return }
        w.element("resumptionToken", [
            ("expirationDate", resumption.expirationDate.map(OAIDatestamp.string)),
            ("completeListSize", resumption.completeListSize.map(String.init)),
            ("cursor", resumption.cursor.map(String.init)),
        ], text: resumption.token)
    }

    private static func writeDublinCore(_ dc: DublinCore, to w: inout XMLWriter) {
        w.element("oai_dc:dc", [
            ("xmlns:oai_dc", oaiDCNamespace), ("xmlns:dc", dcNamespace), ("xmlns:xsi", xsi),
            ("xsi:schemaLocation", "\(oaiDCNamespace) \(oaiDCSchema)"),
        ]) { w in
            for (name, values) in dc.elements { w.elements("dc:" + name, values) }
        }
    }
}
