import Foundation
import VerdictCore

/// In-process benchmarks: each stage of a report timed on its own, to find where the time goes.
///
///     swift run -c release verdict-bench FILE [--runs N] [--compare OTHER]
///
/// Stages: reading (libxml2 and the JUnit reader, records dropped), counting (the accumulator over
/// records already in memory), the summary, each renderer, the merged JUnit writer, and with
/// `--compare` the comparison builder. A CircleCI `/tests` response (`.json`) is timed as decoding.

struct Options {
    var file = ""
    var other: String?
    var runs = 3

    static func parse(_ arguments: [String]) -> Options? {
        var options = Options()
        var rest = arguments[...]
        while let argument = rest.popFirst() {
            switch argument {
            case "--runs":
                guard let value = rest.popFirst().flatMap(Int.init), value > 0 else { return nil }
                options.runs = value
            case "--compare":
                guard let value = rest.popFirst() else { return nil }
                options.other = value
            case "-h", "--help":
                return nil
            default:
                guard options.file.isEmpty, !argument.hasPrefix("-") else { return nil }
                options.file = argument
            }
        }
        return options.file.isEmpty ? nil : options
    }
}

/// Wall time of `body`, in seconds, on a monotonic clock.
func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

/// Times `body` `runs` times and prints the median and the spread on one line.
func stage(_ name: String, runs: Int, items: Int? = nil, _ body: () throws -> Void) rethrows {
    var times: [Double] = []
    for _ in 0..<runs { times.append(try seconds(body)) }
    times.sort()
    let median = times[times.count / 2]
    let rate = items.map { median > 0 ? String(format: "%10.0f /s", Double($0) / median) : "" } ?? ""
    let spread = times.map { String(format: "%.3f", $0) }.joined(separator: " ")
    print(
        name.padding(toLength: 30, withPad: " ", startingAt: 0) + String(format: "%8.3f s", median)
            + "  \(rate.padding(toLength: 14, withPad: " ", startingAt: 0))  runs: \(spread)")
}

func readRecords(_ path: String, keep: Bool) throws -> (records: [TestRecord], count: Int, report: InputReport) {
    guard let handle = FileHandle(forReadingAtPath: path) else {
        throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: path])
    }
    defer { try? handle.close() }
    var records: [TestRecord] = []
    var count = 0
    let reader = JUnitReader(source: "bench") { record in
        count += 1
        if keep { records.append(record) }
    }
    while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
        guard chunk.withUnsafeBytes({ reader.feed($0) }) else { break }
    }
    let report = try reader.finish(path: path)
    return (records, count, report)
}

func accumulate(_ records: [TestRecord], report: InputReport) -> ReportAccumulator {
    var accumulator = ReportAccumulator(top: 10)
    accumulator.register(inputIndex: 0, path: report.path)
    for record in records { accumulator.add(record) }
    accumulator.add(input: report)
    return accumulator
}

func benchJUnit(_ options: Options) throws {
    let runs = options.runs
    let bytes = (try? FileManager.default.attributesOfItem(atPath: options.file)[.size] as? Int) ?? 0
    print("\(options.file): \(bytes >> 20) MB, \(runs) runs per stage, release build expected")
    try stage("read (records dropped)", runs: runs, items: nil) { _ = try readRecords(options.file, keep: false) }
    let (records, _, report) = try readRecords(options.file, keep: true)
    print("  \(records.count) records")
    try stage("read (records kept)", runs: runs, items: records.count) {
        _ = try readRecords(options.file, keep: true)
    }
    stage("count (accumulator.add)", runs: runs, items: records.count) {
        _ = accumulate(records, report: report)
    }
    let accumulator = accumulate(records, report: report)
    stage("summary()", runs: runs) { _ = accumulator.summary(title: "bench") }
    let summary = accumulator.summary(title: "bench")
    stage("  of which failure groups", runs: runs, items: summary.failures.count) {
        _ = FailureGrouping.group(summary.failures)
    }
    let templates = try TemplateSet(overrides: [:])
    let renderer = ReportRenderer(templates: templates, version: Verdict.version)
    var size = 0
    stage("render JSON", runs: runs) {
        size = 0
        ReportRenderer.json(summary, sink: { size += $0.count })
    }
    print("  JSON \(size >> 10) KB")
    try stage("render HTML", runs: runs) { size = try renderer.html(summary).utf8.count }
    print("  HTML \(size >> 10) KB")
    try stage("render Markdown", runs: runs) { size = try renderer.markdown(summary).utf8.count }
    try stage("merged JUnit (writer)", runs: runs, items: records.count) {
        size = 0
        var writer = JUnitStreamWriter(templates: templates) { size += $0.utf8.count }
        for record in records { try writer.add(record) }
        try writer.finish()
    }
    print("  JUnit body \(size >> 20) MB")
    if let other = options.other {
        let (head, _, headReport) = try readRecords(other, keep: true)
        stage("compare (builder)", runs: runs, items: records.count + head.count) {
            var builder = ComparisonBuilder()
            for record in records { builder.base.add(record) }
            builder.base.add(input: report)
            for record in head { builder.head.add(record) }
            builder.head.add(input: headReport)
            _ = builder.compare(title: "bench", thresholds: .init())
        }
    }
}

func benchCircleCI(_ options: Options) throws {
    let data = try Data(contentsOf: URL(fileURLWithPath: options.file))
    print("\(options.file): \(data.count >> 20) MB, \(options.runs) runs per stage")
    var items: [CircleCITestItemValue] = []
    try stage("decode", runs: options.runs) {
        guard case .v1Tests(let decoded) = try CircleCIDecoder.decode(data) else { return }
        items = decoded
    }
    stage("records", runs: options.runs, items: items.count) {
        _ = CircleCIDecoder.records(pages: [items], inputIndex: 0, sourceOverride: nil)
    }
}

guard let options = Options.parse(Array(CommandLine.arguments.dropFirst())) else {
    print("usage: verdict-bench FILE [--runs N] [--compare OTHER]")
    exit(2)
}
do {
    if options.file.hasSuffix(".json") { try benchCircleCI(options) } else { try benchJUnit(options) }
} catch {
    print("verdict-bench: \(error)")
    exit(1)
}
