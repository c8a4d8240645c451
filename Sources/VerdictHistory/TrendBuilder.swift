/// Assembles trends and series from the databases' aggregate rows (shared by both stores).
package enum TrendBuilder {
    package static func build(
        current: [String?: (runs: Int, p50: Double, p95: Double, max: Double)],
        previous: [String?: (runs: Int, p50: Double, p95: Double, max: Double)],
        currentTests: [(group: String?, test: String, p50: Double)],
        previousTests: [(group: String?, test: String, p50: Double)]
    ) -> [GroupTrend] {
        let before = Dictionary(previousTests.map { ($0.test, micro($0.p50)) }, uniquingKeysWith: { first, _ in first })
        var rising: [String?: (test: String, by: Double)] = [:]
        for test in currentTests {
            guard let old = before[test.test] else { continue }
            let rise = micro(micro(test.p50) - old)
            guard rise > 0 else { continue }
            // Ties go to the first name, whatever order the database returned the rows in.
            if let best = rising[test.group], best.by > rise || best.by == rise && best.test <= test.test { continue }
            rising[test.group] = (test.test, rise)
        }
        return current.map { key, now in
            let now = (runs: now.runs, p50: micro(now.p50), p95: micro(now.p95), max: micro(now.max))
            let then = previous[key].map { (runs: $0.runs, p50: micro($0.p50), p95: micro($0.p95), max: micro($0.max)) }
            let change: Double? =
                if let then, then.p50 > 0 { (now.p50 / then.p50 * 1000).rounded() / 1000 } else { nil }
            return GroupTrend(
                key: key, runs: now.runs, p50: now.p50, p95: now.p95, max: now.max, previousRuns: then?.runs ?? 0,
                previousP50: then?.p50, previousP95: then?.p95, change: change, risingTest: rising[key]?.test,
                risingBy: rising[key].map { ($0.by * 1_000_000).rounded() / 1_000_000 })
        }
        .sorted { a, b in
            if a.p95 != b.p95 { return a.p95 > b.p95 }
            return (a.key ?? "") < (b.key ?? "")
        }
    }

    /// One series per key, aligned on `runIDs` (oldest first); a run without the key counts 0.
    package static func series(
        runIDs: [Int64], rows: [(key: String, run: Int64, total: Double)]
    ) -> [(key: String, times: [Double])] {
        let position = Dictionary(runIDs.enumerated().map { ($0.element, $0.offset) }, uniquingKeysWith: { a, _ in a })
        var byKey: [String: [Double]] = [:]
        var order: [String] = []
        for row in rows {
            if byKey[row.key] == nil {
                byKey[row.key] = Array(repeating: 0, count: runIDs.count)
                order.append(row.key)
            }
            if let index = position[row.run] { byKey[row.key]?[index] = micro(row.total) }
        }
        return order.map { ($0, byKey[$0] ?? []) }
    }
}

/// Seconds to the microsecond. Sums of the same times come out a few units in the last place apart on
/// the two databases (they add in different orders); rounding makes both give the same answer.
package func micro(_ seconds: Double) -> Double {
    (seconds * 1_000_000).rounded() / 1_000_000
}
