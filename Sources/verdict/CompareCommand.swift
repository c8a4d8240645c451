import ArgumentParser
import Foundation
import VerdictCore

enum CompareFailOn: String, ExpressibleByArgument, CaseIterable {
    case none
    case newFailures = "new-failures"
    case changes
}

struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare two runs: new failures, fixed, skipped, added, removed, slower and faster tests.",
        discussion: """
            BASE and HEAD each take anything `verdict report` takes (a file, a folder, a pattern, a fetched
            CircleCI job folder); give more with --base and --head.

            Examples:
              verdict compare ci/48213 build/test-results --markdown diff.md
              verdict compare --base main-results/ --head pr-results/ --fail-on new-failures
            """
    )

    @Argument(help: "BASE then HEAD (or use --base / --head).")
    var positional: [String] = []

    @Option(name: .customLong("base"), help: "Another BASE input (repeatable).")
    var baseInputs: [String] = []

    @Option(name: .customLong("head"), help: "Another HEAD input (repeatable).")
    var headInputs: [String] = []

    @Option(help: ArgumentHelp("Write the HTML comparison here.", valueName: "file")) var html: String?
    @Option(help: ArgumentHelp("Write the Markdown comparison here (- for standard output).", valueName: "file"))
    var markdown: String?
    @Option(help: ArgumentHelp("Write the JSON comparison here (- for standard output).", valueName: "file"))
    var json: String?
    @Option(help: ArgumentHelp("Write HEAD's results as JUnit, each test's change as a property.", valueName: "file"))
    var junit: String?
    @Option(help: ArgumentHelp("Folder of .mustache files replacing built-in templates.", valueName: "dir"))
    var templates: String?
    @Option(help: "Title (default \"Test comparison\").") var title: String?

    @Option(help: "Exit 1 on new failures (new-failures), on any change (changes), or never (none).")
    var failOn: CompareFailOn = .none

    @Option(help: "A time change counts only above this ratio (head/base or base/head).")
    var slower: Double = 1.5

    @Option(help: "...and only above this many seconds.")
    var minTime: Double = 0.1

    var bases: [String] { (positional.count == 2 ? [positional[0]] : []) + baseInputs }
    var heads: [String] { (positional.count == 2 ? [positional[1]] : []) + headInputs }

    func validate() throws {
        if !positional.isEmpty && positional.count != 2 {
            throw ValidationError("give BASE and HEAD as two arguments, or use --base and --head")
        }
        if bases.isEmpty || heads.isEmpty { throw ValidationError("both a BASE and a HEAD input are needed") }
        if slower < 1 { throw ValidationError("--slower is a ratio of at least 1 (default 1.5)") }
        if minTime < 0 { throw ValidationError("--min-time must be 0 or more") }
    }

    func run() throws {
        let stderr = StandardError()
        do {
            let status = try CompareRun(command: self, stderr: stderr).run()
            if status != ExitStatus.ok { throw ExitCode(status) }
        } catch let error as ReportRun.Failure {
            stderr.print("error: \(error.message)")
            throw ExitCode(ExitStatus.inputOrUsage)
        }
    }
}

/// Reads both sides, compares, writes the outputs atomically.
final class CompareRun {
    private let command: CompareCommand
    private let stderr: StandardError

    init(command: CompareCommand, stderr: StandardError) {
        self.command = command
        self.stderr = stderr
    }

    /// Collects one side's records (and HEAD's records themselves when JUnit is written).
    private final class SideSink: RecordSink {
        var side = ComparisonBuilder.Side()
        var records: [TestRecord]?

        init(keepRecords: Bool) { records = keepRecords ? [] : nil }

        func begin(inputIndex: Int, path: String) {}
        func add(_ record: TestRecord) {
            side.add(record)
            records?.append(record)
        }
        func add(input: InputReport) { side.add(input: input) }
        func add(job: JobSummary) {}
    }

