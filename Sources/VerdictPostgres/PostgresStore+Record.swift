import PostgresNIO
public import VerdictHistory

extension PostgresStore {
    /// One transaction: the run row (an advisory lock per build and job makes a second recorder of the
    /// same build wait, then replace), every result through COPY into a temporary table, the tests upserted
    /// in one sorted statement (so concurrent recorders lock rows in the same order), the results inserted
    /// in one statement and counted. A deadlock, a serialization failure or a lost connection runs the
    /// whole transaction again: recording is idempotent per build and job.
    public func record(_ run: RunMetadata, results: [HistoryResult]) async throws(HistoryError) -> RecordResult {
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await withConnection("recording build \(run.build)") { connection in
                    try await self.recordOnce(run, results: results, connection: connection)
                }
            } catch {
                let retry: Bool
                switch error {
                case .unreachable: retry = true
                case .failed(_, let reason):
                    retry = reason.contains("SQLSTATE 40P01") || reason.contains("SQLSTATE 40001")
                default: retry = false
                }
                guard retry, attempt < 5 else { throw error }
                try? await Task.sleep(for: .milliseconds(Int.random(in: 50...200) * attempt))
            }
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
        // The first record of an identity in the run gives its file and source, as in SQLite.
        try await session.execute(
            """
            INSERT INTO tests (classname, name, file, source)
            SELECT DISTINCT ON (classname, name) classname, name, file, source FROM incoming
            ORDER BY classname, name, seq
            ON CONFLICT (classname, name) DO UPDATE SET file = COALESCE(excluded.file, tests.file), source = excluded.source
            WHERE tests.source IS DISTINCT FROM excluded.source
               OR (excluded.file IS NOT NULL AND tests.file IS DISTINCT FROM excluded.file)
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
                var deleted = 0
                if let keepDays {
                    deleted +=
                        try await session.rows(
                            "WITH d AS (DELETE FROM runs WHERE recorded_at < ? RETURNING 1) SELECT COUNT(*) AS n FROM d",
                            [.double(now - Double(keepDays) * 86_400)]
                        ).first?.int("n") ?? 0
                }
                if let keepRuns {
                    deleted +=
                        try await session.rows(
                            "WITH d AS (\(HistorySQL.runsBeyond) RETURNING 1) SELECT COUNT(*) AS n FROM d",
                            [SQLValue(keepRuns)]
                        ).first?.int("n") ?? 0
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
