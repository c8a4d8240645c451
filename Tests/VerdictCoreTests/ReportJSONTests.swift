import Foundation
import Testing

@testable import VerdictCore

/// The streamed JSON must be the bytes `JSONEncoder` wrote before (sorted keys, pretty printed).
@Suite("Streamed JSON equals JSONEncoder")
struct ReportJSONTests {
    func encoderBytes(_ value: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }

    /// Records with everything that changes the bytes: nil and present optionals, escapes, control
    /// characters, non-ASCII, slashes, zero and odd numbers, a flaky identity, a missing file.
    func records() -> [TestRecord] {
        var records: [TestRecord] = []
        let names = ["plain", "quote \" and \\ back", "tab\tnew\nline\r", "ctl \u{1}\u{1F}\u{7F}", "日本語 ✓ /a/b", ""]
        let times = [0, 0.1, 1e-7, 123_456.789, 5, 2.5e-5, 1e17, 0.000123]
        for index in 0..<300 {
            let outcome = Outcome.allCases[index % 4]
            var record = TestRecord(
                classname: index % 7 == 0 ? "" : "pkg.Class\(index % 5)",
                name: names[index % names.count] + "\(index % 40)",
                file: index % 3 == 0 ? nil : "src/f\(index % 4).rb", line: index % 2 == 0 ? index : nil,
                time: times[index % times.count] + Double(index), outcome: outcome, source: "s\(index % 2)")
            if outcome.isFailure {
                record.details = [
                    ResultDetail(
                        kind: outcome == .failed ? .failure : .error,
                        message: index % 3 == 0 ? nil : "boom \(names[index % 6])",
                        type: index % 2 == 0 ? "E" : nil, text: index % 5 == 0 ? nil : "trace\n  at x")
                ]
                record.systemOut = index % 4 == 1 ? "out \u{1B}[31m" : nil
            }
            records.append(record)
        }
        // A rerun: the same identity passed and failed (flaky).
        records.append(TestRecord(classname: "pkg.Rerun", name: "again", time: 1, outcome: .passed, source: "s0"))
        records.append(
            TestRecord(
                classname: "pkg.Rerun", name: "again", time: 2, outcome: .failed, source: "s0",
                details: [ResultDetail(kind: .failure, message: "once")]))
        return records
    }

    @Test("a report summary: every field, with and without jobs and history")
    func summary() throws {
        var accumulator = ReportAccumulator(top: 5)
        accumulator.register(inputIndex: 0, path: "in/a.xml")
        for record in records() { accumulator.add(record) }
        accumulator.add(input: InputReport(path: "in/a.xml", kind: .junit, tests: 300, warnings: ["w \"1\"", "w/2"]))
        accumulator.add(input: InputReport(path: "empty.json", kind: .unreadable, incomplete: true))
        var summary = accumulator.summary(title: "Title \"x\"")
        #expect(!summary.flaky.isEmpty)
        #expect(ReportRenderer.json(summary) == (try encoderBytes(summary)))

        summary.jobs = [
            JobSummary(
                api: "v2", number: 7, name: "test", duration: 12.5,
                steps: [
                    StepSummary(
                        name: "run", time: 3, status: "failed", failed: true, containers: 2, failedContainers: [1])
                ]),
            JobSummary(api: "v1.1"),
        ]
        summary.history = ReportHistory(
            outcomes: ["a › b": [.passed, .failed], "c › d": []],
            classnameSeries: [
                ReportHistory.Series(key: "k", times: [1, 2.5]), ReportHistory.Series(key: "e", times: []),
            ])
        #expect(ReportRenderer.json(summary) == (try encoderBytes(summary)))

        let empty = ReportAccumulator().summary(title: "")
        #expect(ReportRenderer.json(empty) == (try encoderBytes(empty)))
    }

