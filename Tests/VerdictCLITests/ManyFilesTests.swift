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

@Suite("Parallel reads")
struct ParallelReadTests {
    @Test("--jobs 1 and --jobs 4 write the same bytes for every output")
    func sameOutputs() async throws {
        try await Workspace.with { ws in
            for index in 0..<40 {
                try ws.write(
                    junitXML(
                        suite: "s\(index % 7)", passed: index % 5, failed: index % 3 == 0, errored: index % 11 == 0),
                    to: "many/r\(index % 4)/TEST-\(index).xml")
            }
            var outputs: [[String]] = []
            for jobs in ["1", "4"] {
                let names = ["s\(jobs).json", "r\(jobs).html", "r\(jobs).md", "j\(jobs).xml"]
                let result = try await ws.verdict(
                    [
                        "report", "many", CLI.sampleData.appendingPathComponent("go/report.xml").path, "--jobs", jobs,
                        "--json", ws.out(names[0]),
                        "--html", ws.out(names[1]), "--markdown", ws.out(names[2]), "--junit", ws.out(names[3]),
                    ], in: ws.input)
                #expect(result.status == 0, "stderr: \(result.stderr)")
                outputs.append(try names.map { try ws.read(ws.out($0)) })
            }
            #expect(outputs[0] == outputs[1])
            #expect(outputs[0][3].components(separatedBy: "<testcase ").count > 40)
        }
    }
}
