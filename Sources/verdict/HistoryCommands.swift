import ArgumentParser
import Foundation
import VerdictCore
import VerdictHistory
import VerdictPostgres

/// `--db PATH|URL`, else VERDICT_DB, else .verdict/history.sqlite.
struct StoreOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "History store: a SQLite file, or postgres://USER@HOST:PORT/DB?sslmode=... "
                + "(default: VERDICT_DB, else .verdict/history.sqlite).", valueName: "path-or-url"))
    var db: String?

    var location: String {
        db ?? ProcessInfo.processInfo.environment["VERDICT_DB"].flatMap { $0.isEmpty ? nil : $0 }
            ?? ".verdict/history.sqlite"
    }

    /// Opens the store; `reading` refuses a location where no store exists instead of creating one.
    func open(reading: Bool = false) async throws(HistoryError) -> any HistoryStore {
        try await Self.open(location, reading: reading)
    }

    static func open(_ location: String, reading: Bool = false) async throws(HistoryError) -> any HistoryStore {
        if PostgresLocation.isURL(location) {
            return try await PostgresStore.open(PostgresLocation(url: location), reading: reading)
        }
        if reading && !FileManager.default.fileExists(atPath: location) {
            throw .invalidArgument(
                "no history store at \(location): record runs first (`verdict history record`), or check --db / VERDICT_DB"
            )
        }
        return try SQLiteStore(path: location)
    }
}

/// Runs a history action: store errors exit 2 with the message.
func runHistory(_ body: () async throws(HistoryError) -> Void) async throws {
    do {
        try await body()
    } catch {
        StandardError().print("error: \(error)")
        throw ExitCode(ExitStatus.inputOrUsage)
    }
}

struct HistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Keep a history of runs (SQLite) for flaky tests, trends and timing-based splitting.",
        discussion:
            "Examples:\n  verdict history record test-results --build \"$CIRCLE_BUILD_NUM\"\n  verdict history runs",
        subcommands: [Record.self, Prune.self, Runs.self, Copy.self]
    )

    struct Record: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Store one run: every test's outcome and time, and the run's build, branch and revision.",
            discussion: """
                Run metadata comes from the flags, else from CircleCI job details among the inputs. Recording
                the same build (and job) again replaces it. Without --build, the build is a digest of the results.

                Examples:
                  verdict history record build/test-results --build "$CIRCLE_BUILD_NUM" --branch "$CIRCLE_BRANCH" \\
                    --revision "$CIRCLE_SHA1" --job "$CIRCLE_JOB"
                  verdict history record ci/48213 --db history.sqlite
                """)

        @Argument(help: "Inputs, as for `verdict report`.") var inputs: [String]
        @OptionGroup var store: StoreOptions
        @Option(help: "Build identifier (default: the job number from job details, else a digest).") var build: String?
        @Option(help: "Branch.") var branch: String?
        @Option(help: "Revision (commit SHA).") var revision: String?
        @Option(help: "Job name.") var job: String?
        @Option(help: "When the run happened, ISO-8601 (default: now).") var at: String?

        func run() async throws {
            let collector = RecordCollector()
            let (found, problems) = InputDiscovery().discover(inputs)
            for problem in problems { StandardError().print("\(problem.isError ? "error" : "warning"): \(problem)") }
            guard !found.isEmpty else {
                StandardError().print("error: no input found in \(inputs.joined(separator: " "))")
                throw ExitCode(ExitStatus.inputOrUsage)
            }
            let rejected = InputLoader().load(found, into: collector)
            for input in rejected { StandardError().print("error: \(input.path): \(input.message)") }
            var recordedAt = Date().timeIntervalSince1970
            if let at {
                guard let date = ISO8601.parse(at) else {
                    StandardError().print("error: --at \(String(reflecting: at)) is not an ISO-8601 date and time")
                    throw ExitCode(ExitStatus.inputOrUsage)
                }
                recordedAt = date
            }
            let jobDetails = collector.jobs.first
            let results = collector.results
            let metadata = RunMetadata(
                build: build ?? jobDetails?.number.map(String.init) ?? Self.digest(results),
                branch: branch ?? jobDetails?.branch, revision: revision ?? jobDetails?.revision,
                job: job ?? jobDetails?.name, recordedAt: recordedAt)
            try await runHistory { () throws(HistoryError) in
                let opened = try await store.open()
                let result = try await opened.record(metadata, results: results)
                print(
                    "\(result.replaced ? "replaced" : "recorded") build \(metadata.build)"
                        + (metadata.job.map { " (\($0))" } ?? "") + ": \(result.tests) tests in \(opened.displayName)")
            }
            if !rejected.isEmpty || problems.contains(where: \.isError) { throw ExitCode(ExitStatus.inputOrUsage) }
        }

        /// A stable name for a run given without one: the same results give the same build.
        static func digest(_ results: [HistoryResult]) -> String {
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            for result in results {
                for byte in "\(result.classname)\u{1}\(result.name)\u{1}\(result.outcome.rawValue)\u{1}\(result.time)\n"
                    .utf8
                {
                    hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
                }
            }
            return "digest-" + String(hash, radix: 16)
        }
    }

    struct Prune: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete old runs.", discussion: "Example:\n  verdict history prune --keep-runs 200")

        @OptionGroup var store: StoreOptions
        @Option(help: "Keep runs recorded in the last N days.") var keepDays: Int?
        @Option(help: "Keep the newest N runs.") var keepRuns: Int?

        func validate() throws {
            if keepDays == nil && keepRuns == nil { throw ValidationError("give --keep-days N or --keep-runs N") }
            if (keepDays ?? 0) < 0 || (keepRuns ?? 0) < 0 { throw ValidationError("counts must be 0 or more") }
        }

        func run() async throws {
            try await runHistory { () throws(HistoryError) in
                let opened = try await store.open()
                let deleted = try await opened.prune(
                    keepDays: keepDays, keepRuns: keepRuns, now: Date().timeIntervalSince1970)
                print("deleted \(deleted) run(s) from \(opened.displayName)")
            }
        }
    }

    struct Runs: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the newest recorded runs.", discussion: "Example:\n  verdict history runs --limit 10")

        @OptionGroup var store: StoreOptions
        @Option(help: "How many.") var limit: Int = 20

        func run() async throws {
            try await runHistory { () throws(HistoryError) in
                for run in try await store.open(reading: true).runs(limit: limit) {
                    print(
                        "\(ISO8601.format(run.recordedAt))  \(run.build)\(run.job.map { " (\($0))" } ?? "")  "
                            + "\(run.branch ?? "-")  \(run.revision.map { String($0.prefix(12)) } ?? "-")  \(run.tests) tests"
                    )
                }
            }
        }
    }
}

