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

    @Test(
        "one large file read on its own thread (the default) writes what --jobs 1 writes, cut short or whole",
        arguments: [false, true])
    func pipelinedSingleFile(truncated: Bool) async throws {
        try await Workspace.with { ws in
            // Enough cases for many batches between the reading thread and the caller, with every kind
            // of record: failures with text, errors, skips, reruns, output, unreadable times, reruns
            // of one test across suites (flaky).
            // Output long enough that batches are also cut by their bytes of text.
            let long = String(repeating: "x", count: 30_000)
            var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n"
            for suite in 0..<60 {
                xml += "<testsuite name=\"S\(suite)\" file=\"src/s\(suite % 9).py\">\n"
                for index in 0..<100 {
                    let name = "t\(index % 70)"
                    let classname = "pkg.C\(suite % 13)"
                    let time = index % 97 == 0 ? "n/a" : "0.\((suite * 31 + index * 7) % 1000)"
                    switch (suite * 100 + index) % 23 {
                    case 0:
                        xml +=
                            "<testcase classname=\"\(classname)\" name=\"\(name)\" time=\"\(time)\">"
                            + "<failure message=\"expected \(index) &amp; got \(suite)\">trace \(index)\nline 2</failure>"
                            + "</testcase>\n"
                    case 1:
                        xml +=
                            "<testcase classname=\"\(classname)\" name=\"\(name)\" time=\"\(time)\">"
                            + "<error type=\"IOError\"/><system-out>out \(index) \(long)</system-out></testcase>\n"
                    case 2:
                        xml += "<testcase classname=\"\(classname)\" name=\"\(name)\"><skipped/></testcase>\n"
                    case 3:
                        xml +=
                            "<testcase classname=\"\(classname)\" name=\"\(name)\" time=\"\(time)\">"
                            + "<rerunFailure message=\"first try\"/></testcase>\n"
                    default:
                        xml += "<testcase classname=\"\(classname)\" name=\"\(name)\" time=\"\(time)\"/>\n"
                    }
                }
                xml += "</testsuite>\n"
            }
            xml += "</testsuites>\n"
            if truncated { xml = String(xml.prefix(xml.count * 2 / 3)) }
            try ws.write(xml, to: "big.xml")
            var outputs: [[String]] = []
            var errors: [String] = []
            for jobs in ["1", "2"] {
                let names = ["s\(jobs).json", "r\(jobs).html", "r\(jobs).md", "j\(jobs).xml"]
                let result = try await ws.verdict(
                    [
                        "report", "big.xml", "--jobs", jobs, "--json", ws.out(names[0]), "--html", ws.out(names[1]),
                        "--markdown", ws.out(names[2]), "--junit", ws.out(names[3]),
                    ], in: ws.input)
                #expect(result.status == 0, "stderr: \(result.stderr)")
                outputs.append(try names.map { try ws.read(ws.out($0)) })
                errors.append(result.stderr)
            }
            for (index, name) in ["JSON", "HTML", "Markdown", "JUnit"].enumerated() {
                let same = outputs[0][index] == outputs[1][index]
                #expect(same, "the \(name) output differs between --jobs 1 and --jobs 2")
            }
            #expect(errors[0] == errors[1])
            let summary = try SummaryJSON.read(ws.out("s2.json"))
            let tests = summary.totals.tests
            #expect(truncated ? tests > 3_000 && tests < 6_000 : tests == 6_000)
            #expect((summary.inputs.first?.incomplete ?? false) == truncated)
        }
    }
}
