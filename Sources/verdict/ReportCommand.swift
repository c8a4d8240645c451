import ArgumentParser
import Foundation
import VerdictCircleCI
import VerdictCore

enum FailOn: String, ExpressibleByArgument, CaseIterable {
    case none, failed, errored
}

struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Read test results and write HTML, Markdown, JUnit and JSON reports.",
        discussion: """
            INPUT is a JUnit XML file, a CircleCI /tests or job-details JSON file, a folder (searched \
            recursively for *.xml and *.json), a quoted pattern ('build/**/TEST-*.xml') or - for \
            standard input. The kind of each input is read from its content.

            Examples:
              verdict report SampleData --html report.html --markdown report.md
              verdict report 'build/**/TEST-*.xml' --junit merged.xml --json summary.json --fail-on failed
              cat results.xml | verdict report -
              verdict report --circleci gh/acme-corp/storefront/48213 build/test-results --html report.html
            """
    )

    @Argument(help: "Inputs: files, folders, patterns, or - for standard input.")
    var inputs: [String] = []

    @Option(
        name: .customLong("circleci"),
        help: ArgumentHelp(
            "Fetch a CircleCI job's details and tests and report them too (repeatable).", valueName: "project/job"))
    var circleciJobs: [String] = []

    @OptionGroup(title: "CircleCI (with --circleci)") var api: APIOptions

    @Option(help: ArgumentHelp("Write the HTML report here (- for standard output).", valueName: "file"))
    var html: String?

    @Option(help: ArgumentHelp("Write the Markdown report here (- for standard output).", valueName: "file"))
    var markdown: String?

    @Option(help: "Maximum Markdown size in characters (65,536 fits a PR comment; GitHub's step summary takes 1 MiB).")
    var markdownLimit: Int = 65_536

    @Option(
        help: ArgumentHelp(
            "Write one merged, normalised JUnit XML file here (- for standard output).", valueName: "file"))
    var junit: String?

    @Option(help: ArgumentHelp("Write the JSON summary here (- for standard output).", valueName: "file"))
    var json: String?

    @Option(help: ArgumentHelp("Folder of .mustache files replacing built-in templates by name.", valueName: "dir"))
    var templates: String?

    @Option(help: "Report title (default: the job's name when job details are given, else \"Test report\").")
    var title: String?

    @Option(help: "How many inputs to read at once (default: the number of cores).")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "Source name for every JUnit input, instead of the folder rule.")
    var source: String?

    @Option(help: "How many of the slowest tests to list.")
    var top: Int = 10

    @Option(help: "Exit 1 when tests failed or errored (failed), only errored (errored), or never (none).")
    var failOn: FailOn = .none

    @Flag(help: "Succeed with an empty report when no input is found.")
    var allowEmpty = false

    @Flag(name: .shortAndLong, help: "Print nothing but errors (no summary line, no warnings).")
    var quiet = false

    @Option(
        help: ArgumentHelp(
            "History store: show each test's recent outcomes and a time trend per classname.", valueName: "path"))
    var db: String?

    func validate() throws {
        if inputs.isEmpty && circleciJobs.isEmpty {
            throw ValidationError("give at least one input (a file, folder, pattern or -), or --circleci PROJECT/JOB")
        }
        if top < 0 { throw ValidationError("--top must be 0 or more") }
        if jobs < 1 { throw ValidationError("--jobs must be at least 1") }
        if quiet && api.verbose { throw ValidationError("--quiet and --verbose cannot be used together") }
        if markdownLimit < 1000 { throw ValidationError("--markdown-limit must be at least 1000 characters") }
        let outputs = [html, markdown, junit, json].compactMap { $0 }
        if outputs.filter({ $0 == "-" }).count > 1 {
            throw ValidationError("only one output can go to standard output (-)")
        }
    }

    func run() async throws {
        let stderr = StandardError()
        var inputs = self.inputs
        var rewrites: [(String, String)] = []
        var fetchWarnings = false
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent(
            "verdict-fetch-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        for text in circleciJobs {
            let options = api
            try await runAPI { () throws(CircleCIError) in
                let job = try JobReference(text)
                let folder = scratch.appendingPathComponent(
                    "\(job.project.description.replacingOccurrences(of: "/", with: "-"))-\(job.number)")
                if let warning = try await FetchCommand.fetch(job, into: folder.path, options: options).warning {
                    stderr.print("warning: circleci:\(text): \(warning)")
                    fetchWarnings = true
                }
                inputs.append(folder.path)
                rewrites.append((folder.path, "circleci:\(job.project)/\(job.number)"))
            }
        }
        do {
            var status = try await ReportRun(command: self, inputs: inputs, displayRewrites: rewrites, stderr: stderr)
                .run()
            if fetchWarnings && status == ExitStatus.ok { status = ExitStatus.inputOrUsage }
            if status != ExitStatus.ok { throw ExitCode(status) }
        } catch let error as ReportRun.Failure {
            stderr.print("error: \(error.message)")
            throw ExitCode(ExitStatus.inputOrUsage)
        }
    }
}
