import Foundation
import Testing

@testable import VerdictCore
@testable import VerdictHistory

@Suite("History: recording and pruning")
struct RecordTests {
    static let first: [TestRecord] = [
        record("Cart", "adds", time: 0.5, file: "spec/cart_spec.rb"),
        record("Cart", "removes", .failed, time: 0.25, message: "expected 1", file: "spec/cart_spec.rb"),
        record("Tax", "rates", .skipped, time: 0),
    ]

    @Test("a run is stored with its metadata and every test", arguments: Backend.all)
    func recordOnce(backend: Backend) async throws {
        try await TempFolder.withStore(backend) { store in
            let metadata = RunMetadata(
                build: "101", branch: "main", revision: "abc123", job: "test", recordedAt: Clock.at(0))
            let result = try await store.record(metadata, Self.first)
            #expect(result.replaced == false)
            #expect(result.tests == 3)
            #expect(result.runID > 0)
            let runs = try await store.allRuns()
            #expect(
                runs == [
                    RunRow(
                        id: result.runID, build: "101", job: "test", branch: "main", revision: "abc123",
                        recordedAt: Clock.at(0), tests: 3)
                ])
            let outcomes = try await store.outcomes(
                of: Self.first.map(\.identity) + [TestIdentity(classname: "Nope", name: "never")], limit: 10)
            #expect(outcomes[TestIdentity(classname: "Cart", name: "adds")] == [.passed])
            #expect(outcomes[TestIdentity(classname: "Cart", name: "removes")] == [.failed])
            #expect(outcomes[TestIdentity(classname: "Tax", name: "rates")] == [.skipped])
            #expect(outcomes[TestIdentity(classname: "Nope", name: "never")] == [])
        }
    }

    @Test("recording the same build and job again replaces the run: nothing doubles", arguments: Backend.all)
    func reRecordSameBuild(backend: Backend) async throws {
        try await TempFolder.withStore(backend) { store in
            let metadata = RunMetadata(build: "101", revision: "abc", job: "test", recordedAt: Clock.at(0))
            let first = try await store.record(metadata, Self.first)
            let timingsBefore = try await store.timings(by: .classname, window: 10)
            let again = try await store.record(metadata, Self.first)
            #expect(again.replaced == true)
            #expect(again.runID == first.runID)
            #expect(again.tests == 3)
            let runs = try await store.allRuns()
            #expect(runs.count == 1)
            #expect(runs.first?.tests == 3)
            let outcomes = try await store.outcomes(of: Self.first.map(\.identity), limit: 10)
            for identity in Self.first.map(\.identity) {
                #expect(outcomes[identity]?.count == 1, "\(identity) has \(outcomes[identity] ?? [])")
            }
            #expect(try await store.timings(by: .classname, window: 10) == timingsBefore)
            #expect(timingsBefore == ["Cart": 0.75])
        }
    }

    @Test("a replaced run takes the new results and metadata", arguments: Backend.all)
    func replacedRunTakesNewResults(backend: Backend) async throws {
        try await TempFolder.withStore(backend) { store in
            try await store.record(
                RunMetadata(build: "7", branch: "main", revision: "old", recordedAt: Clock.at(0)), Self.first)
            let second = try await store.record(
                RunMetadata(build: "7", branch: "fix", revision: "new", recordedAt: Clock.at(1)),
                [record("Cart", "adds", .failed, time: 2)])
            #expect(second.replaced)
            let runs = try await store.allRuns()
            #expect(runs.count == 1)
            #expect(runs.first?.branch == "fix")
            #expect(runs.first?.revision == "new")
            #expect(runs.first?.recordedAt == Clock.at(1))
            #expect(runs.first?.tests == 1)
            let outcomes = try await store.outcomes(of: Self.first.map(\.identity), limit: 10)
            #expect(outcomes[TestIdentity(classname: "Cart", name: "adds")] == [.failed])
            #expect(outcomes[TestIdentity(classname: "Cart", name: "removes")] == [])
            #expect(try await store.timings(by: .classname, window: 10) == ["Cart": 2])
        }
    }

    @Test(
        "the same build under another job is a separate run; no job and another job differ too", arguments: Backend.all)
    func differentJobSeparateRun(backend: Backend) async throws {
        try await TempFolder.withStore(backend) { store in
            let unit = try await store.record(
                RunMetadata(build: "101", job: "unit", recordedAt: Clock.at(0)), Self.first)
            let integration = try await store.record(
                RunMetadata(build: "101", job: "integration", recordedAt: Clock.at(1)), Self.first)
            let noJob = try await store.record(RunMetadata(build: "101", recordedAt: Clock.at(2)), Self.first)
            #expect(!unit.replaced && !integration.replaced && !noJob.replaced)
            #expect(Set([unit.runID, integration.runID, noJob.runID]).count == 3)
            let runs = try await store.allRuns()
            #expect(runs.map(\.job) == [nil, "integration", "unit"])
            let again = try await store.record(RunMetadata(build: "101", recordedAt: Clock.at(3)), Self.first)
            #expect(again.replaced)
            #expect(again.runID == noJob.runID)
            #expect(try await store.allRuns().count == 3)
        }
    }

    @Test("several stores recording different builds at once all succeed", arguments: Backend.all)
    func concurrentWriters(backend: Backend) async throws {
        try await TempFolder.withLocation(backend) { location in
            let records = (0..<200).map { record("Load.C\($0 % 7)", "test \($0)", time: Double($0) / 100) }
            // Every writer opens its own store on the fresh file, so opening (migrating) races too.
            let results = try await withThrowingTaskGroup(of: RecordResult.self) { group in
                for writer in 0..<8 {
                    group.addTask {
                        let store = try await location.open()
                        return try await store.record(
                            RunMetadata(build: "c\(writer)", recordedAt: Clock.at(writer)), records)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results.count == 8)
            #expect(results.allSatisfy { !$0.replaced && $0.tests == 200 })
            let store = try await location.open()
            let runs = try await store.allRuns()
            #expect(Set(runs.map(\.build)) == Set((0..<8).map { "c\($0)" }))
            #expect(runs.allSatisfy { $0.tests == 200 })
            let outcomes = try await store.outcomes(of: [records[0].identity], limit: 100)
            #expect(outcomes[records[0].identity]?.count == 8)
        }
    }

    @Test("several stores recording the same build at once leave one run", arguments: Backend.all)
    func concurrentSameBuild(backend: Backend) async throws {
        try await TempFolder.withLocation(backend) { location in
            let records = (0..<100).map { record("Same", "test \($0)") }
            let results = try await withThrowingTaskGroup(of: RecordResult.self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        try await location.open().record(
                            RunMetadata(build: "same", job: "j", recordedAt: Clock.at(0)), records)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results.filter { !$0.replaced }.count == 1)
            #expect(results.filter(\.replaced).count == 3)
            #expect(Set(results.map(\.runID)).count == 1)
            let store = try await location.open()
            #expect(try await store.allRuns().map(\.tests) == [100])
            let outcomes = try await store.outcomes(of: [records[0].identity], limit: 100)
            #expect(outcomes[records[0].identity] == [.passed])
        }
    }

    /// Five runs a day apart: d0 ... d4; test `Old.gone` only in d0.
    static func fiveDays(_ store: any HistoryStore) async throws {
        for day in 0..<5 {
            var records = [record("Daily", "check", time: Double(day + 1))]
            if day == 0 { records.append(record("Old", "gone")) }
            try await store.record(RunMetadata(build: "d\(day)", recordedAt: Clock.day(day)), records)
        }
    }

    @Test("prune --keep-runs keeps the newest runs and drops tests left without results", arguments: Backend.all)
    func pruneByRuns(backend: Backend) async throws {
        try await TempFolder.withStore(backend) { store in
            try await Self.fiveDays(store)
            let deleted = try await store.prune(keepDays: nil, keepRuns: 2, now: Clock.day(5))
            #expect(deleted == 3)
            #expect(try await store.allRuns().map(\.build) == ["d4", "d3"])
            let gone = TestIdentity(classname: "Old", name: "gone")
            let daily = TestIdentity(classname: "Daily", name: "check")
            let outcomes = try await store.outcomes(of: [gone, daily], limit: 10)
            #expect(outcomes[gone] == [])
            #expect(outcomes[daily] == [.passed, .passed])
            #expect(try await store.timings(by: .classname, window: 10) == ["Daily": 4.5])
            #expect(try await store.prune(keepDays: nil, keepRuns: 2, now: Clock.day(5)) == 0)
            #expect(try await store.prune(keepDays: nil, keepRuns: 0, now: Clock.day(5)) == 2)
            #expect(try await store.allRuns().isEmpty)
        }
    }

    @Test("prune --keep-days keeps the runs recorded in the last N days before now", arguments: Backend.all)
    func pruneByDays(backend: Backend) async throws {
        try await TempFolder.withStore(backend) { store in
            try await Self.fiveDays(store)
            let now = Clock.day(4) + 60
            // Cut-off: a day before now, so d0 ... d3 go.
            #expect(try await store.prune(keepDays: 1, keepRuns: nil, now: now) == 4)
            #expect(try await store.allRuns().map(\.build) == ["d4"])
        }
        try await TempFolder.withStore(backend) { store in
            try await Self.fiveDays(store)
            // Nothing is older than 30 days.
            #expect(try await store.prune(keepDays: 30, keepRuns: nil, now: Clock.day(4)) == 0)
            #expect(try await store.allRuns().count == 5)
            // Both limits: days drop d0 ... d2 (older than day 2.5), runs keep the newest one of the rest.
            #expect(try await store.prune(keepDays: 2, keepRuns: 1, now: Clock.day(4) + 43_200) == 4)
            #expect(try await store.allRuns().map(\.build) == ["d4"])
        }
    }
}
