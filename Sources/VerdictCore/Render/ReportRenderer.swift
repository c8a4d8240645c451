import Foundation

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

    /// Markdown that fits `limit` characters (a PR comment holds 65,536; a step summary 1 MiB): long
    /// lists are shortened first (each says how many it left out), then the text is cut with a note.
    public func markdown(_ summary: ReportSummary, limit: Int = 65_536) throws(RenderError) -> String {
        var text = ""
        for (failures, groups, inputs) in [(30, 15, 20), (10, 8, 10), (5, 5, 5), (2, 3, 3), (0, 2, 1)] {
            var context = ReportContext(version: version)
            context.markdownFailureLimit = failures
            context.markdownGroupLimit = groups
            context.markdownInputLimit = inputs
            text = try templates.render(context.make(summary), "report.md")
            if text.count <= limit { return text }
        }
        let note = "\n\n…cut at \(limit) characters: the full report is in the HTML and JSON outputs.\n"
        return String(text.prefix(max(limit - note.count, 0))) + note
    }

    public func compareHTML(_ comparison: Comparison) throws(RenderError) -> String {
        try templates.render(CompareContext(version: version).make(comparison), "compare.html")
    }

    /// Markdown for a PR comment: lists are shortened until it fits `limit` characters.
    public func compareMarkdown(_ comparison: Comparison, limit: Int = 65_000) throws(RenderError) -> String {
        var text = ""
        for itemLimit in [500, 100, 50, 20, 10, 5, 0] {
            text = try templates.render(
                CompareContext(version: version, itemLimit: itemLimit).make(comparison), "compare.md")
            if text.count <= limit { return text }
        }
        return text
    }
}
