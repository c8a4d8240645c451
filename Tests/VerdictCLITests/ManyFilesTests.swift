import Foundation
import Testing

@Suite("Many inputs")
struct ManyFilesTests {
    @Test("10,000 small files in one folder are all read, each counted once")
    func tenThousandFiles() async throws {
        try await Workspace.with { ws in
            let folder = ws.input.appendingPathComponent("many/unit")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for index in 0..<10_000 {
                let xml =
                    "<testsuite name=\"S\(index)\"><testcase classname=\"S\(index)\" name=\"t\" time=\"0.001\"/>"
                    + (index % 1000 == 0 ? "<testcase classname=\"S\(index)\" name=\"f\"><failure/></testcase>" : "")
                    + "</testsuite>"
                try Data(xml.utf8).write(to: folder.appendingPathComponent("TEST-\(index).xml"))
            }
            let result = try await ws.verdict(
                ["report", "many", "--json", ws.out("s.json")], in: ws.input, timeout: 120)
            #expect(result.status == 0, "stderr: \(result.stderr)")
            let summary = try SummaryJSON.read(ws.out("s.json"))
            #expect(summary.totals.tests == 10_010)
            #expect(summary.totals.failed == 10)
            #expect(summary.inputs.count == 10_000)
        }
    }
}
