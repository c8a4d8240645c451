import Foundation
import VerdictCore

/// The HTML and Markdown pages rendered on a second thread while the JSON is streamed to its file
/// (one after the other when `parallel` is false); then the pages are written. The outputs are the
/// same either way.
enum PagesBesideJSON {
    static func write(
        html: OutputFile?, markdown: OutputFile?, json: OutputFile?, parallel: Bool,
        renderHTML: @escaping @Sendable () throws(RenderError) -> String,
        renderMarkdown: @escaping @Sendable () throws(RenderError) -> String,
        produceJSON: (@escaping ([UInt8]) -> Void) -> Void
    ) throws {
        let wantHTML = html != nil
        let wantMarkdown = markdown != nil
        var jsonFailure: (any Error)?
        let (pages, _) = Concurrently.both(
            parallel: parallel && json != nil && (wantHTML || wantMarkdown),
            {
                Result { () throws(RenderError) -> (String?, String?) in
                    (wantHTML ? try renderHTML() : nil, wantMarkdown ? try renderMarkdown() : nil)
                }
            },
            {
                guard let json else { return }
                do {
                    try ReportRun.writeJSON(to: json, produceJSON)
                } catch {
                    jsonFailure = error
                }
            })
        if let jsonFailure { throw jsonFailure }
        let (htmlText, markdownText) = try pages.get()
        if let html, let htmlText { try html.write(htmlText) }
        if let markdown, let markdownText { try markdown.write(markdownText) }
    }
}