    func run() throws(ReportRun.Failure) -> Int32 {
        let templates = try ReportRun.loadTemplates(command.templates)
        let html = try command.html.map(ReportRun.open)
        let markdown = try command.markdown.map(ReportRun.open)
        let json = try command.json.map(ReportRun.open)
        let junit = try command.junit.map(ReportRun.open)

        var failedInputs = false
        var found: [(label: String, inputs: [InputSource], sink: SideSink)] = []
        for (label, paths) in [("base", command.bases), ("head", command.heads)] {
            let (inputs, problems) = InputDiscovery().discover(paths)
            for problem in problems { stderr.print("\(problem.isError ? "error" : "warning"): \(label): \(problem)") }
            if inputs.isEmpty {
                throw ReportRun.Failure(message: "no \(label) input found in \(paths.joined(separator: " "))")
            }
            failedInputs = failedInputs || problems.contains(where: \.isError)
            found.append((label, inputs, SideSink(keepRecords: label == "head" && junit != nil)))
        }
        // The two sides are independent: HEAD is read on a thread of its own while BASE is read here
        // (one after the other when either reads standard input).
        let usesStandardInput = found.contains { side in
            side.inputs.contains { if case .standardInput = $0.location { true } else { false } }
        }
        let head = found[1]
        let headRead = BackgroundRead(inputs: head.inputs, sink: head.sink, start: !usesStandardInput)
        let baseRejected = InputLoader().load(found[0].inputs, into: found[0].sink)
        let headRejected = headRead.wait()
        for (side, rejected) in zip(found, [baseRejected, headRejected]) {
            for input in rejected { stderr.print("error: \(side.label): \(input.path): \(input.message)") }
            failedInputs = failedInputs || !rejected.isEmpty
        }
        let sides = found.map(\.sink)
        var builder = ComparisonBuilder()
        builder.base = sides[0].side
        builder.head = sides[1].side
        let comparison = builder.compare(
            title: command.title ?? "Test comparison",
            thresholds: .init(ratio: command.slower, minTime: command.minTime))
        for input in comparison.baseInputs + comparison.headInputs {
            for warning in input.warnings { stderr.print("warning: \(input.path): \(warning)") }
        }

        // Two million entries freed one by one take longer than the exit that follows.
        KeptUntilExit.keep(comparison, sides, builder)

        let renderer = ReportRenderer(templates: templates, version: Verdict.version)
        do {
            // The HTML and Markdown are rendered on a second thread while the JSON is written.
            try PagesBesideJSON.write(
                html: html, markdown: markdown, json: json, parallel: true,
                renderHTML: { () throws(RenderError) in try renderer.compareHTML(comparison) },
                renderMarkdown: { () throws(RenderError) in try renderer.compareMarkdown(comparison) },
                produceJSON: { ReportRenderer.json(comparison, sink: $0) })
            if let junit, let records = sides[1].records {
                let changes = Self.changes(comparison)
                var body = ""
                var writer = JUnitStreamWriter(templates: templates) { body += $0 }
                for record in records {
                    let change = changes[record.identity] ?? "unchanged"
                    try writer.add(record, properties: [("verdict.change", change)])
                }
                try writer.finish()
                try junit.write(try writer.header(title: comparison.title))
                try junit.write(body)
                try junit.write(try writer.footer())
            }
            for output in [html, markdown, json, junit].compactMap({ $0 }) { try output.commit() }
        } catch {
            throw ReportRun.Failure(message: String(describing: error))
        }

        if [command.html, command.markdown, command.json, command.junit].allSatisfy({ $0 == nil }) {
            print(CompareContext(version: Verdict.version).headline(comparison))
            for item in comparison.newFailures.prefix(20) {
                print(
                    "  new failure: \(item.classname) › \(item.name) (\(item.baseOutcome?.rawValue ?? "absent") → "
                        + "\(item.headOutcome?.rawValue ?? "absent"))")
            }
        } else if ![command.markdown, command.json].contains("-") {
            print(CompareContext(version: Verdict.version).headline(comparison))
        }

        if failedInputs { return ExitStatus.inputOrUsage }
        switch command.failOn {
        case .none: return ExitStatus.ok
        case .newFailures: return comparison.newFailures.isEmpty ? ExitStatus.ok : ExitStatus.failOnTriggered
        case .changes: return comparison.isEmpty ? ExitStatus.ok : ExitStatus.failOnTriggered
        }
    }

    /// Each HEAD identity's change, for the JUnit property (several joined by commas).
    static func changes(_ c: Comparison) -> [TestIdentity: String] {
        var changes: [TestIdentity: [String]] = [:]
        let lists: [(String, [ComparedTest])] = [
            ("new-failure", c.newFailures), ("fixed", c.fixed), ("still-failing", c.stillFailing),
            ("newly-skipped", c.newlySkipped), ("unskipped", c.unskipped), ("added", c.onlyInHead),
            ("slower", c.slower), ("faster", c.faster), ("flaky", c.flaky),
        ]
        for (label, items) in lists {
            for item in items {
                let classname = item.classname.isEmpty ? (item.file ?? "") : item.classname
                changes[TestIdentity(classname: classname, name: item.name), default: []].append(label)
            }
        }
        return changes.mapValues { $0.joined(separator: ",") }
    }
}

/// Reads one side's inputs on a thread of its own (or, when not started, on the caller's in `wait`).
private final class BackgroundRead: @unchecked Sendable {
    private let inputs: [InputSource]
    private let sink: any RecordSink
    private let done = DispatchSemaphore(value: 0)
    private let started: Bool
    private var rejected: [RejectedInput] = []

    init(inputs: [InputSource], sink: any RecordSink, start: Bool) {
        self.inputs = inputs
        self.sink = sink
        started = start
        guard start else { return }
        let thread = Thread { [self] in
            rejected = InputLoader().load(self.inputs, into: self.sink)
            done.signal()
        }
        thread.stackSize = 8 << 20
        thread.start()
    }

    func wait() -> [RejectedInput] {
        if started {
            done.wait()
        } else {
            rejected = InputLoader().load(inputs, into: sink)
        }
        return rejected
    }
}
