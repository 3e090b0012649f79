import Fluent
import Foundation
import Vapor

/// `cpmg demo-data --documents N`: fills an empty repository with synthetic documents for
/// trying the platform and for the benchmark. The text is random but shaped like the real
/// thing: ~1,500 words drawn with a Zipf-like frequency from migration vocabulary and common
/// English, metadata spread over every country, theme, type, language and year.
struct DemoDataCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "documents", help: "how many documents to create (default 1000)")
        var documents: Int?
        @Option(name: "words", help: "words per document body (default 1500)")
        var words: Int?
        @Option(name: "seed", help: "random seed, for the same corpus every time (default 42)")
        var seed: Int?
        @Flag(name: "force", help: "add documents even when the repository is not empty")
        var force: Bool
        @Option(name: "observations", help: "also add a synthetic statistics dataset of about N observations (benchmarks; labelled as not real)")
        var observations: Int?
    }

    var help: String { "Fills an empty repository with N synthetic published documents, and with --observations a synthetic statistics dataset (for trying the platform and benchmarks)." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        if let observations = signature.observations {
            guard (1...10_000_000).contains(observations) else { throw CommandFailure("--observations: give a number from 1 to 10000000") }
            try await prepareDatabase(app)
            try await DemoStatistics.create(observations: observations, app: app, seed: UInt64(signature.seed ?? 42))
            context.console.print("Created about \(observations) synthetic observations (dataset demo-synthetic).")
            if signature.documents == nil { return }
        }
        let count = signature.documents ?? 1000
        guard (1...1_000_000).contains(count) else { throw CommandFailure("--documents: give a number from 1 to 1000000") }
        try await prepareDatabase(app)
        if !signature.force, try await Document.query(on: app.db).count() > 0 {
            throw CommandFailure("the repository already has documents; demo data goes into an empty one (or pass --force)")
        }
        let submitter = try await DemoData.submitter(app.db)
        var generator = DemoData.Generator(seed: UInt64(signature.seed ?? 42), words: signature.words ?? 1500)
        let references = try await DemoData.References.load(app.db)
        var progress = Progress(title: "Creating documents", total: count)
        var done = 0
        while done < count {
            let batch = min(250, count - done)
            var specs: [DemoData.Spec] = []
            for _ in 0..<batch { specs.append(generator.document(references)) }
            let ready = specs
            try await app.db.transaction { db in
                for spec in ready { try await DemoData.create(spec, submitter: submitter, app: app, db: db) }
            }
            done += batch
            progress.update(done)
        }
        context.console.print("Created \(count) demo documents.")
    }
}

enum DemoData {
    struct References {
        var countries: [Country]
        var themes: [Theme]
        var networks: [Network]

        static func load(_ db: any Database) async throws -> References {
            References(countries: try await Country.query(on: db).all(), themes: try await Theme.query(on: db).all(), networks: try await Network.query(on: db).all())
        }
    }

    struct Spec {
        var title: String
        var authors: [String]
        var publisher: String
        var abstract: String
        var body: String
        var year: Int
        var month: Int?
        var kind: Document.Kind
        var languages: [String]
        var countries: [Country]
        var regional: Bool
        var themes: [Theme]
        var network: Network?
        var visibility: Visibility
    }

    /// The account demo documents are recorded as submitted by.
    static func submitter(_ db: any Database) async throws -> User {
        if let user = try await User.query(on: db).filter(\.$email == "demo-data@cpmg.invalid").first() { return user }
        let user = User(name: "CPMG demo data", email: "demo-data@cpmg.invalid", passwordHash: "!", organisation: "CPMG",
                        organisationType: .other, countryISO2: nil, position: "", motivation: "", role: .member, status: .suspended)
        try await user.create(on: db)
        return user
    }

