import Foundation
import Plot

/// `/documents/new` and `/documents/{id}/edit`: files and metadata on one page.
enum DocumentFormPage {
    struct Option {
        var value: String
        var label: String
    }

    struct Model {
        /// nil for a new document.
        var documentID: String?
        var form: DocumentForm
        var errors = FormErrors()
        var countries: [Option]
        var themes: [Option]
        var networks: [Option]
        /// Editors publish whatever they send.
        var canPublish: Bool
        /// The networks whose documents this coordinator publishes straight away (names).
        var publishNetworks: [String] = []
        var maxUploadMB: Int
        /// Files already attached (edit).
        var files: [String] = []
        /// Uploading as an outcome of this event (its id): the document is attached once created.
        var eventID: String?
    }

    static func labels(_ t: Localizer) -> [String: String] {
        [
            "files": t("documents.form.files"), "title": t("documents.form.title"), "abstract": t("documents.form.abstract"),
            "authors": t("documents.form.authors"), "publisher": t("documents.form.publisher"), "year": t("documents.form.year"),
            "month": t("documents.form.month"), "day": t("documents.form.day"), "kind": t("documents.form.kind"),
            "languages": t("documents.form.languages"), "countries": t("documents.form.countries"), "themes": t("documents.form.themes"),
            "network": t("documents.form.network"), "rights": t("documents.form.rights"), "doi": "DOI", "isbn": "ISBN",
            "external_url": t("documents.form.externalURL"), "visibility": t("documents.form.visibility"),
        ]
    }

