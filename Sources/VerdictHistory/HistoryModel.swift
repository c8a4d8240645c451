public import VerdictCore

/// One recorded run: which build, where, when.
public struct RunMetadata: Sendable, Hashable, Codable {
    /// What makes a run unique with `job`: re-recording the same build and job replaces it.
    public var build: String
    public var branch: String?
    public var revision: String?
    public var job: String?
    /// Seconds since 1970.
    public var recordedAt: Double

    public init(build: String, branch: String? = nil, revision: String? = nil, job: String? = nil, recordedAt: Double) {
        self.build = build
        self.branch = branch
        self.revision = revision
        self.job = job
        self.recordedAt = recordedAt
    }
}

/// What the store keeps of one test record.
public struct HistoryResult: Sendable, Hashable {
    public var classname: String
    public var name: String
    public var file: String?
    public var source: String
    public var outcome: Outcome
    public var time: Double
    public var flakyMarked: Bool
    public var message: String?

    public init(_ record: TestRecord) {
        let identity = record.identity
        let detail = record.primaryDetail
        self.init(
            classname: identity.classname, name: identity.name, file: record.file, source: record.source,
            outcome: record.outcome, time: record.time, flakyMarked: record.flakyMarked,
            message: record.outcome.isFailure ? (detail?.message ?? detail?.text).map { String($0.prefix(2000)) } : nil)
    }

    /// PostgreSQL text cannot hold U+0000, so neither store keeps it: it becomes U+FFFD in both.
    public init(
        classname: String, name: String, file: String?, source: String, outcome: Outcome, time: Double,
        flakyMarked: Bool, message: String?
    ) {
        self.classname = Self.storable(classname)
        self.name = Self.storable(name)
        self.file = file.map(Self.storable)
        self.source = Self.storable(source)
        self.outcome = outcome
        self.time = time
        self.flakyMarked = flakyMarked
        self.message = message.map(Self.storable)
    }

    private static func storable(_ text: String) -> String {
        text.utf8.contains(0) ? text.replacingOccurrences(of: "\u{0}", with: "\u{FFFD}") : text
    }

    package var outcomeCode: Int {
        switch outcome {
        case .passed: 0
        case .failed: 1
        case .errored: 2
        case .skipped: 3
        }
    }

    package static func outcome(code: Int) -> Outcome {
        switch code {
        case 1: .failed
        case 2: .errored
        case 3: .skipped
        default: .passed
        }
    }
}

/// What `record` did.
public struct RecordResult: Sendable, Hashable, Codable {
    public var runID: Int64
    public var tests: Int
    /// True when the same build and job were recorded before and were replaced.
    public var replaced: Bool

    public init(runID: Int64, tests: Int, replaced: Bool) {
        self.runID = runID
        self.tests = tests
        self.replaced = replaced
    }
}

/// A test that flakes across runs: passed and failed on one revision, or flips between runs.
public struct HistoricalFlaky: Sendable, Hashable, Codable {
    public var classname: String
    public var name: String
    /// Runs the test appears in (not skipped).
    public var runs: Int
    /// Records: more than runs when a runner reran the test inside a run.
    public var attempts: Int
    public var passed: Int
    public var failed: Int
    /// Outcome changes between consecutive attempts.
    public var flips: Int
    /// flips / (attempts - 1).
    public var flipRate: Double
    /// Revisions with both a pass and a failure.
    public var sameRevision: Int
    public var markedFlaky: Int
    /// When it last failed (seconds since 1970).
    public var lastFailed: Double?
    public var failedBuilds: [String]
    public var commonMessage: String?
}

/// How to group times.
public enum GroupKey: String, Sendable, CaseIterable, Codable {
    case classname, file, source, test
    /// The test name alone (what `split --by name` keys on).
    case name
}

/// A group's per-run time (the sum of its tests in a run) over a window of runs, and against the
/// window before it.
public struct GroupTrend: Sendable, Hashable, Codable {
    public var key: String?
    public var runs: Int
    public var p50: Double
    public var p95: Double
    public var max: Double
    public var previousRuns: Int
    public var previousP50: Double?
    public var previousP95: Double?
    /// p50 / previous p50.
    public var change: Double?
    /// Within the group, the test whose median time rose the most, and by how much (seconds).
    public var risingTest: String?
    public var risingBy: Double?
}

/// A run as listed by the store.
public struct RunRow: Sendable, Hashable, Codable {
    public var id: Int64
    public var build: String
    public var job: String?
    public var branch: String?
    public var revision: String?
    public var recordedAt: Double
    public var tests: Int
}

/// What went wrong with a history store. Messages say what to do.
public enum HistoryError: Error, Sendable, Hashable, CustomStringConvertible {
    case notADatabase(path: String)
    case foreignDatabase(path: String, tables: [String])
    case newerSchema(path: String, migrations: [String])
    case unreachable(location: String, reason: String)
    case failed(operation: String, reason: String)
    case invalidArgument(String)

    public var description: String {
        switch self {
        case .notADatabase(let path):
            "\(path) is not a database (corrupt, or another kind of file); it was left untouched"
        case .foreignDatabase(let path, let tables):
            "\(path) is a database of something else (tables: \(tables.prefix(6).joined(separator: ", "))); "
                + "it was left untouched: give --db a new file"
        case .newerSchema(let path, let migrations):
            "\(path) was written by a newer Verdict (schema \(migrations.joined(separator: ", "))); upgrade Verdict "
                + "to use it"
        case .unreachable(let location, let reason):
            "cannot open the history store \(location): \(reason)"
        case .failed(let operation, let reason):
            "history store: \(operation) failed: \(reason)"
        case .invalidArgument(let reason):
            reason
        }
    }
}

/// A history store: SQLite (GRDB) on one machine, PostgreSQL for a team. The same questions get the
/// same answers on both: the SQL aggregates and percentiles run in the database.
public protocol HistoryStore: Sendable {
    /// Stores one run in one transaction; the same build and job again replace the earlier one.
    func record(_ run: RunMetadata, results: [HistoryResult]) async throws(HistoryError) -> RecordResult
    /// Deletes runs older than `keepDays` (relative to `now`) or beyond the newest `keepRuns`.
    func prune(keepDays: Int?, keepRuns: Int?, now: Double) async throws(HistoryError) -> Int
    func runs(limit: Int) async throws(HistoryError) -> [RunRow]
    func flaky(window: Int) async throws(HistoryError) -> [HistoricalFlaky]
    /// Per-group p50/p95 over the newest `window` runs and the `window` before them.
    func trends(by key: GroupKey, window: Int) async throws(HistoryError) -> [GroupTrend]
    /// The newest outcomes (oldest first) of each identity, at most `limit` each.
    func outcomes(of identities: [TestIdentity], limit: Int) async throws(HistoryError) -> [TestIdentity: [Outcome]]
    /// Per-run total time of each classname over the newest `limit` runs (oldest first).
    func classnameTimeSeries(limit: Int, top: Int) async throws(HistoryError) -> [(key: String, times: [Double])]
    /// Mean per-run time of each key over the newest `window` runs (for splitting).
    func timings(by key: GroupKey, window: Int) async throws(HistoryError) -> [String: Double]
    /// Every run, oldest first (for `history copy`).
    func exportRuns() async throws(HistoryError) -> [RunRow]
    /// One run's results in the order they were recorded (for `history copy`).
    func results(ofRun id: Int64) async throws(HistoryError) -> [HistoryResult]
    /// A human-readable name for the store, without any password.
    var displayName: String { get }
}
