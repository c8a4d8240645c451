public import Foundation

/// The JSON summary and the JSON comparison written through `JSONStream`: the same bytes as
/// `JSONEncoder` (sorted keys, pretty), without building the encoder's tree of the whole document
/// (for a million tests that tree took several times the memory of the text, and most of the time).
extension ReportRenderer {
    /// Writes the JSON summary in slices of about 1 MiB to `sink`.
    public static func json(_ summary: ReportSummary, sink: @escaping ([UInt8]) -> Void) {
        var out = JSONStream(sink: sink)
        out.object { o in
            o.key("failureGroups")
            o.array(summary.failureGroups) { $0.write($1) }
            o.key("failures")
            o.array(summary.failures) { $0.write($1) }
            o.key("flaky")
            o.array(summary.flaky) { $0.write($1) }
            o.key("groups")
            o.object { g in
                g.key("classname")
                g.array(summary.groups.classname) { $0.write($1) }
                g.key("file")
                g.array(summary.groups.file) { $0.write($1) }
                g.key("source")
                g.array(summary.groups.source) { $0.write($1) }
            }
            o.member("headline", summary.headline)
            if let history = summary.history { o.encoded("history", history) }
            o.member("incomplete", summary.incomplete)
            o.key("inputs")
            o.array(summary.inputs) { $0.write($1) }
            if summary.jobs.isEmpty {
                o.key("jobs")
                o.array([Int]()) { $0.int($1) }
            } else {
                o.encoded("jobs", summary.jobs)
            }
            o.member("schemaVersion", summary.schemaVersion)
            o.key("slowest")
            o.array(summary.slowest) { $0.write($1) }
            o.member("title", summary.title)
            o.key("totals")
            o.write(summary.totals)
        }
        out.finish()
    }

    /// Writes the JSON comparison in slices of about 1 MiB to `sink`.
    public static func json(_ c: Comparison, sink: @escaping ([UInt8]) -> Void) {
        var out = JSONStream(sink: sink)
        out.object { o in
            o.key("base")
            o.write(c.base)
            o.key("baseInputs")
            o.array(c.baseInputs) { $0.write($1) }
            o.encoded("duplicates", c.duplicates)
            o.key("faster")
            o.array(concurrently: c.faster) { $0.write($1) }
            o.key("fixed")
            o.array(concurrently: c.fixed) { $0.write($1) }
            o.key("flaky")
            o.array(concurrently: c.flaky) { $0.write($1) }
            o.encoded("groups", c.groups)
            o.key("head")
            o.write(c.head)
            o.key("headInputs")
            o.array(c.headInputs) { $0.write($1) }
            o.encoded("matching", c.matching)
            o.key("moved")
            o.array(concurrently: c.moved) { $0.write($1) }
            o.key("newFailures")
            o.array(concurrently: c.newFailures) { $0.write($1) }
            o.key("newlySkipped")
            o.array(concurrently: c.newlySkipped) { $0.write($1) }
            o.key("onlyInBase")
            o.array(concurrently: c.onlyInBase) { $0.write($1) }
            o.key("onlyInHead")
            o.array(concurrently: c.onlyInHead) { $0.write($1) }
            o.member("schemaVersion", c.schemaVersion)
            o.key("slower")
            o.array(concurrently: c.slower) { $0.write($1) }
            o.key("stillFailing")
            o.array(concurrently: c.stillFailing) { $0.write($1) }
            o.encoded("thresholds", c.thresholds)
            o.member("title", c.title)
            o.key("unskipped")
            o.array(concurrently: c.unskipped) { $0.write($1) }
        }
        out.finish()
    }

    /// The whole JSON summary in memory.
    public static func json(_ summary: ReportSummary) -> Data {
        var data = Data()
        json(summary) { data.append(contentsOf: $0) }
        return data
    }

    /// The whole JSON comparison in memory.
    public static func json(_ comparison: Comparison) -> Data {
        var data = Data()
        json(comparison) { data.append(contentsOf: $0) }
        return data
    }
}

extension JSONStream {
    fileprivate mutating func write(_ t: Totals) {
        object { o in
            o.member("errored", t.errored)
            o.member("failed", t.failed)
            o.member("flaky", t.flaky)
            o.member("passed", t.passed)
            o.member("skipped", t.skipped)
            o.member("tests", t.tests)
            o.member("time", t.time)
        }
    }

    fileprivate mutating func write(_ input: InputReport) {
        object { o in
            o.member("incomplete", input.incomplete)
            o.member("kind", input.kind.rawValue)
            o.member("path", input.path)
            o.member("tests", input.tests)
            o.member("warnings", strings: input.warnings)
        }
    }

    fileprivate mutating func write(_ g: GroupStats) {
        object { o in
            o.member("errored", g.errored)
            o.member("failed", g.failed)
            o.member("key", g.key, omitNil: false)
            o.member("max", g.max)
            o.member("mean", g.mean)
            o.member("p50", g.p50)
            o.member("p95", g.p95)
            o.member("passed", g.passed)
            o.member("skipped", g.skipped)
            o.member("tests", g.tests)
            o.member("time", g.time)
        }
    }

    fileprivate mutating func write(_ t: TestItem) {
        object { o in
            o.member("classname", t.classname)
            o.member("file", t.file)
            o.member("name", t.name)
            o.member("outcome", t.outcome.rawValue)
            o.member("source", t.source)
            o.member("time", t.time)
        }
    }

    fileprivate mutating func write(_ f: FailureItem) {
        object { o in
            o.member("classname", f.classname)
            o.member("file", f.file)
            o.member("input", f.input)
            o.member("line", f.line)
            o.member("message", f.message)
            o.member("name", f.name)
            o.member("outcome", f.outcome.rawValue)
            o.member("source", f.source)
            o.member("systemErr", f.systemErr)
            o.member("systemOut", f.systemOut)
            o.member("text", f.text)
            o.member("time", f.time)
            o.member("type", f.type)
        }
    }

    fileprivate mutating func write(_ g: FailureGroup) {
        object { o in
            o.member("count", g.count)
            o.member("example", g.example)
            o.member("failures", ints: g.failures)
            o.member("signature", g.signature)
            o.member("type", g.type)
        }
    }

    fileprivate mutating func write(_ f: FlakyItem) {
        object { o in
            o.member("classname", f.classname)
            o.member("failed", f.failed)
            o.member("markedFlaky", f.markedFlaky)
            o.member("name", f.name)
            o.member("passed", f.passed)
        }
    }

    fileprivate mutating func write(_ t: ComparedTest) {
        object { o in
            o.member("baseFile", t.baseFile)
            o.member("baseOutcome", t.baseOutcome?.rawValue)
            o.member("baseTime", t.baseTime)
            o.member("classname", t.classname)
            o.member("difference", t.difference)
            o.member("file", t.file)
            o.member("headOutcome", t.headOutcome?.rawValue)
            o.member("headTime", t.headTime)
            o.member("matchedBy", t.matchedBy)
            o.member("message", t.message)
            o.member("name", t.name)
            o.member("ratio", t.ratio)
            o.member("source", t.source)
        }
    }
}
