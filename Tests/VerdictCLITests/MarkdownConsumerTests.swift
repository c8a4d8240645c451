import Foundation
import Testing

/// Every Markdown output as GitHub's renderer (cmark-gfm) sees it: each table's rows keep exactly
/// the header's number of cells, and the expected rows are there.
@Suite("Markdown in cmark-gfm")
struct MarkdownConsumerTests {
    /// Each rendered table: its header cell count and each body row's cell count.
    static func tables(_ html: String) -> [(header: Int, rows: [Int])] {
        html.components(separatedBy: "<table>").dropFirst().map { table in
            let body = table.components(separatedBy: "</table>")[0]
            let header = body.components(separatedBy: "</th>").count - 1
            let rows =
                body.components(separatedBy: "<tbody>").dropFirst().first?
                .components(separatedBy: "<tr>").dropFirst().map { $0.components(separatedBy: "</td>").count - 1 } ?? []
            return (header, rows)
        }
    }

    func render(_ markdown: String, _ ws: Workspace) throws -> String {
        let cmark = try #require(CLI.which("cmark-gfm"), "cmark-gfm is not installed (.ci/run installs it)")
        let file = ws.output.appendingPathComponent("m-\(UUID().uuidString).md")
        try Data(markdown.utf8).write(to: file)
        let result = try CLI.runTool(cmark, ["-e", "table", file.path], captureFolder: ws.capture)
        #expect(result.status == 0)
        return result.stdout
    }

    func checkTables(_ html: String, minimumRows: Int) {
        let tables = Self.tables(html)
        #expect(!tables.isEmpty)
        var rows = 0
        for table in tables {
            for cells in table.rows {
                #expect(cells == table.header, "a row with \(cells) cells under \(table.header)")
            }
            rows += table.rows.count
        }
        #expect(rows >= minimumRows)
    }

    @Test("report, compare, flaky and trends Markdown render with whole tables")
    func everyMarkdown() async throws {
        try await Workspace.with { ws in
            let hostile = """
                <testsuite name="s"><testcase classname="a|b" name="x | y &lt;b&gt;bold&lt;/b&gt;&#10;z"><failure message="m|n"/></testcase>
                <testcase classname="c" name="`tick` *star* [l](u)"/></testsuite>
                """
            try ws.write(hostile, to: "hostile/h.xml")
            let report = try await ws.verdict([
                "report", "SampleData", ws.input.appendingPathComponent("hostile").path, "--markdown", "-",
            ])
            let html = try render(report.stdout, ws)
            checkTables(html, minimumRows: 30)
            #expect(html.contains("a|b › x | y &lt;b&gt;bold&lt;/b&gt;"), "the hostile name stays one cell, as text")

            let compare = try await ws.verdict([
                "compare", "SampleData/circleci-v1.1", "SampleData/circleci-v2", "--markdown", "-",
            ])
            checkTables(try render(compare.stdout, ws), minimumRows: 40)

            let db = ws.out("h.sqlite")
            for build in ["1", "2"] {
                _ = try await ws.verdict(["history", "record", "SampleData", "--db", db, "--build", build])
            }
            let flaky = try await ws.verdict(["flaky", "--db", db, "--markdown", "-"])
            checkTables(try render(flaky.stdout, ws), minimumRows: 2)
            let trends = try await ws.verdict(["trends", "--db", db, "--markdown", "-"])
            checkTables(try render(trends.stdout, ws), minimumRows: 10)
        }
    }
}
