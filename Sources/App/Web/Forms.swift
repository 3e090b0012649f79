import Plot
import Vapor

/// Problems with a submitted form, by field name; messages are catalog keys.
public struct FormErrors: Sendable, Equatable {
    public private(set) var fields: [(name: String, key: String)] = []
    public init() {}

    public mutating func add(_ field: String, _ key: String) {
        guard self[field] == nil else { return }
        fields.append((field, key))
    }

    public subscript(field: String) -> String? { fields.first { $0.name == field }?.key }
    public var isEmpty: Bool { fields.isEmpty }

    public static func == (a: FormErrors, b: FormErrors) -> Bool {
        a.fields.map { "\($0.name)=\($0.key)" } == b.fields.map { "\($0.name)=\($0.key)" }
    }
}

/// Text as a person typed it, without the characters that only serve to deceive or to break
/// things: C0 and C1 controls (NUL cuts strings short in C libraries and PostgreSQL refuses it)
/// and the bidirectional controls that make "invoice{U+202E}fdp.exe" read as "invoiceexe.pdf".
/// Every form field goes through here, whatever decoded it.
public enum FormText {
    /// U+061C, U+200E/F, U+202A–U+202E, U+2066–U+2069.
    static func isBidiControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }

    /// Removes control and bidirectional characters and trims the ends. Line ends become "\n";
    /// `multiline` fields keep them and tabs, other fields get a space for each run of them.
    public static func clean(_ text: String, multiline: Bool = false) -> String {
        var out = String.UnicodeScalarView()
        var pendingSpace = false
        var previousWasCR = false
        for scalar in text.unicodeScalars {
            let isCR = scalar == "\r"
            defer { previousWasCR = isCR }
            let lineBreak = scalar == "\n" || isCR || scalar == "\u{2028}" || scalar == "\u{2029}"
            if lineBreak || scalar == "\t" {
                if multiline {
                    if scalar == "\n" && previousWasCR { continue }
                    out.append(lineBreak ? "\n" : "\t")
                } else {
                    pendingSpace = true
                }
                continue
            }
            if scalar.properties.generalCategory == .control || isBidiControl(scalar) { continue }
            if pendingSpace {
                if let last = out.last, last != " " { out.append(" ") }
                pendingSpace = false
            }
            out.append(scalar)
        }
        return String(out).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// The submitted text of a form: every field optional, cleaned (see `FormText`), checked for length.
public struct FormInput: Sendable {
    let values: [String: String]

    /// Reads the request's url-encoded form; a body that is not a form (or not UTF-8) is a 400.
    public static func read(_ request: Request) throws -> FormInput {
        do {
            let values = try request.content.decode([String: String].self)
            return FormInput(values: values)
        } catch {
            throw Abort(.badRequest, reason: "error.badForm")
        }
    }

    public init(values: [String: String]) { self.values = values }

    /// A one-line field, cleaned.
    public subscript(name: String) -> String {
        FormText.clean(values[name] ?? "")
    }

    /// A field of several lines (a textarea), cleaned; line ends are "\n".
    public func multiline(_ name: String) -> String {
        FormText.clean(values[name] ?? "", multiline: true)
    }

    /// A password exactly as typed: it is never shown, and changing it would lock its owner out.
    public func password(_ name: String) -> String { values[name] ?? "" }

    /// Checks presence and length, recording the first problem for `name`.
    public func text(_ name: String, required: Bool = true, multiline: Bool = false, max: Int, errors: inout FormErrors) -> String {
        let value = multiline ? self.multiline(name) : self[name]
        if required && value.isEmpty { errors.add(name, "form.required") }
        else if value.count > max { errors.add(name, "form.tooLong") }
        return value
    }
}

/// Form controls with their label, hint and error tied together for assistive technology.
enum FormField {
    struct Spec {
        var name: String
        var label: String
        var value: String = ""
        var error: String? = nil
        var hint: String? = nil
        var type: HTMLInputType = .text
        var required = true
        var maxLength: Int? = nil
        var autocomplete: String? = nil
    }

    private static func id(_ name: String) -> String { "f-\(name)" }

    private static func describedBy(_ spec: Spec) -> String {
        [spec.hint.map { _ in "\(id(spec.name))-hint" }, spec.error.map { _ in "\(id(spec.name))-error" }]
            .compactMap { $0 }.joined(separator: " ")
    }

    private static func wrapper(_ spec: Spec, _ t: Localizer, control: Node<HTML.FormContext>) -> Node<HTML.FormContext> {
        .div(
            .class(spec.error == nil ? "field" : "field has-error"),
            .label(
                .attr("for", id(spec.name)),
                .text(spec.label),
                .if(!spec.required, .el("span", .class("optional"), .text(" " + t("form.optional"))))
            ),
            .unwrap(spec.hint) { .p(.class("hint"), .id("\(id(spec.name))-hint"), .text($0)) },
            .unwrap(spec.error) { .p(.class("field-error"), .id("\(id(spec.name))-error"), .text(t($0))) },
            control
        )
    }

    private static func common(_ spec: Spec) -> [Attribute<HTML.BodyContext>] {
        let described = describedBy(spec)
        var attributes: [Attribute<HTML.BodyContext>] = [.attr("id", id(spec.name)), .attr("name", spec.name)]
        if spec.required { attributes.append(Attribute(name: "required", value: nil, ignoreIfValueIsEmpty: false)) }
        if !described.isEmpty { attributes.append(.attr("aria-describedby", described)) }
        if spec.error != nil { attributes.append(.attr("aria-invalid", "true")) }
        if let autocomplete = spec.autocomplete { attributes.append(.attr("autocomplete", autocomplete)) }
        if let maxLength = spec.maxLength { attributes.append(.attr("maxlength", String(maxLength))) }
        return attributes
    }

    static func input(_ spec: Spec, _ t: Localizer) -> Node<HTML.FormContext> {
        var attributes: [Attribute<HTML.BodyContext>] = [.attr("type", spec.type.rawValue)] + common(spec)
        if spec.type != .password { attributes.append(Attribute(name: "value", value: Escape.attribute(spec.value), ignoreIfValueIsEmpty: true)) }
        return wrapper(spec, t, control: .selfClosedElement(named: "input", attributes: attributes))
    }

    static func textarea(_ spec: Spec, _ t: Localizer, rows: Int = 5) -> Node<HTML.FormContext> {
        wrapper(spec, t, control: .element(
            named: "textarea",
            nodes: common(spec).map { Node.attribute($0) } + [.attr("rows", String(rows)), .text(spec.value)]
        ))
    }

    static func select(_ spec: Spec, _ t: Localizer, options: [(value: String, label: String)], prompt: String? = nil) -> Node<HTML.FormContext> {
        var children: [Node<HTML.BodyContext>] = common(spec).map { .attribute($0) }
        if let prompt { children.append(.el("option", .attribute(Attribute(name: "value", value: nil, ignoreIfValueIsEmpty: false)), .text(prompt))) }
        for option in options {
            children.append(.el(
                "option", .attr("value", option.value), .flag("selected", option.value == spec.value), .text(option.label)
            ))
        }
        return wrapper(spec, t, control: .element(named: "select", nodes: children))
    }

    /// A checkbox inside its label.
    static func checkbox<C>(name: String, value: String, label: String, checked: Bool) -> Node<C> {
        var attributes: [Attribute<HTML.BodyContext>] = [.attr("type", "checkbox"), .attr("name", name), .attr("value", value)]
        if checked { attributes.append(Attribute(name: "checked", value: nil, ignoreIfValueIsEmpty: false)) }
        return .element(named: "label", nodes: [.selfClosedElement(named: "input", attributes: attributes), .text(" \(label)")])
    }

    /// The list at the top of a form that failed: each problem links to its field.
    static func summary(_ errors: FormErrors, _ t: Localizer, labels: [String: String]) -> Node<HTML.BodyContext> {
        guard !errors.isEmpty else { return .empty }
        return .div(
            .class("error-summary"),
            .attr("role", "alert"),
            .attr("tabindex", "-1"),
            .h2(.text(t("form.problem"))),
            .ul(.forEach(errors.fields) { field in
                .li(.el("a", .attr("href", "#\(id(field.name))"), .text("\(labels[field.name] ?? field.name): \(t(field.key))")))
            })
        )
    }
}

extension Attribute {
    /// An attribute whose value is escaped (see `Escape`).
    static func attr(_ name: String, _ value: String) -> Attribute {
        Attribute(name: name, value: Escape.attribute(value), ignoreIfValueIsEmpty: false)
    }
}
