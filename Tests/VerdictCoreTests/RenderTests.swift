import Foundation
import Testing

@testable import VerdictCore

/// Hostile names and messages in every format, and the template machinery.
@Suite("Rendering")
struct RenderTests {
    static let hostile = [
        "<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>", "a|b|c", "line1\nline2\r\nline3",
        "esc\u{1B}[31mred\u{1B}[0m", "nul\u{0}bell\u{7}", "javascript:alert(1)",
        "`code` *em* _u_ [l](http://x) ~~s~~ #1",
        "rtl\u{202E}txt.exe", "amp & lt < gt > quote ' \"",
    ]

    func hostileSummary() -> (ReportSummary, [TestRecord]) {
        var accumulator = ReportAccumulator()
        var records: [TestRecord] = []
        for (index, text) in Self.hostile.enumerated() {
            let record = TestRecord(
                classname: "cls \(text)", name: "name \(text)", file: "dir/\(index).rb", time: Double(index),
                outcome: index.isMultiple(of: 2) ? .failed : .errored, source: "src \(text)", suite: "suite \(text)",
                details: [
                    ResultDetail(
                        kind: index.isMultiple(of: 2) ? .failure : .error, message: "msg \(text)", type: "T \(text)",
                        text: "stack \(text)\n\nafter blank line \(text)")
                ], systemOut: "out \(text)", systemErr: "err \(text)")
            records.append(record)
            accumulator.add(record)
        }
        accumulator.add(input: InputReport(path: "in <x>.xml", kind: .junit, tests: records.count, warnings: ["w <b>"]))
        return (accumulator.summary(title: "title <i>|"), records)
    }

    func renderer() throws -> ReportRenderer {
        ReportRenderer(templates: try TemplateSet(), version: "test")
    }

    @Test("HTML: hostile text renders as text and runs nothing")
    func html() throws {
        let page = try renderer().html(hostileSummary().0)
        #expect(!page.contains("<script>alert"))
        #expect(!page.contains("<img src=x"))
        #expect(!page.contains("\u{1B}"))
        #expect(!page.contains("\u{0}"))
        #expect(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(page.contains("esc\u{241B}[31mred"))
        #expect(!page.contains("href=\"javascript"))
        // Exactly the page's own script element.
        #expect(page.components(separatedBy: "<script").count == 2)
    }

    @Test("Markdown: table rows keep their cells; HTML is text; nothing breaks out of failure blocks")
    func markdown() throws {
        let text = try renderer().markdown(hostileSummary().0)
        #expect(!text.contains("<script>"))
        #expect(!text.contains("<img"))
        #expect(!text.contains("\u{1B}"))
        for line in text.split(separator: "\n") where line.hasPrefix("|") {
            let unescaped = unescapedPipes(String(line))
            #expect([3, 4, 5, 7, 8, 10, 11].contains(unescaped), "row with \(unescaped) cell separators: \(line)")
        }
        // Failure blocks are one HTML block each: no blank line inside <details>.
        for block in text.components(separatedBy: "<details>").dropFirst() {
            let inside = block.components(separatedBy: "</details>")[0]
            #expect(!inside.contains("\n\n"))
        }
    }

    func unescapedPipes(_ line: String) -> Int {
        var count = 0
        var escaped = false
        for character in line {
            if escaped { escaped = false; continue }
            if character == "\\" { escaped = true } else if character == "|" { count += 1 }
        }
        return count
    }

    @Test("Markdown lists 20 inputs at most, inputs with warnings first, and says how many more")
    func markdownInputs() throws {
        var accumulator = ReportAccumulator()
        for index in 0..<25 {
            accumulator.register(inputIndex: index, path: "TEST-\(index).xml")
            accumulator.add(TestRecord(classname: "C\(index)", name: "t", inputIndex: index))
            accumulator.add(
                input: InputReport(
                    path: "TEST-\(index).xml", kind: .junit, tests: 1 + index,
                    warnings: index == 23 ? ["odd time"] : []))
        }
        let text = try renderer().markdown(accumulator.summary(title: "t"))
        let rows = text.split(separator: "\n").filter { $0.hasPrefix("| TEST-") }.map { $0.split(separator: " ")[1] }
        let expected = (0..<19).map { "TEST-\($0).xml" } + ["TEST-23.xml"]
        #expect(rows.map(String.init) == expected)
        #expect(text.contains("…and 5 more inputs (\(20 + 21 + 22 + 23 + 25) tests)"))
    }