    static func view(_ model: Model, _ context: PageContext) -> Node<HTML.BodyContext> {
        let t = context.t
        let labels = labels(t)
        let f = model.form
        let e = model.errors
        let isNew = model.documentID == nil
        let action = model.documentID.map { SiteURL.documentEdit($0) } ?? .documentNew
        return .div(
            .class("wide-form"),
            .h1(.text(t(isNew ? "documents.new.title" : "documents.edit.title"))),
            .if(isNew, .p(.text(t("documents.new.intro")))),
            FormField.summary(e, t, labels: labels),
            .form(
                .id("document-form"),
                .attr("action", action.path + (model.eventID.map { "?event=" + $0 } ?? "")),
                .method(.post),
                .enctype(.multipartData),
                .attr("novalidate", ""),
                Layout.csrfField(context),
                .el(
                    "fieldset",
                    .el("legend", .text(t("documents.form.filesLegend"))),
                    .if(!model.files.isEmpty, .ul(.class("existing-files"), .forEach(model.files) { .li(.text($0)) })),
                    .div(
                        .class(e["files"] == nil ? "field" : "field has-error"),
                        .label(.attr("for", "f-files"), .text(isNew ? labels["files"]! : t("documents.form.addFiles"))),
                        .p(.class("hint"), .id("f-files-hint"), .text(t("documents.form.filesHint", ["size": String(model.maxUploadMB)]))),
                        .unwrap(e["files"]) { .p(.class("field-error"), .id("f-files-error"), .text(t($0, ["size": String(model.maxUploadMB)]))) },
                        .selfClosedElement(named: "input", attributes: [
                            .attr("type", "file"), .attr("id", "f-files"), .attr("name", "files[]"),
                            Attribute(name: "multiple", value: nil, ignoreIfValueIsEmpty: false),
                            .attr("aria-describedby", e["files"] == nil ? "f-files-hint" : "f-files-hint f-files-error"),
                        ] + (isNew ? [Attribute(name: "required", value: nil, ignoreIfValueIsEmpty: false)] : []))
                    )
                ),
                .el(
                    "fieldset",
                    .el("legend", .text(t("documents.form.describe"))),
                    FormField.input(.init(name: "title", label: labels["title"]!, value: f.title, error: e["title"], maxLength: DocumentForm.limits.title), t),
                    FormField.textarea(.init(name: "authors", label: labels["authors"]!, value: f.authors, error: e["authors"], hint: t("documents.form.authorsHint"), required: false), t, rows: 3),
                    FormField.input(.init(name: "publisher", label: labels["publisher"]!, value: f.publisher, error: e["publisher"], hint: t("documents.form.publisherHint"), required: false, maxLength: DocumentForm.limits.publisher), t),
                    .div(
                        .class("date-fields"),
                        FormField.input(.init(name: "year", label: labels["year"]!, value: f.year, error: e["year"], type: .number), t),
                        FormField.input(.init(name: "month", label: labels["month"]!, value: f.month, error: e["month"], type: .number, required: false), t),
                        FormField.input(.init(name: "day", label: labels["day"]!, value: f.day, error: e["day"], type: .number, required: false), t)
                    ),
                    FormField.select(.init(name: "kind", label: labels["kind"]!, value: f.kind, error: e["kind"]), t,
                                     options: Document.Kind.allCases.map { ($0.rawValue, t("documents.kind.\($0.rawValue)")) }, prompt: t("form.choosePrompt")),
                    FormField.textarea(.init(name: "abstract", label: labels["abstract"]!, value: f.abstract, error: e["abstract"], hint: t("documents.form.abstractHint"), required: false, maxLength: DocumentForm.limits.abstract), t, rows: 6)
                ),
                choices("languages", labels["languages"]!, DocumentForm.languageCodes.map { Option(value: $0, label: t("language.\($0)")) }, selected: f.languages, error: e["languages"], t),
                choices("countries", labels["countries"]!, [Option(value: "regional", label: t("documents.regional"))] + model.countries, selected: f.countries, error: e["countries"], t, columns: true),
                choices("themes", labels["themes"]!, model.themes, selected: f.themes, error: e["themes"], t, columns: true, required: false),
                .el(
                    "fieldset",
                    .el("legend", .text(t("documents.form.access"))),
                    FormField.select(.init(name: "network", label: labels["network"]!, value: f.network, error: e["network"], required: false), t,
                                     options: [("", t("documents.form.noNetwork"))] + model.networks.map { ($0.value, $0.label) }),
                    FormField.select(.init(name: "visibility", label: labels["visibility"]!, value: f.visibility, error: e["visibility"], hint: t("documents.form.visibilityHint")), t,
                                     options: [Visibility.public, .members, .network].map { ($0.rawValue, t("visibility.\($0.rawValue)")) }),
                    FormField.input(.init(name: "rights", label: labels["rights"]!, value: f.rights, error: e["rights"], hint: t("documents.form.rightsHint"), required: false, maxLength: DocumentForm.limits.rights), t),
                    FormField.input(.init(name: "doi", label: "DOI", value: f.doi, error: e["doi"], hint: t("documents.form.doiHint"), required: false), t),
                    FormField.input(.init(name: "isbn", label: "ISBN", value: f.isbn, error: e["isbn"], required: false), t),
                    FormField.input(.init(name: "external_url", label: labels["external_url"]!, value: f.externalURL, error: e["external_url"], type: .url, required: false), t)
                ),
                .div(
                    .class("actions"),
                    isNew
                        ? .group(
                            .if(!model.canPublish && !model.publishNetworks.isEmpty,
                                .p(.class("hint"), .text(t("documents.form.coordinatorPublishes", ["networks": model.publishNetworks.joined(separator: ", ")])))),
                            .button(.type(.submit), .name("action"), .value("submit"), .class("primary"),
                                    .text(t(model.canPublish ? "documents.action.publish" : model.publishNetworks.isEmpty ? "documents.action.submit" : "documents.action.send"))),
                            .button(.type(.submit), .name("action"), .value("draft"), .text(t("documents.action.draft")))
                        )
                        : .button(.type(.submit), .name("action"), .value("save"), .class("primary"), .text(t("documents.action.save")))
                )
            )
        )
    }

    /// A group of checkboxes with one label, hint and error.
    static func choices(_ name: String, _ legend: String, _ options: [Option], selected: [String], error: String?, _ t: Localizer,
                        columns: Bool = false, required: Bool = true) -> Node<HTML.FormContext> {
        let chosen = Set(selected)
        return .el(
            "fieldset",
            .class(error == nil ? "choices" : "choices has-error"),
            .attr("id", "f-\(name)"),
            .el("legend", .text(legend), .if(!required, .el("span", .class("optional"), .text(" " + t("form.optional"))))),
            .unwrap(error) { .p(.class("field-error"), .id("f-\(name)-error"), .text(t($0))) },
            .div(.class(columns ? "checks" : "checks inline-checks"), .forEach(options) { option in
                FormField.checkbox(name: "\(name)[]", value: option.value, label: option.label, checked: chosen.contains(option.value))
            })
        )
    }
}
