import Foundation
import Testing

@Suite("--templates overrides and hostile test names")
struct TemplateAndEscapingTests {
    @Test("a custom report.md.mustache replaces the built-in Markdown template")
    func customMarkdownTemplate() async throws {
        try await Workspace.with { ws in
            let templates = ws.root.appendingPathComponent("templates")
            try ws.write(
                "CUSTOM {{totals.tests}} failed={{totals.failed}}\n", to: "report.md.mustache", under: templates)
            let result = try await ws.verdict([
                "report", "SampleData", "--templates", templates.path, "--markdown", ws.out("r.md"), "--html",
                ws.out("r.html"),
            ])
            #expect(result.status == 0, "stderr: \(result.stderr)")
            let markdown = try ws.read(ws.out("r.md"))
            #expect(markdown.trimmingCharacters(in: .whitespacesAndNewlines) == "CUSTOM 97 failed=11")
            // Templates not overridden stay built in.
            #expect(try ws.read(ws.out("r.html")).contains("rejectsExpiredCoupon"))
        }
    }

    /// `<script>`, a `|`, an escaped newline and raw ANSI ESC bytes in a test name; XML escapes
    /// `<`/`>` and the newline, the ESC bytes are written raw (XML forbids them: Verdict must cope).
    static let hostileName =
        "&lt;script&gt;alert(1)&lt;/script&gt; a|b first&#10;second \u{1B}[31mred\u{1B}[0m"

    static let hostileJUnit = """
        <?xml version="1.0" encoding="UTF-8"?>
        <testsuite name="hostile" tests="3" failures="1">
          <testcase classname="evil.Class" name="\(hostileName)" time="0.5">
            <failure message="boom | &lt;b&gt;bold&lt;/b&gt;&#10;next line">stack &lt;script&gt;alert(2)&lt;/script&gt; | x</failure>
          </testcase>
          <testcase classname="evil.Class" name="pipe|in|name" time="0.2"/>
          <testcase classname="evil.Class" name="plain" time="0.1"/>
        </testsuite>

        """

    @Test("hostile names are escaped in HTML, keep Markdown tables intact, and keep JUnit valid")
    func hostileNames() async throws {
        try await Workspace.with { ws in
            try ws.write(Self.hostileJUnit, to: "hostile/results.xml")
            let result = try await ws.verdict([
                "report", ws.input.path, "--html", ws.out("r.html"), "--markdown", ws.out("r.md"), "--junit",
                ws.out("j.xml"), "--json", ws.out("s.json"),
            ])
            #expect(result.status == 0, "stderr: \(result.stderr)")
            let summary = try SummaryJSON.read(ws.out("s.json"))
            #expect(summary.totals == .init(3, passed: 2, failed: 1, errored: 0, skipped: 0, flaky: 0))
            let hostile = try #require(summary.failures.first)
            #expect(hostile.name.hasPrefix("<script>alert(1)</script> a|b first\nsecond "))

            // HTML: escaped, never a live script from the data, no raw ESC.
            let html = try ws.read(ws.out("r.html"))
            #expect(!html.contains("<script>alert"))
            #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
            #expect(html.contains("&lt;script&gt;alert(2)&lt;/script&gt;"))
            #expect(!html.contains("<b>bold"))
            #expect(!html.contains("\u{1B}"))

            // Markdown: every table row has as many unescaped `|` as its header; the hostile row is one line.
            let markdown = try ws.read(ws.out("r.md"))
            #expect(!markdown.contains("\u{1B}"))
            #expect(!markdown.contains("<script>alert"))
            let problems = Self.tableProblems(markdown)
            #expect(problems.isEmpty, "broken Markdown table rows:\n\(problems.joined(separator: "\n"))")
            let hostileRows = markdown.split(separator: "\n").filter { $0.hasPrefix("|") && $0.contains("alert(1)") }
            #expect(!hostileRows.isEmpty, "the hostile test appears in a table")
            #expect(hostileRows.allSatisfy { $0.contains("second") }, "the newline does not split the row")

            // JUnit: schema-valid (when xmllint is installed) and re-reads with the same tests and names.
            if let xmllint = CLI.which("xmllint") {
                let lint = try CLI.runTool(
                    xmllint, ["--noout", "--schema", CLI.junitSchema.path, ws.out("j.xml")],
                    captureFolder: ws.capture)
                #expect(lint.status == 0, "xmllint: \(lint.stderr)")
            }
            let reread = try await ws.verdict(["report", ws.out("j.xml"), "--json", ws.out("reread.json")])
            #expect(reread.status == 0, "stderr: \(reread.stderr)")
            let again = try SummaryJSON.read(ws.out("reread.json"))
            #expect(again.totals == summary.totals)
            #expect(again.failures.map(\.name) == summary.failures.map(\.name))
        }
    }

    /// Rows of each Markdown table whose count of unescaped `|` differs from the header's.
    static func tableProblems(_ markdown: String) -> [String] {
        let lines = markdown.components(separatedBy: "\n")
        var problems: [String] = []
        var index = 0
        while index < lines.count {
            let isTable = lines[index].hasPrefix("|") && index + 1 < lines.count && isSeparator(lines[index + 1])
            guard isTable else {
                index += 1
                continue
            }
            let width = unescapedPipes(lines[index])
            index += 1
            while index < lines.count, lines[index].hasPrefix("|") {
                let count = unescapedPipes(lines[index])
                if count != width { problems.append("\(count) vs \(width): \(lines[index])") }
                index += 1
            }
        }
        return problems
    }

    /// `|---|:--:|---:|`
    static func isSeparator(_ line: String) -> Bool {
        line.hasPrefix("|") && line.contains("-") && line.allSatisfy { "|-: ".contains($0) }
    }

    static func unescapedPipes(_ line: String) -> Int {
        var count = 0
        var escaped = false
        for character in line {
            if escaped {
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == "|" {
                count += 1
            }
        }
        return count
    }
}
