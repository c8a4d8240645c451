import Foundation
import VerdictCore
import VerdictHistory

/// One `verdict report` run: find inputs, stream them through the core, write the outputs.
final class ReportRun: PartialSink {
    struct Failure: Error {
        var message: String
    }

    private let command: ReportCommand
    private let inputs: [String]
    private let displayRewrites: [(prefix: String, replacement: String)]
    private let stderr: StandardError
    private var accumulator: ReportAccumulator
    private var junitWriter: JUnitStreamWriter?
    private var junitBody: OutputFile?
    private var renderFailure: (any Error)?
    private var templateSet: TemplateSet?
    /// Progress on a terminal: inputs read (when there are many) and MB of a large input.
    private var status = StatusLine(enabled: false)
    private var inputsTotal = 0
    private var inputsRead = 0

    init(
        command: ReportCommand, inputs: [String], displayRewrites: [(String, String)] = [], stderr: StandardError
    ) {
        self.command = command
        self.inputs = inputs
        self.displayRewrites = displayRewrites.map { (prefix: $0.0, replacement: $0.1) }
        self.stderr = stderr
        self.accumulator = ReportAccumulator(top: command.top)
    }

    func run() async throws(Failure) -> Int32 {
        let templates = try loadTemplates()
        templateSet = templates
        // Open every output first: a missing folder fails before any input is read.
        let html = try command.html.map(open)
        let markdown = try command.markdown.map(open)
        let json = try command.json.map(open)
        let junit = try command.junit.map(open)
        if let junitPath = command.junit {
            let body = try wrap { () throws(OutputFile.Failure) in try OutputFile.scratch(besides: junitPath) }
            junitBody = body
            junitWriter = JUnitStreamWriter(templates: templates) { [weak self] text in
                do { try body.write(text) } catch { self?.renderFailure = self?.renderFailure ?? error }
            }
        }
        defer { junitBody?.discard() }

        var (inputs, problems) = InputDiscovery().discover(self.inputs)
        status = StatusLine(enabled: !command.quiet && Terminal.stderrIsTerminal)
        inputsTotal = inputs.count
        for index in inputs.indices {
            for rewrite in displayRewrites where inputs[index].displayPath.hasPrefix(rewrite.prefix) {
                inputs[index].displayPath =
                    rewrite.replacement + inputs[index].displayPath.dropFirst(rewrite.prefix.count)
            }
        }
        for problem in problems { stderr.print("\(problem.isError ? "error" : "warning"): \(problem)") }
        if inputs.isEmpty && !command.allowEmpty {
            throw Failure(
                message: "no input found in \(self.inputs.joined(separator: " ")) "
                    + "(folders are searched for *.xml and *.json; use --allow-empty to accept none)")
        }
        var loader = InputLoader(sourceOverride: command.source, jobs: command.jobs)
        loader.pipeline = command.jobs > 1
        let status = self.status
        loader.onProgress = { path, done, size in
            status.show("reading \(path): \(done >> 20)/\(size >> 20) MB")
        }
        let rejected = loader.load(inputs, into: self)
        status.clear()
        for input in rejected {
            stderr.print("error: \(input.path): \(input.message)")
            accumulator.add(input: InputReport(path: input.path, kind: .unreadable, warnings: [input.message]))
        }
        if let renderFailure { throw Failure(message: String(describing: renderFailure)) }

        var summary = accumulator.summary(title: command.title ?? "Test report", parallel: command.jobs > 1)
        if command.title == nil, let job = summary.jobs.first {
            summary.title = [job.project, job.name, job.number.map { "#\($0)" }].compactMap { $0 }.joined(
                separator: " ")
        }
        if let db = command.db { summary.history = try await historyFor(summary, store: db) }
        for input in summary.inputs where input.kind != .unreadable {
            if command.quiet { break }
            for warning in input.warnings { stderr.print("warning: \(input.path): \(warning)") }
        }

        let renderer = ReportRenderer(templates: templates, version: Verdict.version)
        do {
            // The HTML and Markdown are rendered on a second thread while the JSON is written.
            try PagesBesideJSON.write(
                html: html, markdown: markdown, json: json, parallel: command.jobs > 1,
                renderHTML: { [summary] () throws(RenderError) in try renderer.html(summary) },
                renderMarkdown: { [summary, limit = command.markdownLimit] () throws(RenderError) in
                    try renderer.markdown(summary, limit: limit)
                },
                produceJSON: { ReportRenderer.json(summary, sink: $0) })
            if let junit, var writer = junitWriter, let junitBody {
                try writer.finish()
                if let renderFailure { throw Failure(message: String(describing: renderFailure)) }
                try junit.write(try writer.header(title: summary.title, totals: summary.totals))
                try junit.append(contentsOf: try junitBody.flushForReading())
                try junit.write(try writer.footer())
            }
            for output in [html, markdown, json, junit].compactMap({ $0 }) { try output.commit() }
        } catch let error as Failure {
            throw error
        } catch {
            throw Failure(message: String(describing: error))
        }

        if command.quiet {
            // Errors only.
        } else if [command.html, command.markdown, command.json, command.junit].allSatisfy({ $0 == nil }) {
            TerminalSummary(summary: summary, colour: Terminal.stdoutSupportsColour).print()
        } else if ![command.html, command.markdown, command.json, command.junit].contains("-") {
            print(TerminalSummary(summary: summary, colour: Terminal.stdoutSupportsColour).headline())
        }

        if !rejected.isEmpty || problems.contains(where: \.isError) { return ExitStatus.inputOrUsage }
        let totals = summary.totals
        switch command.failOn {
        case .none: return ExitStatus.ok
        case .failed: return totals.failed + totals.errored > 0 ? ExitStatus.failOnTriggered : ExitStatus.ok
        case .errored: return totals.errored > 0 ? ExitStatus.failOnTriggered : ExitStatus.ok
        }
    }

