import Foundation
import Testing

@testable import VerdictCore
@testable import VerdictHistory

/// A seeded history with everything the questions look at: reruns inside a run, skips, marked flakes,
/// repeated revisions, several jobs, messages that tie, times with many digits, hostile text.
enum RandomHistory {
    static func runs(seed: UInt64, count: Int = 30, tests: Int = 60) -> [ScriptedRun] {
        var generator = SeededGenerator(seed: seed)
        let messages = ["expected 1, got 2", "timeout after 30 s", "connection reset\n\tat Foo.bar(Foo.java:12)"]
        var runs: [ScriptedRun] = []
        for run in 0..<count {
            var records: [TestRecord] = []
            for index in 0..<tests {
                let classname = "Pkg.Class\(index % 6)" + (index % 13 == 0 ? "\t\\N ✓" : "")
                let name = "test \(index)" + (index % 17 == 0 ? "\nsecond line \\ back" : "")
                let file: String? = index % 4 == 0 ? nil : "src/file\(index % 3).swift"
                let source = index % 2 == 0 ? "junit" : "rspec"
                let roll = Int.random(in: 0..<100, using: &generator)
                let time = Double(Int.random(in: 1...5_000, using: &generator)) / 997
                let outcome: Outcome =
                    roll < 8 ? .failed : roll < 10 ? .errored : roll < 14 ? .skipped : .passed
                let message = messages[Int.random(in: 0..<messages.count, using: &generator)]
                if index % 5 == 0 && roll < 20 {
                    // A rerun inside the run: failed first, then passed.
                    records.append(
                        record(classname, name, .failed, time: time, message: message, file: file, source: source))
                    records.append(record(classname, name, .passed, time: time / 2, file: file, source: source))
                } else {
                    records.append(
                        record(
                            classname, name, outcome, time: time, message: message, file: file, source: source,
                            flaky: roll == 99))
                }
            }
            runs.append(
                ScriptedRun(
                    metadata: RunMetadata(
                        build: "\(1000 + run)", branch: run % 3 == 0 ? "main" : "topic", revision: "rev\(run / 3)",
                        job: run % 4 == 0 ? "integration" : "unit", recordedAt: Clock.at(run)),
                    records: records))
        }
        return runs
    }

    /// Every answer a store gives, in one comparable value.
    struct Answers: Equatable {
        var runs: [[String?]]
        var flaky: [[HistoricalFlaky]]
        var trends: [[GroupTrend]]
        var timings: [[String: Double]]
        var outcomes: [TestIdentity: [Outcome]]
        var series: [String]
        var export: [[HistoryResult]]
    }

    static func answers(_ store: any HistoryStore, identities: [TestIdentity]) async throws -> Answers {
        var answers = Answers(runs: [], flaky: [], trends: [], timings: [], outcomes: [:], series: [], export: [])
        answers.runs = try await store.runs(limit: 1000).map {
            [$0.build, $0.job, $0.branch, $0.revision, "\($0.recordedAt)", "\($0.tests)"]
        }
        for window in [5, 12, 100] {
            answers.flaky.append(try await store.flaky(window: window))
            for key in GroupKey.allCases {
                answers.trends.append(try await store.trends(by: key, window: window))
                answers.timings.append(try await store.timings(by: key, window: window))
            }
        }
        answers.outcomes = try await store.outcomes(of: identities, limit: 7)
        answers.series = try await store.classnameTimeSeries(limit: 20, top: 4).map {
            "\($0.key): \($0.times.map { String($0) }.joined(separator: " "))"
        }
        for run in try await store.exportRuns() {
            answers.export.append(try await store.results(ofRun: run.id))
        }
        return answers
    }
}

@Suite("History on both backends: the same answers, hostile text, concurrency, copying")
struct BackendParityTests {
    static let runs = RandomHistory.runs(seed: 7)
    static var identities: [TestIdentity] {
        Array(Set(runs.flatMap { $0.records.map(\.identity) })).sorted {
            ($0.classname, $0.name) < ($1.classname, $1.name)
        }
    }

    @Test(
        "a seeded history gives every question the same answer on SQLite and PostgreSQL",
        .enabled(if: Backend.postgresURL != nil))
    func parity() async throws {
        let sqlite = try await TempFolder.withStore(.sqlite) { store in
            try await store.record(Self.runs)
            return try await RandomHistory.answers(store, identities: Self.identities)
        }
        let postgres = try await TempFolder.withStore(.postgres) { store in
            try await store.record(Self.runs)
            return try await RandomHistory.answers(store, identities: Self.identities)
        }
        #expect(!sqlite.flaky[2].isEmpty)
        #expect(sqlite.export.count == Self.runs.count)
        #expect(sqlite.runs == postgres.runs)
        #expect(sqlite.flaky == postgres.flaky)
        #expect(sqlite.trends == postgres.trends)
        #expect(sqlite.timings == postgres.timings)
        #expect(sqlite.outcomes == postgres.outcomes)
        #expect(sqlite.series == postgres.series)
        #expect(sqlite.export == postgres.export)
    }

