import Foundation
import Testing

@testable import VerdictCore
@testable import VerdictHistory

@Suite("History: flaky tests")
struct FlakyTests {
    /// Six runs b1 ... b6; b1 and b2 on the same revision r1, the rest on their own.
    static let revisions: [String?] = ["r1", "r1", "r2", "r3", "r4", "r5"]

    static let sameRevision = TestScript(classname: "Flaky", name: "sameRevision", outcomes: "FPPPPP")
    static let alternating = TestScript(
        classname: "Flaky", name: "alternating", outcomes: "FEPFPP",
        messages: [0: "timeout after 5s", 1: "expected 1, got 2", 3: "timeout after 5s"])
    /// Skipped runs do not count: P P P (S S) F is one flip over four runs.
    static let acrossSkip = TestScript(classname: "Flaky", name: "acrossSkip", outcomes: "PPPSSF")
    static let marked = TestScript(classname: "Flaky", name: "marked", outcomes: "PPMPPP")

    static let stable: [TestScript] = [
        TestScript(classname: "Stable", name: "failing", outcomes: "FFFFFF"),
        TestScript(classname: "Stable", name: "passing", outcomes: "PPPPPP"),
        TestScript(classname: "Stable", name: "skippedBetween", outcomes: "PSPSPP"),
        TestScript(classname: "Stable", name: "failingSkipped", outcomes: "FSFSFF"),
        TestScript(classname: "Stable", name: "failOrError", outcomes: "FEFEFE"),
        TestScript(classname: "Stable", name: "allSkipped", outcomes: "SSSSSS"),
        TestScript(classname: "Stable", name: "lateArrival", outcomes: "---PPP"),
    ]

    static var scripts: [TestScript] { [sameRevision, alternating, acrossSkip, marked] + stable }

    static func withScriptedStore(_ backend: Backend, _ body: (any HistoryStore) async throws -> Void) async throws {
        try await TempFolder.withStore(backend) { store in
            try await store.record(scriptedRuns(scripts, revisions: revisions))
            try await body(store)
        }
    }

    static func find(_ found: [HistoricalFlaky], _ script: TestScript) -> HistoricalFlaky? {
        found.first { $0.classname == script.classname && $0.name == script.name }
    }

    @Test("exactly the flaky tests are found, most flips first", arguments: Backend.all)
    func onlyFlakyTests(backend: Backend) async throws {
        try await Self.withScriptedStore(backend) { store in
            let found = try await store.flaky(window: 30)
            #expect(found.map(\.name) == ["alternating", "acrossSkip", "sameRevision", "marked"])
            #expect(!found.contains { $0.classname == "Stable" }, "\(found.map(\.name))")
        }
    }

    @Test("a test that failed and passed on one revision counts that revision", arguments: Backend.all)
    func sameRevisionFlake(backend: Backend) async throws {
        try await Self.withScriptedStore(backend) { store in
            let item = try #require(Self.find(try await store.flaky(window: 30), Self.sameRevision))
            #expect(item.sameRevision == 1)
            #expect(item.runs == 6)
            #expect(item.passed == 5)
            #expect(item.failed == 1)
            #expect(item.flips == 1)
            #expect(item.flipRate == 0.2)
            #expect(item.markedFlaky == 0)
            #expect(item.failedBuilds == ["b1"])
            #expect(item.lastFailed == Clock.at(0))
            #expect(item.commonMessage == "boom")
        }
    }

    @Test(
        "flips, flip rate, failed builds (newest first), last failure and the most common message",
        arguments: Backend.all)
    func alternatingFlake(backend: Backend) async throws {
        try await Self.withScriptedStore(backend) { store in
            let item = try #require(Self.find(try await store.flaky(window: 30), Self.alternating))
            // F E P F P P: failed and errored both count as failures; E after F is no flip.
            #expect(item.runs == 6)
            #expect(item.passed == 3)
            #expect(item.failed == 3)
            #expect(item.flips == 3)
            #expect(item.flipRate == 0.6)
            #expect(item.sameRevision == 0)
            #expect(item.failedBuilds == ["b4", "b2", "b1"])
            #expect(item.lastFailed == Clock.at(3))
            #expect(item.commonMessage == "timeout after 5s")
        }
    }

    @Test("skipped runs are ignored: neither runs nor flips", arguments: Backend.all)
    func skippedIgnored(backend: Backend) async throws {
        try await Self.withScriptedStore(backend) { store in
            let item = try #require(Self.find(try await store.flaky(window: 30), Self.acrossSkip))
            #expect(item.runs == 4)
            #expect(item.flips == 1)
            #expect(item.flipRate == 0.333)
            #expect(item.passed == 3)
            #expect(item.failed == 1)
            #expect(item.failedBuilds == ["b6"])
        }
    }

