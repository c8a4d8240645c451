/// Everything a report shows, as plain values. Encodes to the JSON summary (`--json`).
public struct ReportSummary: Sendable, Hashable, Codable {
    enum CodingKeys: String, CodingKey {
        case schemaVersion, title, headline, totals, incomplete, inputs, groups, slowest, failures, failureGroups, flaky
        case jobs, history
    }

    public var schemaVersion = 1
    public var title: String
    /// One line, usable as a check title: "Failed: 97 tests, 11 failed, ...".
    public var headline: String = ""
    public var totals: Totals
    public var incomplete: Bool
    public var inputs: [InputReport]
    public var groups: Groups
    public var slowest: [TestItem]
    public var failures: [FailureItem]
    /// The failures grouped by root cause, largest group first.
    public var failureGroups: [FailureGroup]
    public var flaky: [FlakyItem]
    public var jobs: [JobSummary]
    /// Recent history from a store (`report --db`), when given.
    public var history: ReportHistory?
}

/// What a history store says about the tests in a report.
public struct ReportHistory: Sendable, Hashable, Codable {
    /// Recent outcomes (oldest first) per test, keyed `classname › name` (identity form).
    public var outcomes: [String: [Outcome]]
    /// Per-run total time (oldest first) of the classnames with the most time.
    public var classnameSeries: [Series]

    public struct Series: Sendable, Hashable, Codable {
        public var key: String
        public var times: [Double]

        public init(key: String, times: [Double]) {
            self.key = key
            self.times = times
        }
    }

    public init(outcomes: [String: [Outcome]], classnameSeries: [Series]) {
        self.outcomes = outcomes
        self.classnameSeries = classnameSeries
    }

    /// The key of `outcomes` for a test.
    public static func key(classname: String, name: String, file: String?) -> String {
        let identity = TestRecord(classname: classname, name: name, file: file).identity
        return "\(identity.classname) › \(identity.name)"
    }
}

public struct Totals: Sendable, Hashable, Codable {
    public var tests = 0
    public var passed = 0
    public var failed = 0
    public var errored = 0
    public var skipped = 0
    public var flaky = 0
    public var time: Double = 0

    public init() {}

    public init(tests: Int, passed: Int, failed: Int, errored: Int, skipped: Int, flaky: Int, time: Double) {
        (self.tests, self.passed, self.failed, self.errored, self.skipped, self.flaky, self.time) =
            (tests, passed, failed, errored, skipped, flaky, time)
    }
}

public struct Groups: Sendable, Hashable, Codable {
    public var classname: [GroupStats]
    public var file: [GroupStats]
    public var source: [GroupStats]
}

/// Counts and time statistics of one classname, file or source. `key` is null for records
/// without a file in the file grouping.
public struct GroupStats: Sendable, Hashable, Codable {
    public var key: String?
    public var tests: Int
    public var passed: Int
    public var failed: Int
    public var errored: Int
    public var skipped: Int
    public var time: Double
    public var mean: Double
    public var p50: Double
    public var p95: Double
    public var max: Double

    enum CodingKeys: String, CodingKey {
        case key, tests, passed, failed, errored, skipped, time, mean, p50, p95, max
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(key, forKey: .key)  // null, not omitted
        try container.encode(tests, forKey: .tests)
        try container.encode(passed, forKey: .passed)
        try container.encode(failed, forKey: .failed)
        try container.encode(errored, forKey: .errored)
        try container.encode(skipped, forKey: .skipped)
        try container.encode(time, forKey: .time)
        try container.encode(mean, forKey: .mean)
        try container.encode(p50, forKey: .p50)
        try container.encode(p95, forKey: .p95)
        try container.encode(max, forKey: .max)
    }
}

/// One test as listed among the slowest.
public struct TestItem: Sendable, Hashable, Codable {
    public var classname: String
    public var name: String
    public var file: String?
    public var source: String
    public var time: Double
    public var outcome: Outcome
}

/// One failed or errored test, with its text capped for display.
public struct FailureItem: Sendable, Hashable, Codable {
    public var classname: String
    public var name: String
    public var file: String?
    public var line: Int?
    public var source: String
    public var time: Double
    public var outcome: Outcome
    public var message: String?
    public var type: String?
    public var text: String?
    public var systemOut: String?
    public var systemErr: String?
    public var input: String
}

/// A flaky test identity: passed and failed within the report, or marked flaky by its input.
public struct FlakyItem: Sendable, Hashable, Codable {
    public var classname: String
    public var name: String
    public var passed: Int
    public var failed: Int
    public var markedFlaky: Bool
}
