import ArgumentParser
import Foundation
import VerdictCore
import VerdictHistory

/// `--by classname|file|source|test` (the CLI's own type).
enum GroupChoice: String, ExpressibleByArgument, CaseIterable {
    case classname, file, source, test

    var key: GroupKey { GroupKey(rawValue: rawValue) ?? .classname }
}

/// `--json FILE` / `--markdown FILE` for the history questions.
struct AnswerOutputs: ParsableArguments {
    @Option(help: ArgumentHelp("Write the answer as JSON (- for standard output).", valueName: "file")) var json:
        String?
    @Option(help: ArgumentHelp("Write the answer as Markdown (- for standard output).", valueName: "file"))
    var markdown: String?
    @Option(help: ArgumentHelp("Write the answer as an HTML page (- for standard output).", valueName: "file"))
    var html: String?

    var toTerminal: Bool { json == nil && markdown == nil && html == nil }

    func write(
        json data: Data, markdown: () throws(RenderError) -> String, html: () throws(RenderError) -> String
    ) throws {
        do {
            let jsonFile = try json.map(ReportRun.open)
            let markdownFile = try self.markdown.map(ReportRun.open)
            let htmlFile = try self.html.map(ReportRun.open)
            try jsonFile?.write(data)
            if let markdownFile { try markdownFile.write(try markdown()) }
            if let htmlFile { try htmlFile.write(try html()) }
            try jsonFile?.commit()
            try markdownFile?.commit()
            try htmlFile?.commit()
        } catch {
            StandardError().print("error: \(error)")
            throw ExitCode(ExitStatus.inputOrUsage)
        }
    }
}

func encodeAnswer<T: Encodable>(_ value: T) -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return ((try? encoder.encode(value)) ?? Data("{}".utf8)) + Data("\n".utf8)
}

struct FlakyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flaky",
        abstract: "Tests that passed and failed on one revision, flip between runs, or were marked flaky.",
        discussion: "Example:\n  verdict flaky --window 50 --markdown flaky.md")

    @OptionGroup var store: StoreOptions
    @Option(help: "How many of the newest runs to look at.") var window: Int = 30
    @OptionGroup var outputs: AnswerOutputs

    struct Answer: Encodable {
        var schemaVersion = 1
        var window: Int
        var flaky: [HistoricalFlaky]
    }

    func validate() throws {
        if window < 1 { throw ValidationError("--window must be at least 1") }
    }

    func run() async throws {
        var found: [HistoricalFlaky] = []
        try await runHistory { () throws(HistoryError) in
            found = try await store.open(reading: true).flaky(window: window)
        }
        if outputs.toTerminal {
            print("\(found.count) flaky test(s) in the last \(window) runs")
            for item in found {
                print(
                    "  \(item.classname) › \(item.name): \(item.failed) failed / \(item.attempts) attempts in \(item.runs) runs, "
                        + "\(item.flips) flips "
                        + "(\(Format.percent(item.flipRate, of: 1)) %)"
                        + (item.commonMessage.map { ": " + String($0.prefix(120)) } ?? ""))
            }
            return
        }
        let rows = found.map {
            HistoryContext.FlakyRow(
                classname: $0.classname, name: $0.name, runs: $0.runs, passed: $0.passed, failed: $0.failed,
                flips: $0.flips, flipRate: $0.flipRate, sameRevision: $0.sameRevision, markedFlaky: $0.markedFlaky,
                lastFailed: $0.lastFailed.map(ISO8601.format), failedBuilds: $0.failedBuilds,
                commonMessage: $0.commonMessage)
        }
        let templates = try ReportRun.loadTemplatesForCLI()
        let context = HistoryContext.flaky(rows, window: window, version: Verdict.version)
        let renderer = ReportRenderer(templates: templates, version: Verdict.version)
        try outputs.write(
            json: encodeAnswer(Answer(window: window, flaky: found)),
            markdown: { () throws(RenderError) in try renderer.flakyMarkdown(context) },
            html: { () throws(RenderError) in try renderer.flakyHTML(context) })
    }
}

/// The options `trends` and `slowest` share, and the work they do.
struct TrendOptions: ParsableArguments {
    @OptionGroup var store: StoreOptions
    @Option(help: "Group by classname, file, source or test.") var by: GroupChoice = .classname
    @Option(help: "Runs per window.") var window: Int = 20
    @Option(help: "Rows to print on the terminal.") var top: Int = 20
    @OptionGroup var outputs: AnswerOutputs

    struct Answer: Encodable {
        var schemaVersion = 1
        var by: String
        var window: Int
        var groups: [GroupTrend]
    }

    func validate() throws {
        if window < 1 { throw ValidationError("--window must be at least 1") }
    }

    func run() async throws {
        var groups: [GroupTrend] = []
        try await runHistory { () throws(HistoryError) in
            groups = try await store.open(reading: true).trends(by: by.key, window: window)
        }
        if outputs.toTerminal {
            print("time per \(by.rawValue), last \(window) runs (p50, p95) against the \(window) before:")
            for group in groups.prefix(top) {
                let change = group.change.map { "  \(Format.ratio($0))" } ?? ""
                let rising = group.risingTest.map { "  rising: \($0) +\(Format.duration(group.risingBy ?? 0))" } ?? ""
                print(
                    "  \(Format.duration(group.p50).padding(toLength: 10, withPad: " ", startingAt: 0)) "
                        + "\(Format.duration(group.p95).padding(toLength: 10, withPad: " ", startingAt: 0)) "
                        + "\(group.key ?? "(no file)")\(change)\(rising)")
            }
            return
        }
        let rows = groups.map {
            HistoryContext.TrendRow(
                key: $0.key, runs: $0.runs, p50: $0.p50, p95: $0.p95, previousP50: $0.previousP50, change: $0.change,
                risingTest: $0.risingTest, risingBy: $0.risingBy)
        }
        let templates = try ReportRun.loadTemplatesForCLI()
        let key = by.rawValue
        let runs = window
        let context = HistoryContext.trends(rows, by: key, window: runs, version: Verdict.version)
        let renderer = ReportRenderer(templates: templates, version: Verdict.version)
        try outputs.write(
            json: encodeAnswer(Answer(by: key, window: runs, groups: groups)),
            markdown: { () throws(RenderError) in try renderer.trendsMarkdown(context) },
            html: { () throws(RenderError) in try renderer.trendsHTML(context) })
    }
}

struct TrendsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trends",
        abstract: "p50/p95 time per group over the newest runs, against the runs before; the test that rose most.",
        discussion: "Example:\n  verdict trends --by classname --window 20")

    @OptionGroup var options: TrendOptions

    func run() async throws { try await options.run() }
}

struct SlowestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "slowest",
        abstract: "The slowest groups by p95 over the newest runs (the same numbers as trends, slowest first).",
        discussion: "Example:\n  verdict slowest --by file --window 10 --json slowest.json")

    @OptionGroup var options: TrendOptions

    func run() async throws { try await options.run() }
}

extension ReportRun {
    /// Built-in templates for commands without --templates.
    static func loadTemplatesForCLI() throws -> TemplateSet {
        do {
            return try loadTemplates(nil)
        } catch {
            StandardError().print("error: \(error.message)")
            throw ExitCode(ExitStatus.inputOrUsage)
        }
    }
}