    @Test("a comparison: every list, groups, duplicates and matching")
    func comparison() throws {
        var builder = ComparisonBuilder()
        let all = records()
        for (index, record) in all.enumerated() where index % 5 != 0 { builder.base.add(record) }
        for (index, var record) in all.enumerated() where index % 7 != 0 {
            record.outcome = Outcome.allCases[(index / 3) % 4]
            record.time *= index % 2 == 0 ? 3 : 0.2
            if index % 11 == 0 { record.file = "moved/\(index).rb" }
            builder.head.add(record)
        }
        builder.head.add(input: InputReport(path: "h.xml", kind: .junit, tests: 1))
        let comparison = builder.compare(title: "C", thresholds: .init(ratio: 1.2, minTime: 0))
        #expect(!comparison.slower.isEmpty && !comparison.duplicates.isEmpty)
        #expect(ReportRenderer.json(comparison) == (try encoderBytes(comparison)))
    }

    @Test("a comparison whose lists are long enough to be written on two threads")
    func longComparison() throws {
        var builder = ComparisonBuilder()
        let count = JSONStream.concurrentArrayMinimum + 1_001
        for index in 0..<count {
            let failing = index % 9 == 0
            builder.base.add(
                TestRecord(
                    classname: "base.C\(index % 13)", name: "t \"\(index)\"",
                    file: index % 2 == 0 ? "b/\(index).py" : nil,
                    time: Double(index) / 7, outcome: failing ? .failed : .passed,
                    details: failing ? [ResultDetail(kind: .failure, message: "boom\n\(index)")] : []))
            builder.head.add(
                TestRecord(
                    classname: "head.C\(index % 11)", name: "t\(index) ✓", time: Double(index) / 3,
                    outcome: index % 5 == 0 ? .errored : .passed))
        }
        let comparison = builder.compare(title: "long", thresholds: .init())
        #expect(comparison.onlyInBase.count == count)
        #expect(comparison.onlyInHead.count == count)
        let streamed = ReportRenderer.json(comparison)
        let encoded = try encoderBytes(comparison)
        #expect(streamed.count == encoded.count)
        let same = streamed == encoded
        #expect(same)
    }

    @Test("an array written on two threads is the same bytes, at any depth and slice size")
    func concurrentArray() {
        let values = (0..<(JSONStream.concurrentArrayMinimum * 2 + 3)).map { Double($0) / 8 }
        var outputs: [[UInt8]] = []
        for concurrent in [false, true] {
            var bytes: [UInt8] = []
            var stream = JSONStream(sliceSize: 777) { bytes += $0 }
            stream.object { o in
                o.key("a")
                o.array([0, 1]) { inner, index in
                    inner.object { p in
                        p.key("values")
                        if concurrent {
                            p.array(concurrently: values) { $0.double($1) }
                        } else {
                            p.array(values) { $0.double($1) }
                        }
                        p.member("z", "\(index)")
                    }
                }
            }
            stream.finish()
            outputs.append(bytes)
        }
        let same = outputs[0] == outputs[1]
        #expect(same)
        #expect(outputs[1].count > values.count * 4)
    }

    @Test("durations of absurd sizes print instead of trapping")
    func hugeDurations() {
        #expect(Format.duration(3e19) == "8333333333333333 h")
        #expect(Format.duration(.infinity) == "inf s")
        #expect(Format.duration(7200) == "2 h 00 min")
    }

    @Test("slices: the same bytes whatever the slice size")
    func slices() {
        var whole: [UInt8] = []
        var small: [UInt8] = []
        var count = 0
        for (size, target) in [(1 << 20, 0), (7, 1)] {
            var stream = JSONStream(sliceSize: size) { slice in
                if target == 0 { whole += slice } else { small += slice }
                count += target
            }
            stream.object { o in
                o.member("a", "x\ny")
                o.key("b")
                o.array([1.5, 2, -0.0]) { $0.double($1) }
            }
            stream.finish()
        }
        #expect(whole == small)
        #expect(count >= 2)
        #expect(
            String(decoding: whole, as: UTF8.self)
                == "{\n  \"a\" : \"x\\ny\",\n  \"b\" : [\n    1.5,\n    2,\n    -0\n  ]\n}")
    }
}