    static func create(_ spec: Spec, submitter: User, app: Application, db: any Database) async throws {
        let document = Document()
        document.title = spec.title
        document.abstract = spec.abstract
        document.authors = spec.authors
        document.publisher = spec.publisher
        document.year = spec.year
        document.month = spec.month
        document.kind = spec.kind
        document.languages = spec.languages
        document.regional = spec.regional
        document.$network.id = spec.network?.id
        document.rights = "CC BY 4.0"
        document.visibility = spec.visibility
        document.status = .published
        document.$submitter.id = try submitter.requireID()
        document.submittedAt = Date()
        document.publishedAt = Date()
        document.downloadCount = 0
        try await document.create(on: db)
        let id = try document.requireID()
        for country in spec.countries {
            let link = DocumentCountry()
            link.$document.id = id
            link.$country.id = try country.requireID()
            try await link.create(on: db)
        }
        for theme in spec.themes {
            let link = DocumentTheme()
            link.$document.id = id
            link.$theme.id = try theme.requireID()
            try await link.create(on: db)
        }
        // The body is the document's one file, a plain-text file, already "extracted".
        let data = Data(spec.body.utf8)
        let sha = try LocalBlobStore.digest(ofData: data)
        let target = app.cpmg.blobs.url(for: sha)
        try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: target)
        try app.cpmg.blobs.putText(spec.body, key: sha)
        let file = DocumentFile()
        file.$document.id = id
        file.sha256 = sha
        file.originalName = "document.txt"
        file.kind = "text"
        file.mediaType = "text/plain; charset=utf-8"
        file.size = data.count
        file.isPrimary = true
        file.position = 0
        file.extraction = .done
        file.textLength = spec.body.count
        try await file.create(on: db)
        var tags = [SearchTag("type", spec.kind.rawValue), SearchTag("year", String(spec.year))]
        tags += spec.countries.map { SearchTag("country", $0.iso2.lowercased()) } + (spec.regional ? [SearchTag("country", "regional")] : [])
        tags += spec.themes.map { SearchTag("theme", $0.slug) } + spec.languages.map { SearchTag("lang", $0) }
        if let network = spec.network { tags.append(SearchTag("network", network.slug)) }
        try await SearchIndexes.make(for: db).upsert(SearchEntry(
            section: DocumentLibrary.section, itemID: id.uuidString, visibility: spec.visibility, networkID: spec.network?.id,
            title: spec.title, authors: (spec.authors + [spec.publisher]).joined(separator: "; "), abstract: spec.abstract, body: spec.body,
            url: SiteURL.document(id.uuidString).path, summary: String(spec.year), dateKey: document.dateKey, tags: tags
        ), on: db)
    }

    /// A seeded generator (SplitMix64) so the same seed gives the same corpus.
    struct Generator {
        var state: UInt64
        let words: Int

        init(seed: UInt64, words: Int) {
            self.state = seed &+ 0x9E37_79B9_7F4A_7C15
            self.words = max(50, words)
        }

        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }

        mutating func int(_ range: ClosedRange<Int>) -> Int {
            range.lowerBound + Int(next() % UInt64(range.count))
        }

        mutating func pick<T>(_ items: [T]) -> T { items[int(0...(items.count - 1))] }

        /// Index `i` with probability proportional to 1/(i+1): a few words are very common.
        mutating func zipf(_ count: Int) -> Int {
            let u = Double(next() % 1_000_000) / 1_000_000
            return min(count - 1, Int(pow(Double(count + 1), u)) - 1)
        }

        mutating func sentence(_ length: Int) -> String {
            var out: [String] = []
            for i in 0..<length {
                let fromDomain = next() % 3 == 0
                var word = fromDomain ? Vocabulary.domain[zipf(Vocabulary.domain.count)] : Vocabulary.common[zipf(Vocabulary.common.count)]
                if i == 0 { word = word.prefix(1).uppercased() + word.dropFirst() }
                out.append(word)
            }
            return out.joined(separator: " ") + "."
        }

        mutating func text(words: Int) -> String {
            var sentences: [String] = []
            var total = 0
            while total < words {
                let length = int(8...24)
                sentences.append(sentence(length))
                total += length
            }
            // One document in fifty names something rare: searches for a rare word have real matches.
            if int(0...49) == 0, !sentences.isEmpty {
                let index = int(0...(sentences.count - 1))
                sentences[index] = "The \(pick(Vocabulary.rare)) case is discussed. " + sentences[index]
            }
            var paragraphs: [String] = []
            var index = 0
            while index < sentences.count {
                let size = int(3...7)
                paragraphs.append(sentences[index..<min(index + size, sentences.count)].joined(separator: " "))
                index += size
            }
            return paragraphs.joined(separator: "\n\n")
        }

        mutating func document(_ references: References) -> Spec {
            let countryCount = int(1...3)
            var countries: [Country] = []
            for _ in 0..<countryCount { countries.append(pick(references.countries)) }
            countries = Array(Set(countries.map(\.iso2))).compactMap { iso in countries.first { $0.iso2 == iso } }
            var themes: [Theme] = []
            for _ in 0..<int(1...3) { themes.append(pick(references.themes)) }
            themes = Array(Set(themes.map(\.slug))).compactMap { slug in themes.first { $0.slug == slug } }
            let topic = pick(Vocabulary.topics)
            let place = int(0...9) == 0 ? "the Caribbean" : countries[0].name
            let title = pick(Vocabulary.titlePatterns).replacingOccurrences(of: "{topic}", with: topic).replacingOccurrences(of: "{place}", with: place)
            let roll = int(0...99)
            let languages = roll < 60 ? ["en"] : roll < 80 ? ["es"] : roll < 90 ? ["fr"] : roll < 95 ? ["nl"] : roll < 98 ? ["en", "es"] : [pick(["pap", "ht"])]
            let visibilityRoll = int(0...99)
            let network = int(0...2) == 0 ? pick(references.networks) : nil
            let visibility: Visibility = visibilityRoll < 80 ? .public : visibilityRoll < 95 || network == nil ? .members : .network
            var authors: [String] = []
            for _ in 0..<int(0...4) { authors.append("\(pick(Vocabulary.familyNames)), \(pick(Vocabulary.givenNames))") }
            return Spec(
                title: title, authors: authors, publisher: pick(Vocabulary.publishers), abstract: text(words: int(60...140)),
                body: text(words: words + int(0...(words / 3)) - words / 6), year: int(1995...2025), month: int(0...2) == 0 ? nil : int(1...12),
                kind: pick(Document.Kind.allCases), languages: languages, countries: countries, regional: int(0...9) == 0,
                themes: themes, network: network, visibility: visibility
            )
        }
    }
}