    @Test("tabs, newlines, backslashes, \\N, emoji and NUL come back as stored (NUL as U+FFFD)", arguments: Backend.all)
    func hostileText(backend: Backend) async throws {
        let names = [
            "tab\there", "line\nbreak\r\n", "back\\slash \\N \\t", "\\N", "emoji 🧪 ünïcödé", "nul\u{0}byte", "",
        ]
        let records = names.enumerated().map { index, name in
            record(name, name + "\(index)", .failed, message: name, file: name.isEmpty ? nil : name, source: name)
        }
        try await TempFolder.withStore(backend) { store in
            try await store.record(RunMetadata(build: "b\t1\\N", job: "j\n", recordedAt: Clock.at(0)), records)
            let runs = try await store.exportRuns()
            #expect(runs.map(\.build) == ["b\t1\\N"])
            #expect(runs.map(\.job) == ["j\n"])
            let back = try await store.results(ofRun: try #require(runs.first).id)
            let expected = records.map(HistoryResult.init)
            #expect(back == expected)
            let classnames = back.map(\.classname)
            #expect(classnames.contains("nul\u{FFFD}byte"))
        }
    }

    @Test(
        "20 recorders at once, 10,000 results each: every one succeeds, nothing lost or doubled", arguments: Backend.all
    )
    func twentyRecorders(backend: Backend) async throws {
        let records = (0..<10_000).map { record("Load.C\($0 % 50)", "test \($0)", time: Double($0 % 100) / 100) }
        try await TempFolder.withLocation(backend) { location in
            let results = try await withThrowingTaskGroup(of: RecordResult.self) { group in
                for writer in 0..<20 {
                    group.addTask {
                        try await location.open().record(
                            RunMetadata(build: "load-\(writer)", recordedAt: Clock.at(writer)), records)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results.count == 20)
            let fresh = results.filter { !$0.replaced && $0.tests == 10_000 }.count
            #expect(fresh == 20)
            let store = try await location.open()
            let runs = try await store.exportRuns()
            #expect(runs.count == 20)
            var total = 0
            for run in runs {
                let stored = try await store.results(ofRun: run.id)
                total += stored.count
                #expect(Set(stored.map { "\($0.classname)\u{1}\($0.name)" }).count == 10_000)
            }
            #expect(total == 200_000)
            let timings = try await store.timings(by: .classname, window: 100)
            #expect(timings.count == 50)
        }
    }

    @Test(
        "pruning while recorders run: every kept run keeps all its results, no result is left orphaned",
        arguments: Backend.all)
    func pruneDuringRecording(backend: Backend) async throws {
        try await TempFolder.withLocation(backend) { location in
            let store = try await location.open()
            let records = (0..<2_000).map { record("Prune.C\($0 % 9)", "test \($0)") }
            for run in 0..<6 {
                try await store.record(RunMetadata(build: "old\(run)", recordedAt: Clock.at(run)), records)
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for writer in 0..<5 {
                    group.addTask {
                        let fresh = (0..<2_000).map { record("Fresh\(writer)", "test \($0)") }
                        try await location.open().record(
                            RunMetadata(build: "new\(writer)", recordedAt: Clock.at(100 + writer)), fresh)
                    }
                }
                for _ in 0..<3 {
                    group.addTask {
                        _ = try await location.open().prune(keepDays: nil, keepRuns: 4, now: Clock.at(200))
                    }
                }
                try await group.waitForAll()
            }
            let runs = try await store.exportRuns()
            #expect(runs.count >= 4)
            let known = runs.filter { $0.build.hasPrefix("new") || $0.build.hasPrefix("old") }.count
            #expect(known == runs.count)
            for run in runs {
                let stored = try await store.results(ofRun: run.id)
                #expect(stored.count == run.tests, "\(run.build)")
            }
            if backend == .postgres {
                let orphans = try await PostgresAdmin.execute(
                    location.location,
                    """
                    SELECT COUNT(*) AS n FROM results r
                    WHERE NOT EXISTS (SELECT 1 FROM runs WHERE runs.id = r.run_id)
                       OR NOT EXISTS (SELECT 1 FROM tests WHERE tests.id = r.test_id)
                    """)
                #expect(orphans.first?.int("n") == 0)
            }
        }
    }

    @Test("history copy: SQLite to PostgreSQL and back loses nothing", .enabled(if: Backend.postgresURL != nil))
    func copyRoundTrip() async throws {
        try await TempFolder.withStore(.sqlite) { original in
            try await original.record(Self.runs)
            let before = try await RandomHistory.answers(original, identities: Self.identities)
            try await TempFolder.withStore(.postgres) { middle in
                let there = try await HistoryTransfer.copy(from: original, to: middle)
                #expect(there.runs == Self.runs.count)
                #expect(there.results == Self.runs.map(\.records.count).reduce(0, +))
                #expect(try await RandomHistory.answers(middle, identities: Self.identities) == before)
                try await TempFolder.withStore(.sqlite) { back in
                    _ = try await HistoryTransfer.copy(from: middle, to: back)
                    #expect(try await RandomHistory.answers(back, identities: Self.identities) == before)
                    // Again: every run is replaced, nothing doubles.
                    let again = try await HistoryTransfer.copy(from: middle, to: back)
                    #expect(again.replaced == Self.runs.count)
                    #expect(try await RandomHistory.answers(back, identities: Self.identities) == before)
                }
            }
        }
    }
}
