package import VerdictCore

/// A value bound to, or read from, the shared SQL.
package enum SQLValue: Sendable, Hashable {
    case null
    case int(Int64)
    case double(Double)
    case text(String)
}

extension SQLValue {
    package init(_ value: Int) { self = .int(Int64(value)) }
    package init(_ value: String?) { self = value.map { .text($0) } ?? .null }
}

/// One row of a result, by column name.
package struct SQLRow: Sendable {
    package var columns: [String: SQLValue]

    package init(_ columns: [String: SQLValue]) { self.columns = columns }

    package func int(_ column: String) -> Int {
        switch columns[column] {
        case .int(let value): Int(value)
        case .double(let value): Int(value)
        default: 0
        }
    }

    package func int64(_ column: String) -> Int64 { Int64(int(column)) }

    package func double(_ column: String) -> Double? {
        switch columns[column] {
        case .double(let value): value
        case .int(let value): Double(value)
        default: nil
        }
    }

    package func string(_ column: String) -> String? {
        if case .text(let value) = columns[column] { return value }
        return nil
    }
}

/// A consistent read of one store: every query sees the same data.
package protocol SQLSession {
    func rows(_ sql: String, _ arguments: [SQLValue]) async throws -> [SQLRow]
}

/// The questions both stores answer, asked once: the same SQL on the same schema, assembled the same way.
package enum HistoryQueries {
    package static func runs(_ session: some SQLSession, limit: Int) async throws -> [RunRow] {
        let sql = HistorySQL.window.replacingOccurrences(
            of: "SELECT id, build, revision, recorded_at",
            with: "SELECT id, build, job, branch, revision, recorded_at, tests")
        return try await session.rows(sql, [SQLValue(limit), SQLValue(0)]).map(runRow)
    }

    package static func exportRuns(_ session: some SQLSession) async throws -> [RunRow] {
        try await session.rows(HistorySQL.allRuns, []).map(runRow)
    }

    private static func runRow(_ row: SQLRow) -> RunRow {
        RunRow(
            id: row.int64("id"), build: row.string("build") ?? "", job: row.string("job"),
            branch: row.string("branch"), revision: row.string("revision"),
            recordedAt: row.double("recorded_at") ?? 0, tests: row.int("tests"))
    }

    package static func results(_ session: some SQLSession, run id: Int64) async throws -> [HistoryResult] {
        try await session.rows(HistorySQL.runResults, [.int(id)]).map { row in
            HistoryResult(
                classname: row.string("classname") ?? "", name: row.string("name") ?? "", file: row.string("file"),
                source: row.string("source") ?? "", outcome: HistoryResult.outcome(code: row.int("outcome")),
                time: row.double("time") ?? 0, flakyMarked: row.int("flaky") != 0, message: row.string("message"))
        }
    }

    package static func flaky(_ session: some SQLSession, window: Int) async throws -> [HistoricalFlaky] {
        var found: [HistoricalFlaky] = []
        for row in try await session.rows(HistorySQL.flaky, [SQLValue(window), SQLValue(0)]) {
            let testID = row.int64("id")
            let attempts = row.int("attempts")
            let flips = row.int("flips")
            let builds = try await session.rows(HistorySQL.failedBuilds, [SQLValue(window), SQLValue(0), .int(testID)])
            let message = try await session.rows(
                HistorySQL.commonMessage, [SQLValue(window), SQLValue(0), .int(testID)])
            found.append(
                HistoricalFlaky(
                    classname: row.string("classname") ?? "", name: row.string("name") ?? "", runs: row.int("runs"),
                    attempts: attempts, passed: row.int("passed"), failed: row.int("failed"), flips: flips,
                    flipRate: attempts > 1 ? rate(flips, attempts - 1) : 0, sameRevision: row.int("revisions"),
                    markedFlaky: row.int("marked"), lastFailed: row.double("last_failed"),
                    failedBuilds: builds.compactMap { $0.string("build") },
                    commonMessage: message.first?.string("message")))
        }
        return found
    }

    package static func trends(_ session: some SQLSession, by key: GroupKey, window: Int) async throws -> [GroupTrend] {
        typealias Percentiles = [String?: (runs: Int, p50: Double, p95: Double, max: Double)]
        func percentiles(offset: Int) async throws -> Percentiles {
            var out: Percentiles = [:]
            for row in try await session.rows(
                HistorySQL.groupPercentiles(key), [SQLValue(window), SQLValue(offset)])
            {
                out[row.string("k")] = (
                    row.int("runs"), row.double("p50") ?? 0, row.double("p95") ?? 0, row.double("mx") ?? 0
                )
            }
            return out
        }
        func medians(offset: Int) async throws -> [(group: String?, test: String, p50: Double)] {
            try await session.rows(HistorySQL.testMedians(key), [SQLValue(window), SQLValue(offset)]).map { row in
                (
                    row.string("k"), "\(row.string("classname") ?? "") › \(row.string("name") ?? "")",
                    row.double("p50") ?? 0
                )
            }
        }
        return TrendBuilder.build(
            current: try await percentiles(offset: 0), previous: try await percentiles(offset: window),
            currentTests: try await medians(offset: 0), previousTests: try await medians(offset: window))
    }

    /// One query per identity (SQLite, in process: cheap).
    package static func outcomes(
        _ session: some SQLSession, of identities: [TestIdentity], limit: Int
    ) async throws -> [TestIdentity: [Outcome]] {
        var result: [TestIdentity: [Outcome]] = [:]
        for identity in identities where result[identity] == nil {
            let rows = try await session.rows(
                HistorySQL.outcomes, [.text(identity.classname), .text(identity.name), SQLValue(limit)])
            result[identity] = rows.reversed().map { HistoryResult.outcome(code: $0.int("outcome")) }
        }
        return result
    }

    package static func classnameTimeSeries(
        _ session: some SQLSession, limit: Int, top: Int
    ) async throws -> [(key: String, times: [Double])] {
        let runIDs = try await session.rows(
            "SELECT id FROM (\(HistorySQL.window)) w ORDER BY recorded_at, id", [SQLValue(limit), SQLValue(0)]
        ).map { $0.int64("id") }
        let rows = try await session.rows(HistorySQL.classnameSeries, [SQLValue(limit), SQLValue(0), SQLValue(top)])
        return TrendBuilder.series(
            runIDs: runIDs,
            rows: rows.map { (key: $0.string("k") ?? "", run: $0.int64("run_id"), total: $0.double("total") ?? 0) })
    }

    package static func timings(
        _ session: some SQLSession, by key: GroupKey, window: Int
    ) async throws -> [String: Double] {
        var out: [String: Double] = [:]
        for row in try await session.rows(HistorySQL.timings(key), [SQLValue(window), SQLValue(0)]) {
            if let k = row.string("k"), let mean = row.double("mean") { out[k] = micro(mean) }
        }
        return out
    }
}