    @Test("a record the runner marked flaky makes the test flaky without flips", arguments: Backend.all)
    func markedFlaky(backend: Backend) async throws {
        try await Self.withScriptedStore(backend) { store in
            let item = try #require(Self.find(try await store.flaky(window: 30), Self.marked))
            #expect(item.markedFlaky == 1)
            #expect(item.flips == 0)
            #expect(item.failed == 0)
            #expect(item.failedBuilds == [])
            #expect(item.lastFailed == nil)
            #expect(item.commonMessage == nil)
        }
    }

    @Test("the window limits which runs count", arguments: Backend.all)
    func window(backend: Backend) async throws {
        try await Self.withScriptedStore(backend) { store in
            // The newest three runs: b4 b5 b6. alternating is F P P there; sameRevision passes; acrossSkip
            // has one counted run; marked was marked in b3.
            let found = try await store.flaky(window: 3)
            #expect(found.map(\.name) == ["alternating"])
            let item = try #require(found.first)
            #expect(item.runs == 3)
            #expect(item.flips == 1)
            #expect(item.flipRate == 0.5)
            #expect(item.failedBuilds == ["b4"])
            #expect(item.commonMessage == "timeout after 5s")
            #expect(try await store.flaky(window: 1).isEmpty)
        }
    }

    @Test("a flake on two revisions counts both; runs without a revision count none", arguments: Backend.all)
    func twoRevisions(backend: Backend) async throws {
        let script = TestScript(classname: "Twice", name: "t", outcomes: "FPFPFP")
        try await TempFolder.withStore(backend) { store in
            try await store.record(scriptedRuns([script], revisions: ["r1", "r1", "r2", "r2", nil, nil]))
            let item = try #require(try await store.flaky(window: 30).first)
            #expect(item.sameRevision == 2)
            #expect(item.flips == 5)
            #expect(item.flipRate == 1)
            #expect(item.failedBuilds == ["b5", "b3", "b1"])
        }
    }

    @Test(
        "a test that fails and then passes on a retry within one run is flaky on that revision", arguments: Backend.all)
    func retryWithinRun(backend: Backend) async throws {
        try await TempFolder.withStore(backend) { store in
            for run in 0..<3 {
                try await store.record(
                    RunMetadata(build: "b\(run + 1)", revision: "r\(run)", recordedAt: Clock.at(run)),
                    [record("Retry", "t", .failed, message: "flaked"), record("Retry", "t"), record("Solid", "s")])
            }
            let found = try await store.flaky(window: 30)
            #expect(found.map(\.name) == ["t"])
            let item = try #require(found.first)
            #expect(item.sameRevision == 3)
            #expect(item.failedBuilds == ["b3", "b2", "b1"])
            #expect(item.commonMessage == "flaked")
        }
    }

    @Test(
        "equally common messages: the alphabetically first wins; messages are capped at 2000 characters",
        arguments: Backend.all)
    func messageTieAndCap(backend: Backend) async throws {
        let long = String(repeating: "x", count: 5000)
        let script = TestScript(
            classname: "Msg", name: "t", outcomes: "FPFPF", messages: [0: "zebra", 2: "apple", 4: long])
        try await TempFolder.withStore(backend) { store in
            try await store.record(scriptedRuns([script], revisions: ["a", "b", "c", "d", "e"]))
            let item = try #require(try await store.flaky(window: 30).first)
            #expect(item.commonMessage == "apple")
            // The newest two runs: P then the long failure.
            let newest = try #require(try await store.flaky(window: 2).first)
            #expect(newest.commonMessage == String(repeating: "x", count: 2000))
        }
    }

    @Test("outcomes(of:limit:) gives each test's newest outcomes, oldest first", arguments: Backend.all)
    func outcomes(backend: Backend) async throws {
        try await Self.withScriptedStore(backend) { store in
            let late = try #require(Self.stable.last).identity
            let unknown = TestIdentity(classname: "Nope", name: "never")
            let skipped = try #require(Self.stable.first { $0.name == "skippedBetween" }).identity
            let result = try await store.outcomes(
                of: [Self.alternating.identity, late, unknown, skipped, Self.alternating.identity], limit: 5)
            #expect(result.count == 4)
            #expect(result[Self.alternating.identity] == [.errored, .passed, .failed, .passed, .passed])
            #expect(result[late] == [.passed, .passed, .passed])
            #expect(result[unknown] == [])
            #expect(result[skipped] == [.skipped, .passed, .skipped, .passed, .passed])
            let two = try await store.outcomes(of: [Self.alternating.identity], limit: 2)
            #expect(two[Self.alternating.identity] == [.passed, .passed])
        }
    }
}
