import Foundation
import GRDB
public import VerdictCore

/// The embedded store: one SQLite file (WAL) through GRDB. Several processes may record at once
/// (immediate transactions wait for each other); a corrupt or foreign file is reported, never touched.
public final class SQLiteStore: HistoryStore, @unchecked Sendable {
    public let path: String
    private let pool: DatabasePool

    public init(path: String) throws(HistoryError) {
        self.path = path
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty {
            try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
        try Self.inspect(path)
        pool = try Self.openPool(path)
        try migrate()
    }

    /// Looks at an existing file read-only (a pool would switch it to WAL first): refuses what is not
    /// our store before anything is written.
    private static func inspect(_ path: String) throws(HistoryError) {
        guard let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int, size > 0 else {
            return
        }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(60)
        let migrator = HistorySchema.sqliteMigrator
        do {
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            let (tables, superseded) = try queue.read { db in
                (
                    try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'"),
                    try db.tableExists("grdb_migrations") ? try migrator.hasBeenSuperseded(db) : false
                )
            }
            let ours: Set<String> = ["grdb_migrations", "runs", "tests", "results"]
            let foreign = tables.filter { !ours.contains($0) && !$0.hasPrefix("sqlite_") }
            if !tables.isEmpty && !tables.contains("grdb_migrations") || !foreign.isEmpty {
                throw HistoryError.foreignDatabase(path: path, tables: tables.sorted())
            }
            if superseded {
                let applied = try queue.read { db in try migrator.appliedIdentifiers(db) }
                throw HistoryError.newerSchema(path: path, migrations: applied.sorted())
            }
        } catch let error as HistoryError {
            throw error
        } catch {
            throw openError(error, path: path)
        }
    }

    /// Several processes creating one store at once: switching the new file to WAL can fail with
    /// SQLITE_BUSY at once (SQLite does not wait there), so try again.
    private static func openPool(_ path: String) throws(HistoryError) -> DatabasePool {
        var configuration = Configuration()
        configuration.busyMode = .timeout(60)
        configuration.foreignKeysEnabled = true
        var attempt = 0
        while true {
            do {
                return try DatabasePool(path: path, configuration: configuration)
            } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY && attempt < 200 {
                attempt += 1
                Thread.sleep(forTimeInterval: Double.random(in: 0.005...0.05))
            } catch {
                throw openError(error, path: path)
            }
        }
    }

    private static func openError(_ error: any Error, path: String) -> HistoryError {
        if let error = error as? DatabaseError,
            error.resultCode == .SQLITE_NOTADB || error.resultCode == .SQLITE_CORRUPT
        {
            return .notADatabase(path: path)
        }
        return .unreachable(location: path, reason: String(describing: error))
    }

    private func migrate() throws(HistoryError) {
        let migrator = HistorySchema.sqliteMigrator
        // Two processes may migrate at once: the loser finds the work done on its second try.
        for attempt in 1...2 {
            do {
                try migrator.migrate(pool)
                return
            } catch {
                if attempt == 2 { throw .failed(operation: "creating the schema", reason: String(describing: error)) }
            }
        }
    }

    public func record(_ run: RunMetadata, results: [HistoryResult]) async throws(HistoryError) -> RecordResult {
        try recordNow(run, results: results)
    }

    private func recordNow(_ run: RunMetadata, results: [HistoryResult]) throws(HistoryError) -> RecordResult {
        do {
            return try pool.writeWithoutTransaction { db -> RecordResult in
                var result = RecordResult(runID: 0, tests: results.count, replaced: false)
                try db.inTransaction(.immediate) {
                    let existing = try Int64.fetchOne(
                        db, sql: "SELECT id FROM runs WHERE build = ? AND COALESCE(job, '') = ?",
                        arguments: [run.build, run.job ?? ""])
                    let runID: Int64
                    if let existing {
                        try db.execute(sql: "DELETE FROM results WHERE run_id = ?", arguments: [existing])
                        try db.execute(
                            sql: "UPDATE runs SET branch = ?, revision = ?, recorded_at = ?, tests = ? WHERE id = ?",
                            arguments: [run.branch, run.revision, run.recordedAt, results.count, existing])
                        runID = existing
                        result.replaced = true
                    } else {
                        try db.execute(
                            sql:
                                "INSERT INTO runs (build, job, branch, revision, recorded_at, tests) VALUES (?, ?, ?, ?, ?, ?)",
                            arguments: [run.build, run.job, run.branch, run.revision, run.recordedAt, results.count])
                        runID = db.lastInsertedRowID
                    }
                    let upsert = try db.makeStatement(
                        sql: """
                            INSERT INTO tests (classname, name, file, source) VALUES (?, ?, ?, ?)
                            ON CONFLICT (classname, name) DO UPDATE SET file = COALESCE(excluded.file, tests.file),
                            source = excluded.source RETURNING id
                            """)
                    let insert = try db.makeStatement(
                        sql:
                            "INSERT INTO results (run_id, test_id, outcome, time, flaky, message) VALUES (?, ?, ?, ?, ?, ?)"
                    )
                    var ids: [TestIdentity: Int64] = [:]
                    for item in results {
                        let identity = TestIdentity(classname: item.classname, name: item.name)
                        let testID: Int64
                        if let known = ids[identity] {
                            testID = known
                        } else {
                            guard
                                let id = try Int64.fetchOne(
                                    upsert, arguments: [item.classname, item.name, item.file, item.source])
                            else { throw HistoryError.failed(operation: "recording", reason: "no test id") }
                            ids[identity] = id
                            testID = id
                        }
                        try insert.execute(arguments: [
                            runID, testID, item.outcomeCode, item.time, item.flakyMarked ? 1 : 0, item.message,
                        ])
                    }
                    result.runID = runID
                    return .commit
                }
                return result
            }
        } catch let error as HistoryError {
            throw error
        } catch {
            throw .failed(operation: "recording build \(run.build)", reason: String(describing: error))
        }
    }

    public func prune(keepDays: Int?, keepRuns: Int?, now: Double) async throws(HistoryError) -> Int {
        try pruneNow(keepDays: keepDays, keepRuns: keepRuns, now: now)
    }

    private func pruneNow(keepDays: Int?, keepRuns: Int?, now: Double) throws(HistoryError) -> Int {
        do {
            return try pool.write { db -> Int in
                var deleted = 0
                if let keepDays {
                    try db.execute(
                        sql: "DELETE FROM runs WHERE recorded_at < ?", arguments: [now - Double(keepDays) * 86_400])
                    deleted += db.changesCount
                }
                if let keepRuns {
                    try db.execute(
                        sql: """
                            DELETE FROM runs WHERE id NOT IN
                            (SELECT id FROM runs ORDER BY recorded_at DESC, id DESC LIMIT ?)
                            """, arguments: [keepRuns])
                    deleted += db.changesCount
                }
                try db.execute(sql: "DELETE FROM tests WHERE id NOT IN (SELECT DISTINCT test_id FROM results)")
                return deleted
            }
        } catch {
            throw .failed(operation: "pruning", reason: String(describing: error))
        }
    }

    private func read<T>(_ operation: String, _ body: (Database) throws -> T) throws(HistoryError) -> T {
        do {
            return try pool.read(body)
        } catch {
            throw .failed(operation: operation, reason: String(describing: error))
        }
    }

    public func runs(limit: Int) async throws(HistoryError) -> [RunRow] {
        try read("listing runs") { db in
            try Row.fetchAll(
                db,
                sql: HistorySQL.window.replacingOccurrences(
                    of: "SELECT id, build, revision, recorded_at",
                    with: "SELECT id, build, job, branch, revision, recorded_at, tests"), arguments: [limit, 0]
            )
            .map { row in
                RunRow(
                    id: row["id"], build: row["build"], job: row["job"], branch: row["branch"],
                    revision: row["revision"], recordedAt: row["recorded_at"], tests: row["tests"])
            }
        }
    }

    public func flaky(window: Int) async throws(HistoryError) -> [HistoricalFlaky] {
        try read("finding flaky tests") { db in
            try Row.fetchAll(db, sql: HistorySQL.flaky, arguments: [window, 0]).map { row in
                let testID: Int64 = row["id"]
                let attempts: Int = row["attempts"]
                let flips: Int = row["flips"]
                return HistoricalFlaky(
                    classname: row["classname"], name: row["name"], runs: row["runs"], attempts: attempts,
                    passed: row["passed"], failed: row["failed"], flips: flips,
                    flipRate: attempts > 1 ? rate(flips, attempts - 1) : 0, sameRevision: row["revisions"],
                    markedFlaky: row["marked"], lastFailed: row["last_failed"],
                    failedBuilds: try String.fetchAll(
                        db, sql: HistorySQL.failedBuilds, arguments: [window, 0, testID]),
                    commonMessage: try String.fetchOne(
                        db, sql: HistorySQL.commonMessage, arguments: [window, 0, testID]))
            }
        }
    }

    public func trends(by key: GroupKey, window: Int) async throws(HistoryError) -> [GroupTrend] {
        try read("computing trends") { db in
            func percentiles(offset: Int) throws -> [String?: (runs: Int, p50: Double, p95: Double, max: Double)] {
                var out: [String?: (runs: Int, p50: Double, p95: Double, max: Double)] = [:]
                for row in try Row.fetchAll(db, sql: HistorySQL.groupPercentiles(key), arguments: [window, offset]) {
                    let k: String? = row["k"]
                    out[k] = (row["runs"], row["p50"] ?? 0, row["p95"] ?? 0, row["mx"] ?? 0)
                }
                return out
            }
            func medians(offset: Int) throws -> [(group: String?, test: String, p50: Double)] {
                try Row.fetchAll(db, sql: HistorySQL.testMedians(key), arguments: [window, offset]).map { row in
                    let classname: String = row["classname"]
                    let name: String = row["name"]
                    return (row["k"], "\(classname) › \(name)", row["p50"] ?? 0)
                }
            }
            return TrendBuilder.build(
                current: try percentiles(offset: 0), previous: try percentiles(offset: window),
                currentTests: try medians(offset: 0), previousTests: try medians(offset: window))
        }
    }

    public func outcomes(
        of identities: [TestIdentity], limit: Int
    ) async throws(HistoryError) -> [TestIdentity: [Outcome]] {
        try read("reading outcomes") { db in
            var result: [TestIdentity: [Outcome]] = [:]
            for identity in identities where result[identity] == nil {
                let codes = try Int.fetchAll(
                    db, sql: HistorySQL.outcomes, arguments: [identity.classname, identity.name, limit])
                result[identity] = codes.reversed().map(HistoryResult.outcome(code:))
            }
            return result
        }
    }

    public func classnameTimeSeries(limit: Int, top: Int) async throws(HistoryError) -> [(key: String, times: [Double])]
    {
        try read("reading time series") { db in
            let runIDs = try Int64.fetchAll(
                db, sql: "SELECT id FROM (\(HistorySQL.window)) w ORDER BY recorded_at, id", arguments: [limit, 0])
            let rows = try Row.fetchAll(db, sql: HistorySQL.classnameSeries, arguments: [limit, 0, top])
            return TrendBuilder.series(runIDs: runIDs, rows: rows.map { ($0["k"], $0["run_id"], $0["total"]) })
        }
    }

    public func timings(by key: GroupKey, window: Int) async throws(HistoryError) -> [String: Double] {
        try read("reading timings") { db in
            var out: [String: Double] = [:]
            for row in try Row.fetchAll(db, sql: HistorySQL.timings(key), arguments: [window, 0]) {
                if let k: String = row["k"] { out[k] = row["mean"] }
            }
            return out
        }
    }
}

/// part / whole, to three decimals.
func rate(_ part: Int, _ whole: Int) -> Double {
    whole > 0 ? (Double(part) / Double(whole) * 1000).rounded() / 1000 : 0
}
