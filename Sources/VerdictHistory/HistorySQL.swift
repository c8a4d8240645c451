/// The SQL both stores run, written once: only placeholders differ (`?` in SQLite, `$n` in PostgreSQL,
/// converted by `numbered`). Outcomes are stored as 0 passed, 1 failed, 2 errored, 3 skipped.
package enum HistorySQL {
    package static func keyExpression(_ key: GroupKey) -> String {
        switch key {
        case .classname: "t.classname"
        case .file: "t.file"
        case .source: "t.source"
        case .test: "t.classname || ' › ' || t.name"
        case .name: "t.name"
        }
    }

    /// The newest runs: `LIMIT ? OFFSET ?`.
    package static let window =
        "SELECT id, build, revision, recorded_at FROM runs ORDER BY recorded_at DESC, id DESC LIMIT ? OFFSET ?"

    /// Per group: runs, p50, p95 and max of the group's per-run total time (nearest rank). Arguments: limit, offset.
    package static func groupPercentiles(_ key: GroupKey) -> String {
        """
        WITH w AS (\(window)),
        g AS (SELECT \(keyExpression(key)) AS k, r.run_id, SUM(r.time) AS total
              FROM results r JOIN w ON w.id = r.run_id JOIN tests t ON t.id = r.test_id
              WHERE r.outcome <> 3 GROUP BY \(keyExpression(key)), r.run_id),
        o AS (SELECT k, total, ROW_NUMBER() OVER (PARTITION BY k ORDER BY total) AS rn,
                     COUNT(*) OVER (PARTITION BY k) AS n FROM g)
        SELECT k, COUNT(*) AS runs,
               MAX(CASE WHEN rn = (50 * n + 99) / 100 THEN total END) AS p50,
               MAX(CASE WHEN rn = (95 * n + 99) / 100 THEN total END) AS p95,
               MAX(total) AS mx
        FROM o GROUP BY k
        """
    }

    /// Per test: its group key and median per-run time. Arguments: limit, offset.
    package static func testMedians(_ key: GroupKey) -> String {
        """
        WITH w AS (\(window)),
        g AS (SELECT r.test_id, r.run_id, SUM(r.time) AS total
              FROM results r JOIN w ON w.id = r.run_id WHERE r.outcome <> 3 GROUP BY r.test_id, r.run_id),
        o AS (SELECT test_id, total, ROW_NUMBER() OVER (PARTITION BY test_id ORDER BY total) AS rn,
                     COUNT(*) OVER (PARTITION BY test_id) AS n FROM g)
        SELECT \(keyExpression(key)) AS k, t.classname, t.name,
               MAX(CASE WHEN rn = (50 * n + 99) / 100 THEN total END) AS p50
        FROM o JOIN tests t ON t.id = o.test_id
        GROUP BY o.test_id, \(keyExpression(key)), t.classname, t.name
        """
    }

    /// Flaky tests in the newest runs: a pass and a failure on one revision, an outcome that flips
    /// between consecutive runs, or a record the runner marked flaky. Arguments: limit, offset (0).
    package static let flaky = """
        WITH w AS (\(window)),
        r AS (SELECT res.test_id, res.outcome, res.flaky, w.id AS run_id, w.revision, w.recorded_at,
                     LAG(res.outcome) OVER (PARTITION BY res.test_id ORDER BY w.recorded_at, w.id, res.seq) AS prev
              FROM results res JOIN w ON w.id = res.run_id WHERE res.outcome <> 3),
        s AS (SELECT test_id, COUNT(DISTINCT run_id) AS runs, COUNT(*) AS attempts,
                     SUM(CASE WHEN outcome = 0 THEN 1 ELSE 0 END) AS passed,
                     SUM(CASE WHEN outcome IN (1, 2) THEN 1 ELSE 0 END) AS failed,
                     SUM(CASE WHEN prev IS NOT NULL AND (prev = 0) <> (outcome = 0) THEN 1 ELSE 0 END) AS flips,
                     SUM(CASE WHEN flaky = 1 THEN 1 ELSE 0 END) AS marked,
                     MAX(CASE WHEN outcome IN (1, 2) THEN recorded_at END) AS last_failed
              FROM r GROUP BY test_id),
        v AS (SELECT test_id, COUNT(*) AS revisions FROM (
                SELECT test_id, revision FROM r WHERE revision IS NOT NULL GROUP BY test_id, revision
                HAVING SUM(CASE WHEN outcome = 0 THEN 1 ELSE 0 END) > 0
                   AND SUM(CASE WHEN outcome IN (1, 2) THEN 1 ELSE 0 END) > 0) x GROUP BY test_id)
        SELECT t.id, t.classname, t.name, s.runs, s.attempts, s.passed, s.failed, s.flips, s.marked, s.last_failed,
               COALESCE(v.revisions, 0) AS revisions
        FROM s JOIN tests t ON t.id = s.test_id LEFT JOIN v ON v.test_id = s.test_id
        WHERE s.flips > 0 OR v.revisions > 0 OR s.marked > 0
        ORDER BY s.flips DESC, s.failed DESC, t.classname, t.name
        """

    /// Builds in the window where a test failed (newest first). Arguments: limit, offset, test id.
    package static let failedBuilds = """
        WITH w AS (\(window))
        SELECT w.build FROM results r JOIN w ON w.id = r.run_id
        WHERE r.test_id = ? AND r.outcome IN (1, 2) ORDER BY w.recorded_at DESC, w.id DESC
        """

    /// The failure message seen most for a test in the window. Arguments: limit, offset, test id.
    package static let commonMessage = """
        WITH w AS (\(window))
        SELECT r.message, COUNT(*) AS c FROM results r JOIN w ON w.id = r.run_id
        WHERE r.test_id = ? AND r.message IS NOT NULL GROUP BY r.message ORDER BY c DESC, r.message LIMIT 1
        """

    /// A test's newest outcomes. Arguments: classname, name, limit.
    package static let outcomes = """
        SELECT r.outcome FROM results r JOIN tests t ON t.id = r.test_id JOIN runs ON runs.id = r.run_id
        WHERE t.classname = ? AND t.name = ? ORDER BY runs.recorded_at DESC, runs.id DESC, r.seq DESC LIMIT ?
        """

    /// Per-run total time of the `top` classnames with the most time. Arguments: limit, offset, top.
    package static let classnameSeries = """
        WITH w AS (\(window)),
        g AS (SELECT t.classname AS k, r.run_id, w.recorded_at, SUM(r.time) AS total
              FROM results r JOIN w ON w.id = r.run_id JOIN tests t ON t.id = r.test_id
              GROUP BY t.classname, r.run_id, w.recorded_at),
        top AS (SELECT k FROM g GROUP BY k ORDER BY ROUND(SUM(total) * 1000000) DESC, k LIMIT ?)
        SELECT g.k, g.run_id, g.total FROM g JOIN top ON top.k = g.k ORDER BY g.k, g.recorded_at, g.run_id
        """

    /// Mean per-run time per key. Arguments: limit, offset.
    package static func timings(_ key: GroupKey) -> String {
        """
        WITH w AS (\(window)),
        g AS (SELECT \(keyExpression(key)) AS k, r.run_id, SUM(r.time) AS total
              FROM results r JOIN w ON w.id = r.run_id JOIN tests t ON t.id = r.test_id
              WHERE r.outcome <> 3 GROUP BY \(keyExpression(key)), r.run_id)
        SELECT k, AVG(total) AS mean FROM g WHERE k IS NOT NULL GROUP BY k
        """
    }

    /// Tests no result refers to any more (after pruning runs).
    package static let orphanTests =
        "DELETE FROM tests WHERE NOT EXISTS (SELECT 1 FROM results r WHERE r.test_id = tests.id)"

    /// Runs beyond the newest N. Argument: N.
    package static let runsBeyond =
        "DELETE FROM runs WHERE id NOT IN (SELECT id FROM runs ORDER BY recorded_at DESC, id DESC LIMIT ?)"

    /// Every run, oldest first, for copying a store.
    package static let allRuns =
        "SELECT id, build, job, branch, revision, recorded_at, tests FROM runs ORDER BY recorded_at, id"

    /// One run's results in the order they were recorded, with each test's file and source. Argument: run id.
    package static let runResults = """
        SELECT t.classname, t.name, t.file, t.source, r.outcome, r.time, r.flaky, r.message
        FROM results r JOIN tests t ON t.id = r.test_id WHERE r.run_id = ? ORDER BY r.seq
        """

    /// `?` placeholders as PostgreSQL's `$1`, `$2`, ... (none sit inside string literals here).
    package static func numbered(_ sql: String) -> String {
        var out = ""
        var index = 0
        for character in sql {
            if character == "?" {
                index += 1
                out += "$\(index)"
            } else {
                out.append(character)
            }
        }
        return out
    }
}