    @Test("Markdown escaping")
    func markdownEscaping() {
        let escape = MarkdownEscaping().escapeText
        #expect(escape("a|b") == "a\\|b")
        #expect(escape("x\ny") == "x<br>y")
        #expect(escape("<b>&") == "&lt;b&gt;&amp;")
        #expect(escape("*_`[]~$#\\") == "\\*\\_\\`\\[\\]\\~\\$\\#\\\\")
        #expect(escape("plain 1.5 s-x") == "plain 1.5 s-x")
    }

    @Test("XML escaping keeps line breaks in attributes and makes control characters visible")
    func xmlEscaping() {
        let escape = XMLEscaping().escapeText
        #expect(escape("a\nb\tc\r") == "a&#10;b&#9;c&#13;")
        #expect(escape("<&>\"'") == "&lt;&amp;&gt;&quot;&apos;")
        #expect(escape("x\u{1B}y\u{0}") == "x\u{241B}y\u{2400}")
        #expect(escape("plain") == "plain")
    }

    @Test("JUnit output re-reads to the same records, hostile text included")
    func junitRoundTrip() throws {
        let (summary, records) = hostileSummary()
        var body = ""
        var writer = JUnitStreamWriter(templates: try TemplateSet()) { body += $0 }
        for record in records { try writer.add(record) }
        try writer.finish()
        let document = try writer.header(title: summary.title) + body + writer.footer()
        let (back, report) = try JUnitReader.read(Array(document.utf8))
        #expect(!report.incomplete)
        #expect(report.warnings.isEmpty)
        #expect(back.count == records.count)
        for (original, read) in zip(records, back) {
            let visible = { (s: String) in XMLEscapingProbe.visible(s) }
            #expect(read.name == visible(original.name))
            #expect(read.classname == visible(original.classname))
            #expect(read.outcome == original.outcome)
            #expect(read.file == original.file)
            #expect(read.details.first?.message == visible(original.details[0].message ?? ""))
            #expect(read.systemOut == visible(original.systemOut ?? ""))
        }
        #expect(
            totals(back)
                == Totals(
                    tests: records.count, passed: 0, failed: summary.totals.failed, errored: summary.totals.errored,
                    skipped: 0, flaky: 0, time: summary.totals.time))
    }

    @Test("a long suite is split into several testsuite elements, each with its own counts")
    func suiteSplitting() throws {
        var body = ""
        var writer = JUnitStreamWriter(templates: try TemplateSet(), suiteLimit: 2) { body += $0 }
        for i in 0..<5 { try writer.add(TestRecord(classname: "C", name: "t\(i)", suite: "S")) }
        try writer.finish()
        #expect(body.components(separatedBy: "<testsuite ").count - 1 == 3)
        #expect(body.contains("tests=\"2\"") && body.contains("tests=\"1\""))
        #expect(writer.totals.tests == 5)
    }

    @Test("a template override replaces the built-in; escaping stays on; syntax errors name the place")
    func overrides() throws {
        let templates = try TemplateSet(overrides: ["report.md": "custom {{title}}"])
        let summary = hostileSummary().0
        let text = try ReportRenderer(templates: templates, version: "v").markdown(summary)
        #expect(text == "custom title &lt;i&gt;\\|")
        #expect(throws: RenderError.self) { try TemplateSet(overrides: ["report.html": "{{#open}} never closed"]) }
        do {
            _ = try TemplateSet(overrides: ["report.html": "line\n{{#open}} never closed"])
        } catch {
            #expect(error.description.contains("report.html.mustache"))
        }
    }

    @Test("every built-in template is embedded")
    func builtIns() {
        for name in TemplateSet.contentTypes.keys {
            #expect(TemplateSet.builtInText(name) != nil, "\(name) missing")
        }
    }
}

/// What a control character looks like after a round trip through Verdict's XML.
enum XMLEscapingProbe {
    static func visible(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { ContentTypes.visible($0) ?? $0 }))
    }
}
