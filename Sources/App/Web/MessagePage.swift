import Plot

/// A page that only says something: "check your mail", "link expired", …
enum MessagePage {
    struct Model {
        var title: String
        var paragraphs: [String]
        var link: (url: SiteURL, label: String)? = nil
    }

    static func view(_ model: Model) -> Node<HTML.BodyContext> {
        .div(
            .class("narrow"),
            .h1(.text(model.title)),
            .forEach(model.paragraphs) { .p(.text($0)) },
            .unwrap(model.link) { .p(.link($0.url, .class("button"), .text($0.label))) }
        )
    }
}
