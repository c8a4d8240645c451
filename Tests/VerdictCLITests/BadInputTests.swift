import Foundation
import Testing

@Suite("Bad inputs beside a good one")
struct BadInputTests {
    /// File name to content; every one but good.xml is rejected.
    static func bad() -> [(name: String, data: Data)] {
        [
            ("page.xml", Data("<html><head><title>CI</title></head><body>Build log</body></html>\n".utf8)),
            ("suites.xml", Data("<?xml version=\"1.0\"?>\n<suites><suite name=\"a\"/></suites>\n".utf8)),
            ("other.json", Data(#"{"hello": "world", "items_total": 3}"#.utf8)),
            ("empty.xml", Data()),
            // A PNG header and then bytes with NULs: binary, not text.
            ("image.xml", Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + (0..<300).map { UInt8($0 % 7) })),
        ]
    }

    @Test("exit 2, each bad file named, reports written with only the good file's tests")
    func badBesideGood() async throws {
        try await Workspace.with { ws in
            let folder = ws.input.appendingPathComponent("mixed")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try FileManager.default.copyItem(
                at: CLI.sampleData.appendingPathComponent("rspec/rspec.xml"),
                to: folder.appendingPathComponent("good.xml"))
            for file in Self.bad() { try ws.write(file.data, to: "mixed/" + file.name) }

            let result = try await ws.verdict(
                [
                    "report", "mixed", "--json", ws.out("s.json"), "--html", ws.out("r.html"), "--markdown",
                    ws.out("r.md"), "--junit", ws.out("j.xml"),
                ], in: ws.input)
            #expect(result.status == 2)
            for file in Self.bad() {
                #expect(
                    result.stderr.contains("mixed/\(file.name)"), "stderr names \(file.name): \(result.stderr)")
            }
            #expect(!result.stderr.contains("good.xml"))

            // The reports are still written, counting exactly the good file.
            #expect(try ws.outputListing() == ["j.xml", "r.html", "r.md", "s.json"])
            let summary = try SummaryJSON.read(ws.out("s.json"))
            #expect(summary.totals == .rspec)
            #expect(try ws.read(ws.out("j.xml")).contains(#"<testsuites name="Test report" tests="8" "#))
            #expect(try ws.read(ws.out("r.md")).contains("| 8 | 6 | 1 | 0 | 1 | 0 |"))
            #expect(try ws.read(ws.out("r.html")).contains("page.xml"), "the HTML lists the rejected inputs")

            // The JSON lists every input with its kind; rejected ones are "unreadable" with the reason.
            #expect(summary.inputs.count == 6)
            let good = summary.inputs.first { $0.path == "mixed/good.xml" }
            #expect(good?.kind == "junit")
            #expect(good?.tests == 8)
            for file in Self.bad() {
                let input = summary.inputs.first { $0.path == "mixed/\(file.name)" }
                #expect(input?.kind == "unreadable", "\(file.name)")
                #expect(input?.tests == 0)
                #expect(input?.warnings.count == 1, "\(file.name) carries its reason")
                if let warning = input?.warnings.first {
                    #expect(result.stderr.contains(warning), "stderr and JSON give the same reason")
                }
            }
            let reason = { (name: String) in summary.inputs.first { $0.path == "mixed/" + name }?.warnings.first ?? "" }
            #expect(reason("page.xml").contains("<html>"))
            #expect(reason("suites.xml").contains("<suites>"))
            #expect(reason("empty.xml").contains("empty"))
            #expect(reason("image.xml").contains("binary"))
            #expect(reason("other.json").contains("hello"))
        }
    }
}
