import Testing
import VerdictCore

// The example of docs/API.md, word for word: if it stops compiling or its numbers change, so must the page.

/// Reads JUnit XML from memory, in chunks (a file would be read the same way), and renders Markdown.
func summarize(_ xml: [UInt8]) throws -> (summary: ReportSummary, markdown: String) {
    var accumulator = ReportAccumulator(top: 5)
    let reader = JUnitReader(inputIndex: 0, source: "unit") { record in accumulator.add(record) }
    accumulator.register(inputIndex: 0, path: "results.xml")
    xml.withUnsafeBytes { bytes in
        var offset = 0
        while offset < bytes.count {
            let end = min(offset + 64 * 1024, bytes.count)
            reader.feed(UnsafeRawBufferPointer(rebasing: bytes[offset..<end]))
            offset = end
        }
    }
    accumulator.add(input: try reader.finish(path: "results.xml"))
    let summary = accumulator.summary(title: "Unit tests")
    let markdown = try ReportRenderer(templates: try TemplateSet(), version: Verdict.version).markdown(summary)
    return (summary, markdown)
}

@Suite("The embedding example")
struct EmbeddingExampleTests {
    @Test("docs/API.md's example reads, counts and renders")
    func example() throws {
        let xml = Array(
            "<testsuite name=\"s\"><testcase classname=\"C\" name=\"a\"/><testcase classname=\"C\" name=\"b\"><failure message=\"boom\"/></testcase></testsuite>"
                .utf8)
        let (summary, markdown) = try summarize(xml)
        #expect(summary.totals.tests == 2 && summary.totals.failed == 1)
        #expect(summary.failures.first?.input == "results.xml")
        #expect(markdown.contains("boom"))
    }
}
