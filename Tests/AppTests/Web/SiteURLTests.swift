@testable import App
import Foundation
import Plot
import Testing

@Suite("Typed addresses")
struct SiteURLTests {
    @Test("Path segments are percent-encoded in links; route patterns stay patterns")
    func segments() {
        #expect(SiteURL.document("a/b?c#d").path == "/documents/a%2Fb%3Fc%23d")
        #expect(SiteURL.statisticsDataset("x\"><script>").path == "/statistics/datasets/x%22%3E%3Cscript%3E")
        #expect(SiteURL.country("..%2f").path == "/countries/..%252f")
        #expect(SiteURL.event("a b;c\\d").path == "/events/a%20b%3Bc%5Cd")
        #expect(SiteURL.document(":id").route.map(\.description) == ["documents", ":id"])
        #expect(SiteURL.documentFileByID(":id", ":file").route.map(\.description) == ["documents", ":id", "files", ":file"])
        #expect(SiteURL.documents(query: [URLQueryItem(name: "q", value: "a&b=\"c\"")]).path == "/documents?q=a%26b%3D%22c%22")
    }

    @Test("Form actions go through the one attribute escape")
    func formAction() {
        let html = Node<HTML.BodyContext>.form(.action(SiteURL.documents(query: [URLQueryItem(name: "q", value: "x'y")]))).render()
        #expect(html == #"<form action="/documents?q=x&#39;y"></form>"#)
    }
}