enum Vocabulary {
    static let topics = [
        "Border management", "Labour migration", "Trafficking in persons", "Migrant smuggling", "Disaster displacement", "Diaspora engagement",
        "Refugee protection", "Migration data", "Remittances", "Return and reintegration", "Migrant health", "Statelessness",
        "Climate mobility", "Irregular migration", "Integrated border management", "Migration governance", "Consular assistance",
        "Emergency preparedness", "Unaccompanied children", "Skills partnerships",
    ]
    static let titlePatterns = [
        "{topic} in {place}", "{topic}: a review of practice in {place}", "Assessing {topic} in {place}",
        "Report on {topic} and development in {place}", "{topic} in {place}: findings and recommendations",
        "Guidelines on {topic} for {place}", "Regional workshop on {topic}", "{topic}: policy options for {place}",
    ]
    /// Words that occur in about one document in 2,500 each.
    static let rare = [
        "kalinago", "garifuna", "arawak", "taino", "maroon", "sargassum", "soufriere", "anegada", "redonda", "navassa",
        "sombrero", "mayreau", "carriacou", "bequia", "mustique", "canouan", "union", "petit", "statia", "saba",
        "bonaire", "klein", "culebra", "vieques", "mona", "desecheo", "anguillita", "dog", "scrub", "prickly",
        "codrington", "cockburn", "providenciales", "inagua", "mayaguana", "acklins", "crooked", "exuma", "bimini", "abaco",
        "eleuthera", "andros", "berry", "ragged", "cayman", "brac", "utila", "roatan", "guanaja", "cozumel",
    ]
    static let publishers = [
        "International Organization for Migration", "UNHCR", "CARICOM Secretariat", "Caribbean Migration Consultations",
        "Ministry of National Security", "Ministry of Labour", "ECLAC", "CDEMA", "University of the West Indies", "OECS Commission",
    ]
    static let familyNames = ["López", "Pérez", "Williams", "Joseph", "Charles", "Baptiste", "Martínez", "Thomas", "Henry", "Francis", "Brown", "Pierre", "de Jong", "Jansen", "Rodríguez"]
    static let givenNames = ["María", "Ana", "John", "Michelle", "Kevin", "Aisha", "Jean", "Marie", "Carlos", "Nadia", "Ruth", "Peter", "Daniel", "Sofía", "Claudette"]
    static let domain = """
    migration migrants migrant border borders asylum refugee refugees protection trafficking smuggling displacement disaster \
    climate hurricane resilience remittances diaspora labour workers employment visa visas passport immigration emigration \
    governance policy policies legislation regulation data statistics census survey registration identity identification \
    health vulnerable children women gender detention return reintegration integration community communities regional \
    caribbean island islands state states government ministry agency coordination cooperation capacity training assessment \
    recommendations framework strategy implementation monitoring evaluation indicators mobility movement flows stock \
    nationals citizenship statelessness consular emergency preparedness response evacuation shelter humanitarian rights \
    human dignity access services education housing livelihoods economy development tourism agriculture fisheries \
    maritime interception coast guard officials officers screening referral mechanisms standard procedures
    """.split(separator: " ").map(String.init)
    static let common = """
    the of and to in a is that for on as with by be this are from at or an which it was have has not their were these \
    more other also can all its such been between they than may into most would some only new under over each both \
    where through while during about after across within among including however further well high number level \
    system process support work area areas part time year years case cases people persons group groups national \
    local public social economic political international important key main major significant current recent \
    need needs use used made make provide provided ensure based related particular specific different various \
    several many few first second third general report study analysis information results found shows example
    """.split(separator: " ").map(String.init)
}
