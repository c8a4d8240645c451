import Foundation
import Testing

@testable import VerdictCore

@Suite("Aggregation and the JSON summary")
struct AccumulatorTests {
    func record(
        _ classname: String, _ name: String, _ time: Double, _ outcome: Outcome = .passed,
        file: String? = nil, source: String = "s"
    ) -> TestRecord {
        TestRecord(classname: classname, name: name, file: file, time: time, outcome: outcome, source: source)
    }

    @Test("the summary built on two threads equals the one built on one, on every corpus file together")
    func parallelSummary() throws {
        var accumulator = ReportAccumulator(top: 10)
        let files = try FileManager.default.contentsOfDirectory(atPath: Paths.corpus.path).filter {
            $0.hasSuffix(".xml")
        }
        .sorted()
        for (index, name) in files.enumerated() {
            let data = try bytes(Paths.corpus.appendingPathComponent(name))
            guard let read = try? JUnitReader.read(data, path: name, inputIndex: index, chunkSize: 4096) else {
                continue
            }
            accumulator.register(inputIndex: index, path: name)
            read.records.forEach { accumulator.add($0) }
            accumulator.add(input: read.report)
        }
        let one = accumulator.summary(title: "t", parallel: false)
        let two = accumulator.summary(title: "t", parallel: true)
        #expect(one.totals.failed > 10)
        #expect(one.failureGroups.count > 5)
        #expect(one == two)
    }

    @Test("nearest-rank percentiles")
    func percentiles() {
        let sorted = (1...20).map(Double.init)
        #expect(Statistics.percentile(sorted, 50) == 10)
        #expect(Statistics.percentile(sorted, 95) == 19)
        #expect(Statistics.percentile([7], 95) == 7)
        #expect(Statistics.percentile([], 50) == 0)
    }

    @Test("groups per classname, file (null for none) and source, most time first")
    func groups() {
        var accumulator = ReportAccumulator()
        for i in 1...20 { accumulator.add(record("A", "t\(i)", Double(i), file: "a.rb", source: "rspec")) }
        accumulator.add(record("B", "x", 100, .failed, source: "jest"))
        accumulator.add(record("B", "y", 0, .skipped, source: "jest"))
        let summary = accumulator.summary(title: "t")
        let a = summary.groups.classname.first { $0.key == "A" }
        #expect(a?.tests == 20 && a?.p50 == 10 && a?.p95 == 19 && a?.max == 20 && a?.time == 210 && a?.mean == 10.5)
        #expect(summary.groups.classname.map(\.key) == ["A", "B"])
        #expect(summary.groups.file.map(\.key) == ["a.rb", nil])
        let b = summary.groups.file.first { $0.key == nil }
        #expect(b?.tests == 2 && b?.failed == 1 && b?.skipped == 1)
        #expect(summary.groups.source.map(\.key) == ["rspec", "jest"])
        for group in summary.groups.classname + summary.groups.file + summary.groups.source {
            #expect(group.tests == group.passed + group.failed + group.errored + group.skipped)
        }
    }

    @Test("the slowest N, slowest first")
    func slowest() {
        var accumulator = ReportAccumulator(top: 3)
        for (i, time) in [0.5, 3, 1, 9, 2, 9.5].enumerated() { accumulator.add(record("C", "t\(i)", time)) }
        #expect(accumulator.summary(title: "t").slowest.map(\.time) == [9.5, 9, 3])
        var none = ReportAccumulator(top: 0)
        none.add(record("C", "t", 1))
        #expect(none.summary(title: "t").slowest.isEmpty)
    }

    @Test("failures keep message and text, capped for display")
    func failures() {
        var accumulator = ReportAccumulator()
        accumulator.register(inputIndex: 0, path: "in.xml")
        var failing = record("C", "t", 1, .failed)
        failing.details = [
            ResultDetail(kind: .failure, message: "boom", type: "E", text: String(repeating: "y", count: 10_000)),
            ResultDetail(kind: .failure, message: "second"),
        ]
        accumulator.add(failing)
        let item = accumulator.summary(title: "t").failures[0]
        #expect(item.message == "boom" && item.type == "E" && item.input == "in.xml")
        #expect((item.text?.utf8.count ?? 0) < TextCap.display + 200)
    }

    @Test("the JSON summary has every field result-semantics.md requires, file null as JSON null")
    func jsonShape() throws {
        var accumulator = ReportAccumulator()
        accumulator.add(record("A", "a", 0.25, file: "a.rb"))
        accumulator.add(record("A", "b", 0.5, .errored))
        accumulator.add(input: InputReport(path: "x.xml", kind: .junit, tests: 2, warnings: ["w"]))
        let data = ReportRenderer.json(accumulator.summary(title: "t"))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["schemaVersion"] as? Int == 1)
        let totals = try #require(object["totals"] as? [String: Any])
        for key in ["tests", "passed", "failed", "errored", "skipped", "flaky", "time"] {
            #expect(totals[key] != nil, "totals.\(key)")
        }
        #expect(totals["time"] as? Double == 0.75)
        let inputs = try #require(object["inputs"] as? [[String: Any]])
        #expect(inputs.first?["kind"] as? String == "junit")
        #expect(inputs.first?["warnings"] as? [String] == ["w"])
        let groups = try #require(object["groups"] as? [String: [[String: Any]]])
        #expect(Set(groups.keys) == ["classname", "file", "source"])
        let nullGroup = try #require(groups["file"]?.first { $0["key"] is NSNull })
        #expect(nullGroup["tests"] as? Int == 1)
        for key in ["key", "tests", "passed", "failed", "errored", "skipped", "time", "p50", "p95", "max"] {
            #expect(nullGroup[key] != nil, "group.\(key)")
        }
    }

    @Test("sums print without float artefacts")
    func rounding() {
        var accumulator = ReportAccumulator()
        accumulator.add(record("A", "a", 0.1))
        accumulator.add(record("A", "b", 0.2))
        #expect(accumulator.summary(title: "t").totals.time == 0.3)
    }
}
