import Foundation
import Testing

@testable import VerdictCore
@testable import VerdictHistory

@Suite("History: trends, time series and timings")
struct TrendsTests {
    static func byKey(_ trends: [GroupTrend]) -> [String?: GroupTrend] {
        Dictionary(trends.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Eight runs, windows of four. `Slow.Suite › a` takes three times as long in the newest four runs,
    /// so its classname's per-run time doubles; `Steady` stays; `Faster` halves; `New` only appears late.
    static let slowing: [TestScript] = [
        TestScript(
            classname: "Slow.Suite", name: "a", outcomes: "PPPPPPPP",
            times: [1.1, 0.9, 1.0, 1.2, 3.2, 2.9, 3.0, 3.1]),
        TestScript(classname: "Slow.Suite", name: "b", outcomes: "PPPPPPPP", times: Array(repeating: 1, count: 8)),
        TestScript(classname: "Steady", name: "c", outcomes: "PPPPPPPP", times: Array(repeating: 0.5, count: 8)),
        TestScript(classname: "Faster", name: "d", outcomes: "PPPPPPPP", times: [2, 2, 2, 2, 1, 1, 1, 1]),
        TestScript(classname: "New", name: "e", outcomes: "----PPPP", times: Array(repeating: 0.25, count: 8)),
    ]

    @Test("a classname whose per-run time doubles shows change 2 and names the test that rose", arguments: Backend.all)
    func slowingClassname(backend: Backend) async throws {
        try await TempFolder.withStore(backend) { store in
            try await store.record(scriptedRuns(Self.slowing, revisions: Array(repeating: nil, count: 8)))
            let trends = try await store.trends(by: .classname, window: 4)
            // Slowest (p95) first.
            #expect(trends.map(\.key) == ["Slow.Suite", "Faster", "Steady", "New"])
            let groups = Self.byKey(trends)
            let slow = try #require(groups["Slow.Suite"])
            #expect(slow.runs == 4)
            #expect(slow.previousRuns == 4)
            // Totals now 4.2 3.9 4.0 4.1, before 2.1 1.9 2.0 2.2: nearest-rank medians 4.0 and 2.0.
            #expect(slow.p50 == 4.0)
            #expect(slow.previousP50 == 2.0)
            #expect(abs((slow.p95) - 4.2) < 1e-9)
            #expect(abs((slow.previousP95 ?? 0) - 2.2) < 1e-9)
            #expect(abs(slow.max - 4.2) < 1e-9)
            #expect(slow.change == 2.0)
            #expect(slow.risingTest == "Slow.Suite › a")
            #expect(slow.risingBy == 2.0)

            let steady = try #require(groups["Steady"])
            #expect(steady.change == 1.0)
            #expect(steady.risingTest == nil)
            let faster = try #require(groups["Faster"])
            #expect(faster.change == 0.5)
            #expect(faster.risingTest == nil)
            let new = try #require(groups["New"])
            #expect(new.runs == 4)
            #expect(new.previousRuns == 0)
            #expect(new.previousP50 == nil)
            #expect(new.change == nil)
            #expect(new.risingTest == nil)
        }
    }

    @Test("without an earlier window there is no change", arguments: Backend.all)
    func singleWindow(backend: Backend) async throws {
        try await TempFolder.withStore(backend) { store in
            try await store.record(scriptedRuns(Self.slowing, revisions: Array(repeating: nil, count: 8)))
            let slow = try #require(Self.byKey(try await store.trends(by: .classname, window: 8))["Slow.Suite"])
            #expect(slow.runs == 8)
            #expect(slow.previousRuns == 0)
            #expect(slow.change == nil)
            #expect(slow.risingTest == nil)
        }
    }

    /// Twenty runs. `P` takes 1 ... 20 s in a scrambled order (run i: (7i mod 20) + 1); `Q` is in five runs
    /// (5 1 4 2 3 s), `R` in four (10 40 20 30 s).
    static func percentileStore(_ store: any HistoryStore) async throws {
        let p = (0..<20).map { Double(($0 * 7) % 20 + 1) }
        var q = Array(repeating: 0.0, count: 20)
        for (run, time) in zip([1, 4, 9, 13, 18], [5.0, 1, 4, 2, 3]) { q[run] = time }
        var r = Array(repeating: 0.0, count: 20)
        for (run, time) in zip([0, 7, 12, 19], [10.0, 40, 20, 30]) { r[run] = time }
        func letters(_ runs: [Int]) -> String { String((0..<20).map { runs.contains($0) ? "P" : "-" }) }
        let scripts = [
            TestScript(classname: "P", name: "p", outcomes: String(repeating: "P", count: 20), times: p),
            TestScript(classname: "Q", name: "q", outcomes: letters([1, 4, 9, 13, 18]), times: q),
            TestScript(classname: "R", name: "r", outcomes: letters([0, 7, 12, 19]), times: r),
        ]
        try await store.record(scriptedRuns(scripts, revisions: Array(repeating: nil, count: 20)))
    }

    @Test("p50 and p95 are nearest-rank values of the per-run totals", arguments: Backend.all)
    func nearestRank(backend: Backend) async throws {
        try await TempFolder.withStore(backend) { store in
            try await Self.percentileStore(store)
            let groups = Self.byKey(try await store.trends(by: .classname, window: 20))
            let p = try #require(groups["P"])
            // n = 20: p50 is the 10th value, p95 the 19th (not the max).
            #expect(p.runs == 20)
            #expect(p.p50 == 10)
            #expect(p.p95 == 19)
            #expect(p.max == 20)
            let q = try #require(groups["Q"])
            // n = 5: p50 is the 3rd value, p95 the 5th.
            #expect(q.runs == 5)
            #expect(q.p50 == 3)
            #expect(q.p95 == 5)
            let r = try #require(groups["R"])
            // n = 4: p50 is the 2nd value, p95 the 4th.
            #expect(r.runs == 4)
            #expect(r.p50 == 20)
            #expect(r.p95 == 40)

            // Windows of ten: P's newest ten are 11 18 5 12 19 6 13 20 7 14 (5th: 12, 10th: 20), its earlier
            // ten 1 8 15 2 9 16 3 10 17 4 (5th: 8, 10th: 17).
            let tens = Self.byKey(try await store.trends(by: .classname, window: 10))
            let p10 = try #require(tens["P"])
            #expect(p10.runs == 10)
            #expect(p10.p50 == 12)
            #expect(p10.p95 == 20)
            #expect(p10.previousRuns == 10)
            #expect(p10.previousP50 == 8)
            #expect(p10.previousP95 == 17)
            #expect(p10.change == 1.5)
            #expect(p10.risingTest == "P › p")
            #expect(p10.risingBy == 4)
            let q10 = try #require(tens["Q"])
            // Q's newest runs 13 and 18 (2, 3 s); earlier 1, 4, 9 (5, 1, 4 s).
            #expect(q10.runs == 2)
            #expect(q10.p50 == 2)
            #expect(q10.p95 == 3)
            #expect(q10.previousRuns == 3)
            #expect(q10.previousP50 == 4)
            #expect(q10.change == 0.5)
        }
    }

    /// Two runs of tests with files and sources; `C › skip` is always skipped.
    static let keyed: [TestScript] = [
        TestScript(
            classname: "A", name: "one", outcomes: "PP", times: [1, 1], file: "spec/a_spec.rb", source: "rspec"),
        TestScript(
            classname: "A", name: "two", outcomes: "PF", times: [2, 2], file: "spec/a_spec.rb", source: "rspec"),
        TestScript(classname: "B", name: "one", outcomes: "PP", times: [4, 4], source: "junit"),
        TestScript(classname: "C", name: "skip", outcomes: "SS", times: [100, 100], file: "c.rb", source: "go"),
    ]

    @Test(
        "grouping keys: classname, file (nil for tests without one), source, test and name; skipped times left out",
        arguments: Backend.all,
        [
            (GroupKey.classname, ["A": 3.0, "B": 4.0] as [String?: Double]) as (GroupKey, [String?: Double]),
            (GroupKey.file, ["spec/a_spec.rb": 3.0, nil: 4.0]),
            (GroupKey.source, ["rspec": 3.0, "junit": 4.0]),
            (GroupKey.test, ["A › one": 1.0, "A › two": 2.0, "B › one": 4.0]),
            (GroupKey.name, ["one": 5.0, "two": 2.0]),
        ])
    func groupKeys(backend: Backend, case: (GroupKey, [String?: Double])) async throws {
        let (key, expected) = `case`
        try await TempFolder.withStore(backend) { store in
            try await store.record(scriptedRuns(Self.keyed, revisions: ["r", "r"]))
            let trends = try await store.trends(by: key, window: 5)
            let found = Dictionary(trends.map { ($0.key, $0.p50) }, uniquingKeysWith: { first, _ in first })
            #expect(found == expected)
            #expect(trends.allSatisfy { $0.runs == 2 })
        }
    }

    @Test(
        "classnameTimeSeries is aligned on runs (oldest first) with zeros where a classname is missing",
        arguments: Backend.all)
    func timeSeries(backend: Backend) async throws {
        let scripts = [
            TestScript(classname: "A", name: "x", outcomes: "P-P", times: [2, 0, 4]),
            TestScript(classname: "B", name: "y", outcomes: "-PP", times: [0, 1, 1]),
            TestScript(classname: "C", name: "z", outcomes: "--P", times: [0, 0, 0.5]),
        ]
        try await TempFolder.withStore(backend) { store in
            try await store.record(scriptedRuns(scripts, revisions: [nil, nil, nil]))
            let all = try await store.classnameTimeSeries(limit: 3, top: 5)
            #expect(all.map(\.key) == ["A", "B", "C"])
            #expect(all.map(\.times) == [[2, 0, 4], [0, 1, 1], [0, 0, 0.5]])
            let top = try await store.classnameTimeSeries(limit: 3, top: 1)
            #expect(top.map(\.key) == ["A"])
            let newest = try await store.classnameTimeSeries(limit: 2, top: 5)
            #expect(newest.map(\.key) == ["A", "B", "C"])
            #expect(newest.map(\.times) == [[0, 4], [1, 1], [0, 0.5]])
        }
    }

    @Test(
        "timings(by:window:) are mean per-run times, over the runs a key appears in, skipped left out",
        arguments: Backend.all)
    func timings(backend: Backend) async throws {
        let scripts = [
            TestScript(classname: "K", name: "x", outcomes: "PP", times: [1, 5], file: "a.rb"),
            TestScript(classname: "K", name: "y", outcomes: "PS", times: [2, 9], file: "a.rb"),
            TestScript(classname: "L", name: "z", outcomes: "P-", times: [1, 0], file: "b.rb"),
            TestScript(classname: "L", name: "w", outcomes: "PF", times: [3, 1]),
        ]
        try await TempFolder.withStore(backend) { store in
            try await store.record(scriptedRuns(scripts, revisions: [nil, nil]))
            // a.rb: 3 then 5; b.rb: 1 in the first run only; w has no file.
            #expect(try await store.timings(by: .file, window: 10) == ["a.rb": 4, "b.rb": 1])
            #expect(try await store.timings(by: .file, window: 1) == ["a.rb": 5])
            #expect(try await store.timings(by: .name, window: 10) == ["x": 3, "y": 2, "z": 1, "w": 2])
            #expect(try await store.timings(by: .classname, window: 10) == ["K": 4, "L": 2.5])
            #expect(try await store.timings(by: .test, window: 10)["K › y"] == 2)
        }
    }
}
