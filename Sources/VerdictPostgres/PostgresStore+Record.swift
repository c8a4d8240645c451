import PostgresNIO
public import VerdictHistory

extension PostgresStore {
    /// One transaction: the run row (an advisory lock per build and job makes a second recorder of the
    /// same build wait, then replace), every result through COPY into a temporary table, the tests upserted
    /// in one sorted statement (so concurrent recorders lock rows in the same order), the results inserted
    /// in one statement and counted. A deadlock, a serialization failure or a lost connection runs the
    /// whole transaction again: recording is idempotent per build and job.
    public func record(_ run: RunMetadata, results: [HistoryResult]) async throws(HistoryError) -> RecordResult {
        try await withConnection(
            "recording build \(run.build)", attempts: 5, retry: { $0.isConnectionLevel || $0.isTransient }
        ) { connection in
            try await self.recordOnce(run, results: results, connection: connection)
        }
    }

    private func recordOnce(
        _ run: RunMetadata, results: [HistoryResult], connection: PostgresConnection
    ) async throws -> RecordResult {
        let session = PostgresSession(connection: connection, logger: logger)
        try await session.execute("BEGIN")
        do {
            let result = try await insert(run, results: results, session: session, connection: connection)
            try await session.execute("COMMIT")
            return result
        } catch {
            try? await session.execute("ROLLBACK")
            throw error
        }
    }

    private func insert(
        _ run: RunMetadata, results: [HistoryResult], session: PostgresSession, connection: PostgresConnection
    ) async throws -> RecordResult {
        // Recorders share the prune lock (see SQLDialect.references); one build and job at a time.
        _ = try await session.rows(
            "SELECT 1 AS locked FROM (SELECT pg_advisory_xact_lock_shared(hashtext(?))) l", [.text(pruneLock)])
        _ = try await session.rows(
            "SELECT 1 AS locked FROM (SELECT pg_advisory_xact_lock(hashtext(?), hashtext(?))) l",
            [.text("verdict-run:\(location.schema)"), .text("\(run.build)\u{1}\(run.job ?? "")")])
        let existing = try await session.rows(
            "SELECT id FROM runs WHERE build = ? AND COALESCE(job, '') = ?", [.text(run.build), .text(run.job ?? "")])
        let runID: Int64
        var replaced = false
        if let row = existing.first {
            runID = row.int64("id")
            replaced = true
            try await session.execute("DELETE FROM results WHERE run_id = ?", [.int(runID)])
            try await session.execute(
                "UPDATE runs SET branch = ?, revision = ?, recorded_at = ?, tests = ? WHERE id = ?",
                [
                    SQLValue(run.branch), SQLValue(run.revision), .double(run.recordedAt), SQLValue(results.count),
                    .int(runID),
                ])
        } else {
            let inserted = try await session.rows(
                "INSERT INTO runs (build, job, branch, revision, recorded_at, tests) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                [
                    .text(run.build), SQLValue(run.job), SQLValue(run.branch), SQLValue(run.revision),
                    .double(run.recordedAt), SQLValue(results.count),
                ])
            guard let row = inserted.first else {
                throw HistoryError.failed(operation: "recording", reason: "no run id")
            }
            runID = row.int64("id")
        }
        guard !results.isEmpty else { return RecordResult(runID: runID, tests: 0, replaced: replaced) }
        try await session.execute(
            """
            CREATE TEMPORARY TABLE incoming (
                seq INTEGER NOT NULL, classname TEXT COLLATE "C" NOT NULL, name TEXT COLLATE "C" NOT NULL,
                file TEXT COLLATE "C", source TEXT COLLATE "C" NOT NULL, outcome SMALLINT NOT NULL,
                time DOUBLE PRECISION NOT NULL, flaky SMALLINT NOT NULL, message TEXT COLLATE "C"
            ) ON COMMIT DROP
            """)
        try await connection.copyFrom(
            table: "incoming",
            columns: ["seq", "classname", "name", "file", "source", "outcome", "time", "flaky", "message"],
            logger: logger
        ) { writer in
            var buffer = ByteBufferAllocator().buffer(capacity: 1 << 20)
            for (seq, item) in results.enumerated() {
                CopyText.row(
                    [
                        String(seq), item.classname, item.name, item.file, item.source, String(item.outcomeCode),
                        CopyText.number(item.time), item.flakyMarked ? "1" : "0", item.message,
                    ], into: &buffer)
                if buffer.readableBytes >= 1 << 20 {
                    try await writer.write(buffer)
                    buffer.clear()
                }
            }
            if buffer.readableBytes > 0 { try await writer.write(buffer) }
        }
        // A large run joins faster by hashing; the planner, which cannot see that classname and name together
        // are unique, would look each record up in the index instead (measured: 0.5 s against 0.16 s for
        // 100,000 records).
        try await session.execute("ANALYZE incoming")
        if results.count >= 10_000 { try await session.execute("SET LOCAL enable_nestloop = off") }
        // The first record of an identity in the run gives its file and source, as in SQLite: new tests are
        // inserted (in sorted order, so concurrent recorders wait on each other in one order, never in a
        // cycle), and only tests whose file or source changed are updated, so unchanged rows are not
        // rewritten or locked.
        try await session.execute(
            """
            CREATE TEMPORARY TABLE arriving ON COMMIT DROP AS
            SELECT DISTINCT ON (classname, name) classname, name, file, source FROM incoming
            ORDER BY classname, name, seq
            """)
        try await session.execute(
            """
            INSERT INTO tests (classname, name, file, source)
            SELECT a.classname, a.name, a.file, a.source FROM arriving a
            WHERE NOT EXISTS (SELECT 1 FROM tests t WHERE t.classname = a.classname AND t.name = a.name)
            ORDER BY a.classname, a.name
            ON CONFLICT (classname, name) DO NOTHING
            """)
        try await session.execute(
            """
            UPDATE tests SET file = COALESCE(a.file, tests.file), source = a.source
            FROM arriving a WHERE tests.classname = a.classname AND tests.name = a.name
              AND (tests.source IS DISTINCT FROM a.source OR (a.file IS NOT NULL AND tests.file IS DISTINCT FROM a.file))
            """)
        let counted = try await session.rows(
            """
            WITH added AS (
                INSERT INTO results (run_id, test_id, outcome, time, flaky, message, seq)
                SELECT ?, t.id, i.outcome, i.time, i.flaky, i.message, i.seq
                FROM incoming i JOIN tests t ON t.classname = i.classname AND t.name = i.name
                RETURNING 1)
            SELECT COUNT(*) AS n FROM added
            """, [.int(runID)])
        let added = counted.first?.int("n") ?? -1
        guard added == results.count else {
            throw HistoryError.failed(
                operation: "recording build \(run.build)",
                reason: "\(added) of \(results.count) results were stored; nothing was kept")
        }
        return RecordResult(runID: runID, tests: results.count, replaced: replaced)
    }

    public func prune(keepDays: Int?, keepRuns: Int?, now: Double) async throws(HistoryError) -> Int {
        try await withConnection("pruning") { connection in
            let session = PostgresSession(connection: connection, logger: logger)
            try await session.execute("BEGIN")
            do {
                _ = try await session.rows(
                    "SELECT 1 AS locked FROM (SELECT pg_advisory_xact_lock(hashtext(?))) l", [.text(pruneLock)])
                // Without foreign keys here, a run's results go with it explicitly.
                func delete(_ runs: String, _ arguments: [SQLValue]) async throws -> Int {
                    try await session.rows(
                        """
                        WITH d AS (\(runs) RETURNING id),
                        r AS (DELETE FROM results WHERE run_id IN (SELECT id FROM d) RETURNING 1)
                        SELECT (SELECT COUNT(*) FROM d) AS n, (SELECT COUNT(*) FROM r) AS results
                        """, arguments
                    ).first?.int("n") ?? 0
                }
                var deleted = 0
                if let keepDays {
                    deleted += try await delete(
                        "DELETE FROM runs WHERE recorded_at < ?", [.double(now - Double(keepDays) * 86_400)])
                }
                if let keepRuns {
                    deleted += try await delete(HistorySQL.runsBeyond, [SQLValue(keepRuns)])
                }
                try await session.execute(HistorySQL.orphanTests)
                try await session.execute("COMMIT")
                return deleted
            } catch {
                try? await session.execute("ROLLBACK")
                throw error
            }
        }
    }
}

