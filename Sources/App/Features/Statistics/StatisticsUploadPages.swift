import CSVParser
import Foundation
import Plot
import StatImport

/// The upload form and its preview.
enum StatisticsUploadPages {
    /// The visibilities a dataset can have.
    static let visibilities: [Visibility] = [.public, .members]

    /// `switched`: the form was just filled with the chosen dataset's details. `changesWait`: the
    /// dataset is published and this viewer's changes to its details wait for review.
    static func form(_ form: StatisticsUploadController.Form, errors: FormErrors, preview: ImportPreview?, datasets: [StatDataset],
                     switched: Bool = false, changesWait: Bool = false, context: PageContext) -> Node<HTML.BodyContext> {
        let t = context.t
        func spec(_ name: String, _ label: String, _ value: String, required: Bool = false, hint: String? = nil, max: Int? = nil) -> FormField.Spec {
            FormField.Spec(name: name, label: t(label), value: value, error: errors[name], hint: hint.map { t($0) }, required: required, maxLength: max)
        }
        let labels = ["title": t("statistics.upload.field.title"), "source": t("statistics.sourceLabel"), "licence": t("statistics.licenceLabel"),
                      "file": t("statistics.upload.field.file"), "dataset": t("statistics.upload.field.dataset"), "source_url": t("statistics.upload.field.sourceURL"),
                      "visibility": t("statistics.upload.field.visibility"), "description": t("statistics.upload.field.description"), "caveats": t("statistics.dataset.caveats")]
        let metadata = form.metadata
        let limits = StatisticsUploadController.Form.limits
        let fields: [Node<HTML.FormContext>] = [
            Layout.csrfField(context),
            .input(.attr("type", "hidden"), .attr("name", "token"), .attr("value", form.token)),
            .input(.attr("type", "hidden"), .attr("name", "prefilled"), .attr("value", form.prefilled)),
            .div(.class(errors["file"] == nil ? "field" : "field has-error"),
                 .label(.attr("for", "f-file"), .text(t("statistics.upload.field.file"))),
                 .p(.class("hint"), .id("f-file-hint"), .text(t("statistics.upload.fileHint"))),
                 .unwrap(errors["file"]) { .p(.class("field-error"), .id("f-file-error"), .text(t($0))) },
                 .if(!form.filename.isEmpty, .p(.class("hint"), .text(t("statistics.upload.kept", ["name": form.filename])))),
                 .input(.type(.file), .id("f-file"), .name("file"), .attr("accept", ".csv,text/csv"), .attr("aria-describedby", "f-file-hint"))),
            .div(.class("field"), FormField.checkbox(name: "decimal_comma", value: "1", label: t("statistics.upload.decimalComma"), checked: form.decimalComma)),
            FormField.select(spec("dataset", "statistics.upload.field.dataset", form.dataset, hint: "statistics.upload.datasetHint"), t,
                             options: datasets.map { ($0.slug, $0.title) }, prompt: t("statistics.upload.newDataset")),
            .if(switched, .p(.class("notice"), .attr("role", "status"), .text(t("statistics.upload.prefilled")))),
            .if(changesWait, .p(.class("hint"), .text(t("statistics.upload.changesWait")))),
            FormField.input(spec("title", "statistics.upload.field.title", metadata.title, required: true, max: limits["title"]), t),
            FormField.textarea(spec("description", "statistics.upload.field.description", metadata.description, max: limits["description"]), t, rows: 3),
            FormField.input(spec("source", "statistics.sourceLabel", metadata.source, required: true, hint: "statistics.upload.sourceHint", max: limits["source"]), t),
            FormField.input(spec("source_url", "statistics.upload.field.sourceURL", metadata.sourceURL, max: limits["source_url"]), t),
            FormField.input(spec("licence", "statistics.licenceLabel", metadata.licence, required: true, hint: "statistics.upload.licenceHint", max: limits["licence"]), t),
            FormField.textarea(spec("caveats", "statistics.dataset.caveats", metadata.caveats, max: limits["caveats"]), t, rows: 3),
            // No default: a dataset becomes public only when someone chooses so.
            FormField.select(spec("visibility", "statistics.upload.field.visibility", form.visibility, required: true), t,
                             options: visibilities.map { ($0.rawValue, t("visibility.\($0.rawValue)")) }, prompt: t("form.choosePrompt")),
            .div(.class("actions"),
                 .button(.type(.submit), .name("action"), .value("preview"), .text(t("statistics.upload.check"))),
                 .if(preview?.isImportable == true && !switched, .button(.type(.submit), .class("primary"), .name("action"), .value("import"), .text(t("statistics.upload.import")))),
                 .if(!form.token.isEmpty, .button(.type(.submit), .name("action"), .value("cancel"), .attr("formnovalidate", "formnovalidate"),
                                                   .text(t("statistics.upload.cancel"))))),
        ]
        return .div(
            .class("wide-form"),
            .h1(.text(t("statistics.upload.title"))),
            .p(.text(t("statistics.upload.intro"))),
            FormField.summary(errors, t, labels: labels),
            .unwrap(preview) { previewView($0, context) },
            .form(.id("dataset-form"), .method(.post), .action(SiteURL.statisticsDatasetNew), .enctype(.multipartData), .group(fields))
        )
    }

    static func previewView(_ preview: ImportPreview, _ context: PageContext) -> Node<HTML.BodyContext> {
        let t = context.t
        let sample = Array(preview.observations.prefix(20))
        return .section(
            .class("import-preview"), .attr("aria-labelledby", "preview-title"),
            .h2(.id("preview-title"), .text(t("statistics.upload.previewTitle"))),
            .p(.text(t("statistics.upload.summary", ["shape": preview.shape.rawValue, "rows": String(preview.rowCount), "observations": String(preview.observations.count),
                                                     "indicators": preview.indicators.sorted().joined(separator: ", "), "areas": String(preview.areas.count),
                                                     "years": preview.periods.map { "\($0.lowerBound)–\($0.upperBound)" } ?? "—"]))),
            preview.problemCount == 0
                ? .p(.class("notice"), .text(t(preview.observations.isEmpty ? "statistics.upload.nothing" : "statistics.upload.ready")))
                : .div(.class("notice warn"), .attr("role", "alert"),
                       .p(.text(t("statistics.upload.problems", ["count": String(preview.problemCount)]))),
                       .table(.class("problems"),
                              .thead(.tr(.th(.text(t("statistics.upload.line"))), .th(.text(t("statistics.upload.column"))), .th(.text(t("statistics.upload.problem"))))),
                              .tbody(.forEach(preview.problems) { problem in
                                  .tr(.td(.text(String(problem.line))), .td(.text(problem.column)), .td(.text(problem.detail)))
                              }))),
            .if(!preview.warnings.isEmpty, .div(.class("hint"), .ul(.forEach(preview.warnings) { warning in
                .li(.text(t("statistics.upload.lineColumn", ["line": String(warning.line), "column": warning.column]) + " " + warning.detail))
            }))),
            .if(!sample.isEmpty, .div(.class("table-scroll"), .table(
                .el("caption", .text(t("statistics.upload.sample"))),
                .thead(.tr(.th(.text("indicator")), .th(.text("area")), .th(.text("period")), .th(.text("sex")), .th(.text("value")), .th(.text("flag")))),
                .tbody(.forEach(sample) { o in
                    .tr(.td(.text(o.indicator)), .td(.text(o.area)), .td(.text(o.period)), .td(.text(o.sex)), .td(.text(CSVCell.number(o.value))), .td(.text(o.flag)))
                })
            )))
        )
    }
}
