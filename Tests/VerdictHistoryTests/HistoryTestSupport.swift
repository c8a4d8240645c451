import Foundation
import Testing

@testable import VerdictCore
@testable import VerdictHistory
@testable import VerdictPostgres

/// The stores the history suite runs against: SQLite always, PostgreSQL when VERDICT_TEST_POSTGRES holds
/// a URL (`.ci/run` starts a throwaway server and sets it; see scripts/pg-test-server).
enum Backend: String, Sendable, CaseIterable, CustomTestStringConvertible {
    case sqlite, postgres

    static let postgresURL: String? = ProcessInfo.processInfo.environment["VERDICT_TEST_POSTGRES"].flatMap {
        $0.isEmpty ? nil : $0
    }

    static var all: [Backend] { postgresURL == nil ? [.sqlite] : [.sqlite, .postgres] }

    var testDescription: String { rawValue }
}

/// Where a fresh store lives: a path in a temporary folder, or a URL naming a fresh schema.
struct StoreLocation: Sendable {
    var backend: Backend
    var location: String

    func open(reading: Bool = false) async throws -> any HistoryStore {
        switch backend {
        case .sqlite: try SQLiteStore(path: location)
        case .postgres: try await PostgresStore.open(PostgresLocation(url: location), reading: reading)
        }
    }
}

enum PostgresAdmin {
    static func dropSchema(_ url: String) async throws {
        let location = try PostgresLocation(url: url)
        _ = try await PostgresStore.execute(location, "DROP SCHEMA IF EXISTS \"\(location.schema)\" CASCADE")
    }

    /// Runs one statement (with the URL's schema first on the search path).
    @discardableResult
    static func execute(_ url: String, _ sql: String) async throws -> [SQLRow] {
        try await PostgresStore.execute(PostgresLocation(url: url), sql)
    }
}

/// A fresh temporary folder, removed when `body` ends.
enum TempFolder {
    static func with<T>(_ body: (URL) async throws -> T) async throws -> T {
        let fileManager = FileManager.default
        let folder = fileManager.temporaryDirectory
            .appendingPathComponent("verdict-history-tests-\(UUID().uuidString)")
        try fileManager.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? fileManager.removeItem(at: folder) }
        return try await body(folder.resolvingSymlinksInPath())
    }

    /// A fresh location on `backend`: a SQLite path in a fresh folder, or a fresh PostgreSQL schema
    /// (dropped afterwards).
    static func withLocation<T>(_ backend: Backend, _ body: (StoreLocation) async throws -> T) async throws -> T {
        switch backend {
        case .sqlite:
            return try await with { folder in
                try await body(
                    StoreLocation(backend: .sqlite, location: folder.appendingPathComponent("history.sqlite").path))
            }
        case .postgres:
            let url = try #require(Backend.postgresURL, "VERDICT_TEST_POSTGRES is not set")
            let schema = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
            let location = StoreLocation(
                backend: .postgres, location: url + (url.contains("?") ? "&" : "?") + "schema=\(schema)")
            do {
                let value = try await body(location)
                try await PostgresAdmin.dropSchema(location.location)
                return value
            } catch {
                try? await PostgresAdmin.dropSchema(location.location)
                throw error
            }
        }
    }

    /// A fresh store on `backend` for `body`.
    static func withStore<T>(
        _ backend: Backend = .sqlite, _ body: (any HistoryStore) async throws -> T
    ) async throws -> T {
        try await withLocation(backend) { location in try await body(try await location.open()) }
    }
}

/// Times of scripted runs: one hour apart from a fixed start.
enum Clock {
    static let start: Double = 1_700_000_000
    static func at(_ run: Int) -> Double { start + Double(run) * 3600 }
    static func day(_ day: Int) -> Double { start + Double(day) * 86_400 }
}

/// A test record with an outcome, a time and (for failures) a message.
func record(
    _ classname: String, _ name: String, _ outcome: Outcome = .passed, time: Double = 0.1,
    message: String? = nil, file: String? = nil, source: String = "junit", flaky: Bool = false
) -> TestRecord {
    var details: [ResultDetail] = []
    switch outcome {
    case .failed: details = [ResultDetail(kind: .failure, message: message ?? "boom", text: "trace")]
    case .errored: details = [ResultDetail(kind: .error, message: message ?? "boom", text: "trace")]
    case .skipped: details = [ResultDetail(kind: .skipped)]
    case .passed: break
    }
    return TestRecord(
        classname: classname, name: name, file: file, time: time, outcome: outcome, flakyMarked: flaky,
        source: source, details: details)
}

/// One test's part in a script of runs: one letter per run.
/// `P` passed, `F` failed, `E` errored, `S` skipped, `M` passed but marked flaky, `-` absent.
struct TestScript {
    var classname: String
    var name: String
    var outcomes: String
    /// Per-run time (default 0.1 each).
    var times: [Double]? = nil
    /// Failure message per run index (default "boom").
    var messages: [Int: String] = [:]
    var file: String? = nil
    var source: String = "junit"

    var identity: TestIdentity { TestIdentity(classname: classname, name: name) }

    func record(run: Int) -> TestRecord? {
        let letters = Array(outcomes)
        guard run < letters.count else { return nil }
        let time = times.map { $0[run] } ?? 0.1
        let outcome: Outcome
        switch letters[run] {
        case "P", "M": outcome = .passed
        case "F": outcome = .failed
        case "E": outcome = .errored
        case "S": outcome = .skipped
        default: return nil
        }
        return VerdictHistoryTests.record(
            classname, name, outcome, time: time, message: messages[run], file: file, source: source,
            flaky: letters[run] == "M")
    }
}

/// One scripted run, ready to record.
struct ScriptedRun {
    var metadata: RunMetadata
    var records: [TestRecord]
}

/// Runs `b1`, `b2`, ... an hour apart, one per revision given, with the scripts' records.
func scriptedRuns(_ scripts: [TestScript], revisions: [String?], job: String? = nil) -> [ScriptedRun] {
    revisions.enumerated().map { run, revision in
        ScriptedRun(
            metadata: RunMetadata(
                build: "b\(run + 1)", branch: "main", revision: revision, job: job, recordedAt: Clock.at(run)),
            records: scripts.compactMap { $0.record(run: run) })
    }
}

extension HistoryStore {
    @discardableResult
    func record(_ metadata: RunMetadata, _ records: [TestRecord]) async throws -> RecordResult {
        try await record(metadata, results: records.map(HistoryResult.init))
    }

    func record(_ runs: [ScriptedRun]) async throws {
        for run in runs { try await record(run.metadata, run.records) }
    }

    /// All runs, newest first.
    func allRuns() async throws -> [RunRow] { try await runs(limit: 1000) }
}

/// Runs the `sqlite3` command-line tool on a database (to make foreign and newer stores).
enum SQLiteCLI {
    static let path: String? = {
        let folders = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        return folders.map { String($0) + "/sqlite3" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    static var available: Bool { path != nil }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Runs `sql` on the database at `database`; returns standard output.
    @discardableResult
    static func run(_ database: String, _ sql: String) throws -> String {
        guard let path else { throw Failure(description: "sqlite3 is not installed") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = [database, sql]
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "sqlite3 failed: \(String(decoding: err, as: UTF8.self))")
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// A small seeded generator (SplitMix64), so random cases are the same on every run.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