extension HistoryCommand {
    struct Copy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy every run from one store into another (SQLite to PostgreSQL, or back).",
            discussion: """
                Runs keep their build, job, branch, revision, time and every result in its order. A run the target
                already has (same build and job) is replaced, so a copy that stopped can be run again.

                Examples:
                  verdict history copy --from .verdict/history.sqlite --to "postgres://ci@db.internal/verdict?sslmode=require"
                  verdict history copy --from "$VERDICT_DB" --to backup.sqlite
                """)

        @Option(help: ArgumentHelp("The store to read (a SQLite file or a postgres:// URL).", valueName: "path-or-url"))
        var from: String
        @Option(help: ArgumentHelp("The store to write (created when missing).", valueName: "path-or-url"))
        var to: String

        func validate() throws {
            if from == to { throw ValidationError("--from and --to name the same store") }
        }

        func run() async throws {
            try await runHistory { () throws(HistoryError) in
                let source = try await StoreOptions.open(from, reading: true)
                let target = try await StoreOptions.open(to)
                let status = StatusLine(enabled: Terminal.stderrIsTerminal)
                let outcome = try await HistoryTransfer.copy(from: source, to: target) { done, total in
                    status.show("copying run \(done)/\(total)", force: done == total)
                }
                status.clear()
                print(
                    "copied \(outcome.runs) run(s), \(outcome.results) result(s) from \(source.displayName) to "
                        + "\(target.displayName)" + (outcome.replaced > 0 ? " (\(outcome.replaced) replaced)" : ""))
            }
        }
    }
}

/// Collects records (as history results) and job details.
final class RecordCollector: RecordSink {
    var results: [HistoryResult] = []
    var jobs: [JobSummary] = []
    var timings: [String: Double] = [:]
    var timingKey: ((TestRecord) -> String?)?

    func begin(inputIndex: Int, path: String) {}
    func add(_ record: TestRecord) {
        if let timingKey {
            if let key = timingKey(record) { timings[key, default: 0] += record.time }
        } else {
            results.append(HistoryResult(record))
        }
    }
    func add(input: InputReport) {}
    func add(job: JobSummary) { jobs.append(job) }
}

enum ISO8601 {
    static func parse(_ text: String) -> Double? {
        let formatter = ISO8601DateFormatter()
        for options in [
            [.withInternetDateTime, .withFractionalSeconds], [.withInternetDateTime] as ISO8601DateFormatter.Options,
            [.withFullDate],
        ] as [ISO8601DateFormatter.Options] {
            formatter.formatOptions = options
            if let date = formatter.date(from: text) { return date.timeIntervalSince1970 }
        }
        return nil
    }

    static func format(_ seconds: Double) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: Date(timeIntervalSince1970: seconds))
    }
}
