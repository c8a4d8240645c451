import Foundation
import Testing

@Suite("Atomic writes")
struct AtomicWriteTests {
    static let oldContent = "OLD REPORT: must survive a failed run\n"

    /// Temporary files OutputFile would leave: hidden names, or names mentioning verdict.
    static func leftovers(_ listing: [String]) -> [String] {
        listing.filter { $0.hasPrefix(".") || $0.lowercased().contains("verdict") }
    }

    @Test("an output in a missing folder exits 2, names the folder, before any input is read")
    func missingOutputFolder() async throws {
        try await Workspace.with { ws in
            let missingFolder = ws.root.appendingPathComponent("missing/reports")
            // The input does not exist either: had it been looked at, stderr would say so.
            let missingInput = ws.root.appendingPathComponent("never-read").path
            let result = try await ws.verdict([
                "report", missingInput, "--html", missingFolder.appendingPathComponent("r.html").path,
            ])
            #expect(result.status == 2)
            #expect(result.stderr.contains(missingFolder.path), "stderr: \(result.stderr)")
            #expect(!result.stderr.contains("never-read"), "inputs are not looked at before the outputs open")
            #expect(!result.stderr.contains("no input found"))
            #expect(!FileManager.default.fileExists(atPath: missingFolder.path), "the folder is not created")
        }
    }

    @Test("a template syntax error keeps the old report and leaves no temporary file")
    func templateSyntaxError() async throws {
        try await Workspace.with { ws in
            let templates = ws.root.appendingPathComponent("templates")
            try ws.write(
                "<html><body>{{#x}} never closed </body></html>\n", to: "report.html.mustache", under: templates)
            try ws.write(Self.oldContent, to: "report.html", under: ws.output)

            let result = try await ws.verdict([
                "report", "SampleData", "--templates", templates.path, "--html", ws.out("report.html"),
                "--markdown", ws.out("report.md"), "--junit", ws.out("junit.xml"), "--json", ws.out("summary.json"),
            ])
            #expect(result.status == 2)
            #expect(result.stderr.contains("report.html.mustache"), "stderr: \(result.stderr)")
            #expect(try ws.read(ws.out("report.html")) == Self.oldContent)
            let listing = try ws.outputListing()
            #expect(Self.leftovers(listing).isEmpty, "left behind: \(listing)")
            #expect(listing == ["report.html"], "no output of the failed run appears")
        }
    }

    @Test("a failure after other outputs were opened removes their temporary files")
    func failureAfterOpening() async throws {
        try await Workspace.with { ws in
            try ws.write(Self.oldContent, to: "report.html", under: ws.output)
            try FileManager.default.createDirectory(
                at: ws.output.appendingPathComponent("a-folder"), withIntermediateDirectories: true)

            // --html and --markdown open (temporary files created) before --json fails: it is a folder.
            let result = try await ws.verdict([
                "report", "SampleData", "--html", ws.out("report.html"), "--markdown", ws.out("report.md"),
                "--json", ws.out("a-folder"),
            ])
            #expect(result.status == 2)
            #expect(result.stderr.contains("a-folder"), "stderr: \(result.stderr)")
            #expect(try ws.read(ws.out("report.html")) == Self.oldContent)
            let listing = try ws.outputListing()
            #expect(listing == ["a-folder", "report.html"], "left behind: \(listing)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: ws.out("a-folder")).isEmpty)
        }
    }

    @Test("a successful run replaces the old report and leaves no temporary file")
    func successReplaces() async throws {
        try await Workspace.with { ws in
            try ws.write(Self.oldContent, to: "report.html", under: ws.output)
            let result = try await ws.verdict([
                "report", "SampleData", "--html", ws.out("report.html"), "--junit", ws.out("junit.xml"),
            ])
            #expect(result.status == 0, "stderr: \(result.stderr)")
            let html = try ws.read(ws.out("report.html"))
            #expect(html != Self.oldContent)
            #expect(html.contains("</html>"), "the whole report was written")
            #expect(try ws.outputListing() == ["junit.xml", "report.html"])
        }
    }
}