    /// Recent outcomes of the listed tests and time series of the busiest classnames.
    private func historyFor(_ summary: ReportSummary, store location: String) async throws(Failure) -> ReportHistory {
        let tests =
            summary.failures.map { ($0.classname, $0.name, $0.file) }
            + summary.slowest.map { ($0.classname, $0.name, $0.file) }
        let identities = tests.map { TestRecord(classname: $0.0, name: $0.1, file: $0.2).identity }
        do {
            let store = try await StoreOptions.open(location, reading: true)
            let outcomes = try await store.outcomes(of: identities, limit: 10)
            let series = try await store.classnameTimeSeries(limit: 20, top: 8)
            return ReportHistory(
                outcomes: Dictionary(
                    outcomes.map { ("\($0.key.classname) › \($0.key.name)", $0.value) }, uniquingKeysWith: { a, _ in a }
                ),
                classnameSeries: series.map { ReportHistory.Series(key: $0.key, times: $0.times) })
        } catch {
            throw Failure(message: error.description)
        }
    }

    // MARK: RecordSink

    func begin(inputIndex: Int, path: String) {
        accumulator.register(inputIndex: inputIndex, path: path)
        inputsRead += 1
        if inputsTotal >= 50 {
            status.show("reading \(inputsRead)/\(inputsTotal) inputs", force: inputsRead == inputsTotal)
        }
    }

    func add(_ record: TestRecord) {
        accumulator.add(record)
        guard junitWriter != nil, renderFailure == nil else { return }
        do { try junitWriter?.add(record) } catch { renderFailure = error }
    }

    func add(input: InputReport) {
        accumulator.add(input: input)
        if command.api.verbose {
            stderr.print(
                "verdict: read \(input.path): \(input.kind.rawValue), \(input.tests) tests"
                    + (input.warnings.isEmpty ? "" : ", \(input.warnings.count) warning(s)"))
        }
    }

    var partialFactory: @Sendable () -> PartialReport {
        let top = command.top
        let templates = junitWriter == nil ? nil : templateSet
        return { PartialReport(top: top, templates: templates) }
    }

    func merge(_ partial: PartialReport, junit: String) {
        accumulator.merge(partial.accumulator)
        if let failure = partial.failure { renderFailure = renderFailure ?? failure }
        guard let junitWriter, let junitBody, !junit.isEmpty else { return }
        // Suites already rendered by the worker; this writer's open suite is closed first.
        do {
            var writer = junitWriter
            try writer.finish()
            self.junitWriter = writer
            try junitBody.write(junit)
        } catch {
            renderFailure = renderFailure ?? error
        }
    }

    func add(job: JobSummary) { accumulator.add(job: job) }

    // MARK: Helpers

    private func loadTemplates() throws(Failure) -> TemplateSet {
        try Self.loadTemplates(command.templates)
    }

    /// Built-in templates with the `.mustache` files of `folder` replacing them by name.
    static func loadTemplates(_ folder: String?) throws(Failure) -> TemplateSet {
        var overrides: [String: String] = [:]
        if let folder {
            let url = URL(fileURLWithPath: folder)
            guard let files = try? FileManager.default.contentsOfDirectory(at: url, includingPropertiesForKeys: nil)
            else { throw Failure(message: "--templates \(folder): cannot read the folder") }
            for file in files where file.pathExtension == "mustache" {
                guard let text = try? String(contentsOf: file, encoding: .utf8) else {
                    throw Failure(message: "--templates: cannot read \(file.path) as UTF-8 text")
                }
                overrides[file.deletingPathExtension().lastPathComponent] = text
            }
        }
        do {
            return try TemplateSet(overrides: overrides)
        } catch {
            throw Failure(message: error.description)
        }
    }

    /// Streams JSON slices into `output` (no whole document in memory).
    static func writeJSON(to output: OutputFile, _ produce: (@escaping ([UInt8]) -> Void) -> Void) throws {
        var failure: (any Error)?
        produce { slice in
            guard failure == nil else { return }
            do { try output.write(Data(slice)) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    static func open(_ path: String) throws(Failure) -> OutputFile {
        try wrap { () throws(OutputFile.Failure) in try OutputFile(path: path) }
    }

    private func open(_ path: String) throws(Failure) -> OutputFile { try Self.open(path) }

    private func wrap<T>(_ body: () throws(OutputFile.Failure) -> T) throws(Failure) -> T {
        try Self.wrap(body)
    }

    static func wrap<T>(_ body: () throws(OutputFile.Failure) -> T) throws(Failure) -> T {
        do { return try body() } catch { throw Failure(message: error.description) }
    }
}
