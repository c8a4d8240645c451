import Foundation
import Testing

@Suite("Quick start: verdict report SampleData with every output")
struct QuickStartTests {
    @Test("writes all four outputs with SampleData/README.md's totals")
    func allFourOutputs() async throws {
        try await Workspace.with { ws in
            let result = try await ws.verdict([
                "report", "SampleData", "--html", ws.out("report.html"), "--markdown", ws.out("report.md"),
                "--junit", ws.out("junit.xml"), "--json", ws.out("summary.json"),
            ])
            #expect(result.status == 0, "stderr: \(result.stderr)")
            // Exactly the four reports: no temporary or scratch file is left beside them.
            #expect(try ws.outputListing() == ["junit.xml", "report.html", "report.md", "summary.json"])

            let summary = try SummaryJSON.read(ws.out("summary.json"))
            #expect(summary.totals == .sampleData)
            #expect(summary.inputs.allSatisfy { $0.path.hasPrefix("SampleData/") }, "input paths are relative")
            let truncated = summary.inputs.first { $0.path.hasSuffix("PaymentGatewayTest.xml") }
            #expect(truncated?.incomplete == true)
            #expect(truncated?.tests == 4)

            let html = try ws.read(ws.out("report.html"))
            #expect(html.contains("<html"))
            #expect(html.contains("rejectsExpiredCoupon"), "the HTML lists the failures")
            let markdown = try ws.read(ws.out("report.md"))
            #expect(markdown.contains("| 97 | 72 | 11 | 3 | 11 | 2 |"), "the Markdown totals row")
            let junit = try ws.read(ws.out("junit.xml"))
            #expect(junit.contains(#"tests="97" failures="11" errors="3" skipped="11""#))

            // The terminal gets the one-line headline when files are written (README's quick start).
            #expect(
                result.stdout.contains(
                    "FAILED 97 tests: 72 passed, 11 failed, 3 errored, 11 skipped, 2 flaky in 1 min 12 s (incomplete input)"
                ))
            #expect(result.stderr.contains("PaymentGatewayTest.xml"), "the truncated file is warned about")
        }
    }

    @Test("the JUnit output is valid against shared/schemas/junit.xsd (when xmllint is installed)")
    func junitSchemaValid() async throws {
        try await Workspace.with { ws in
            let result = try await ws.verdict(["report", "SampleData", "--junit", ws.out("junit.xml")])
            #expect(result.status == 0, "stderr: \(result.stderr)")
            let junit = try ws.read(ws.out("junit.xml"))
            #expect(junit.hasPrefix("<?xml"))
            #expect(junit.components(separatedBy: "<testcase ").count - 1 == 97)
            guard let xmllint = CLI.which("xmllint") else { return }
            let lint = try CLI.runTool(
                xmllint, ["--noout", "--schema", CLI.junitSchema.path, ws.out("junit.xml")], captureFolder: ws.capture)
            #expect(lint.status == 0, "xmllint: \(lint.stderr)")
        }
    }

    @Test("cmark-gfm renders the Markdown output (when installed)")
    func markdownRenders() async throws {
        try await Workspace.with { ws in
            let result = try await ws.verdict(["report", "SampleData", "--markdown", ws.out("report.md")])
            #expect(result.status == 0, "stderr: \(result.stderr)")
            let markdown = try ws.read(ws.out("report.md"))
            #expect(markdown.contains("acme-corp/storefront"))
            guard let cmark = CLI.which("cmark-gfm") else { return }
            let rendered = try CLI.runTool(
                cmark, ["--extension", "table", ws.out("report.md")], captureFolder: ws.capture)
            #expect(rendered.status == 0, "cmark-gfm: \(rendered.stderr)")
            #expect(rendered.stdout.contains("<h2>"), "the headline renders as a heading")
            #expect(rendered.stdout.contains("<table>"), "the tables render as tables")
            #expect(rendered.stdout.contains("<td>97</td>") || rendered.stdout.contains(">97</td>"))
        }
    }
}
