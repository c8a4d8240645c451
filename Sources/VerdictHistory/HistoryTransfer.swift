/// Moves a store's runs into another store (SQLite to PostgreSQL and back), run by run, oldest first.
public enum HistoryTransfer {
    public struct Outcome: Sendable, Hashable {
        public var runs: Int
        public var results: Int
        /// Runs the target already had (same build and job): replaced by the source's.
        public var replaced: Int
    }

    /// Copies every run with its metadata and results in their recorded order. Each run is one
    /// transaction in the target and replaces a run of the same build and job, so a copy that stopped
    /// half-way can simply be run again. Afterwards every copied run is read back and counted.
    public static func copy(
        from source: any HistoryStore, to target: any HistoryStore,
        progress: (_ done: Int, _ total: Int) -> Void = { _, _ in }
    ) async throws(HistoryError) -> Outcome {
        let runs = try await source.exportRuns()
        var outcome = Outcome(runs: 0, results: 0, replaced: 0)
        var copied: [(build: String, job: String?, tests: Int)] = []
        for run in runs {
            let results = try await source.results(ofRun: run.id)
            guard results.count == run.tests else {
                throw .failed(
                    operation: "copying build \(run.build)",
                    reason: "the source lists \(run.tests) tests for it but holds \(results.count) results")
            }
            let metadata = RunMetadata(
                build: run.build, branch: run.branch, revision: run.revision, job: run.job, recordedAt: run.recordedAt)
            let recorded = try await target.record(metadata, results: results)
            outcome.runs += 1
            outcome.results += recorded.tests
            if recorded.replaced { outcome.replaced += 1 }
            copied.append((run.build, run.job, results.count))
            progress(outcome.runs, runs.count)
        }
        let landed = Dictionary(
            try await target.exportRuns().map { ("\($0.build)\u{1}\($0.job ?? "")", $0.tests) },
            uniquingKeysWith: { first, _ in first })
        for run in copied where landed["\(run.build)\u{1}\(run.job ?? "")"] != run.tests {
            throw .failed(
                operation: "checking the copy",
                reason: "build \(run.build) did not arrive whole in \(target.displayName)")
        }
        return outcome
    }
}
