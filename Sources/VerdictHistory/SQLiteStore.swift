import Foundation
import GRDB
public import VerdictCore

/// The embedded store: one SQLite file (WAL) through GRDB. Several processes may record at once
/// (immediate transactions wait for each other); a corrupt or foreign file is reported, never touched.
public final class SQLiteStore: HistoryStore, @unchecked Sendable {
    public let path: String
    public var displayName: String { path }
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
                            "INSERT INTO results (run_id, test_id, outcome, time, flaky, message, seq) VALUES (?, ?, ?, ?, ?, ?, ?)"
                    )
                    var ids: [TestIdentity: Int64] = [:]
                    for (seq, item) in results.enumerated() {
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
                            runID, testID, item.outcomeCode, item.time, item.flakyMarked ? 1 : 0, item.message, seq,
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
                    try db.execute(sql: HistorySQL.runsBeyond, arguments: [keepRuns])
                    deleted += db.changesCount
                }
                try db.execute(sql: HistorySQL.orphanTests)
                return deleted
            }
        } catch {
            throw .failed(operation: "pruning", reason: String(describing: error))
        }
    }

    /// Runs `body` on one consistent snapshot of the store.
    private func reading<T>(
        _ operation: String, _ body: (SQLiteSession) async throws -> T
    ) async throws(HistoryError) -> T {
        do {
            return try await body(SQLiteSession(snapshot: try pool.makeSnapshot()))
        } catch {
            throw .failed(operation: operation, reason: String(describing: error))
        }
    }

    public func runs(limit: Int) async throws(HistoryError) -> [RunRow] {
        try await reading("listing runs") { try await HistoryQueries.runs($0, limit: limit) }
    }

    public func flaky(window: Int) async throws(HistoryError) -> [HistoricalFlaky] {
        try await reading("finding flaky tests") { try await HistoryQueries.flaky($0, window: window) }
    }

    public func trends(by key: GroupKey, window: Int) async throws(HistoryError) -> [GroupTrend] {
        try await reading("computing trends") { try await HistoryQueries.trends($0, by: key, window: window) }
    }

    public func outcomes(
        of identities: [TestIdentity], limit: Int
    ) async throws(HistoryError) -> [TestIdentity: [Outcome]] {
        try await reading("reading outcomes") { try await HistoryQueries.outcomes($0, of: identities, limit: limit) }
    }

    public func classnameTimeSeries(limit: Int, top: Int) async throws(HistoryError) -> [(key: String, times: [Double])]
    {
        try await reading("reading time series") {
            try await HistoryQueries.classnameTimeSeries($0, limit: limit, top: top)
        }
    }

    public func timings(by key: GroupKey, window: Int) async throws(HistoryError) -> [String: Double] {
        try await reading("reading timings") { try await HistoryQueries.timings($0, by: key, window: window) }
    }

    public func exportRuns() async throws(HistoryError) -> [RunRow] {
        try await reading("listing runs") { try await HistoryQueries.exportRuns($0) }
    }

    public func results(ofRun id: Int64) async throws(HistoryError) -> [HistoryResult] {
        try await reading("reading run \(id)") { try await HistoryQueries.results($0, run: id) }
    }
}

/// Reads from one snapshot of a WAL database.
struct SQLiteSession: SQLSession {
    let snapshot: DatabaseSnapshot

    func rows(_ sql: String, _ arguments: [SQLValue]) async throws -> [SQLRow] {
        let bound = StatementArguments(
            arguments.map { value -> (any DatabaseValueConvertible)? in
                switch value {
                case .null: nil
                case .int(let number): number
                case .double(let number): number
                case .text(let text): text
                }
            })
        return try await snapshot.read { db in
            try Row.fetchAll(db, sql: sql, arguments: bound).map { row in
                var columns: [String: SQLValue] = [:]
                for (name, value) in row {
                    switch value.storage {
                    case .null, .blob: columns[name] = .null
                    case .int64(let number): columns[name] = .int(number)
                    case .double(let number): columns[name] = .double(number)
                    case .string(let text): columns[name] = .text(text)
                    }
                }
                return SQLRow(columns)
            }
        }
    }
}

/// part / whole, to three decimals.
package func rate(_ part: Int, _ whole: Int) -> Double {
    whole > 0 ? (Double(part) / Double(whole) * 1000).rounded() / 1000 : 0
}