extension PostgresStore {
    /// Held shared by every recorder and exclusively by pruning.
    var pruneLock: String { "verdict-prune:\(location.schema)" }
}

/// PostgreSQL's COPY text format: tab between columns, a newline after each row, `\N` for NULL, and
/// backslash, tab, newline and carriage return escaped.
enum CopyText {
    static func row(_ fields: [String?], into buffer: inout ByteBuffer) {
        for (index, field) in fields.enumerated() {
            if index > 0 { buffer.writeInteger(UInt8(ascii: "\t")) }
            guard var field else {
                buffer.writeStaticString("\\N")
                continue
            }
            field.withUTF8 { bytes in
                var start = 0
                for index in bytes.indices {
                    let escape: UInt8
                    switch bytes[index] {
                    case UInt8(ascii: "\\"): escape = UInt8(ascii: "\\")
                    case UInt8(ascii: "\t"): escape = UInt8(ascii: "t")
                    case UInt8(ascii: "\n"): escape = UInt8(ascii: "n")
                    case UInt8(ascii: "\r"): escape = UInt8(ascii: "r")
                    default: continue
                    }
                    buffer.writeBytes(UnsafeBufferPointer(rebasing: bytes[start..<index]))
                    buffer.writeInteger(UInt8(ascii: "\\"))
                    buffer.writeInteger(escape)
                    start = index + 1
                }
                buffer.writeBytes(UnsafeBufferPointer(rebasing: bytes[start...]))
            }
        }
        buffer.writeInteger(UInt8(ascii: "\n"))
    }

    /// A double as PostgreSQL reads it back exactly (Swift prints the shortest exact form).
    static func number(_ value: Double) -> String {
        value.isFinite ? "\(value)" : "0"
    }
}
