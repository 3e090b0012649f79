import Fluent
import Foundation

/// One of the Caribbean countries and territories the platform covers (ISO 3166-1).
public final class Country: Model, @unchecked Sendable {
    public static let schema = "countries"

    public enum Status: String, Codable, Sendable { case sovereign, territory }

    @ID(key: .id) public var id: UUID?
    /// Upper-case ISO 3166-1 alpha-2, e.g. "JM".
    @Field(key: "iso2") public var iso2: String
    @Field(key: "iso3") public var iso3: String
    @Field(key: "m49") public var m49: String
    @Field(key: "name") public var name: String
    @Enum(key: "status") public var status: Status
    @OptionalField(key: "sovereign_state") public var sovereignState: String?
    /// Official languages, separated by ";" as in the reference file.
    @Field(key: "official_languages") public var officialLanguages: String
    @Field(key: "capital") public var capital: String
    @Field(key: "capital_lat") public var capitalLatitude: Double
    @Field(key: "capital_lng") public var capitalLongitude: Double
    @Field(key: "currency") public var currency: String
    @Field(key: "timezone") public var timeZone: String
    @Field(key: "cmc_participant") public var cmcParticipant: Bool
    @Field(key: "needs_assessment_2018") public var needsAssessment2018: Bool
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) public var updatedAt: Date?

    public init() {}

    /// The name in `language`, from the system's region names, falling back to the English one.
    public func localizedName(_ language: Language) -> String {
        if language == .en { return name }
        return Locale(identifier: language.rawValue).localizedString(forRegionCode: iso2) ?? name
    }
}
