public import Foundation

/// Renders a summary in every format. Pure: values in, text out.
public struct ReportRenderer: Sendable {
    public let templates: TemplateSet
    public let version: String

    public init(templates: TemplateSet, version: String) {
        self.templates = templates
        self.version = version
    }

    public func html(_ summary: ReportSummary) throws(RenderError) -> String {
        try templates.render(ReportContext(version: version).make(summary), "report.html")
    }

    public func markdown(_ summary: ReportSummary) throws(RenderError) -> String {
        try templates.render(ReportContext(version: version).make(summary), "report.md")
    }

    /// The JSON summary: sorted keys, so the same report gives the same bytes.
    public static func json(_ summary: ReportSummary) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Encoding plain values cannot fail; an empty object would be a bug caught by the tests.
        return (try? encoder.encode(summary)) ?? Data("{}".utf8)
    }
}
