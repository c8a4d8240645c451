/// The outcome of one test record. Exactly one per record; precedence errored > failed > skipped > passed.
public enum Outcome: String, Sendable, Codable, CaseIterable, Comparable {
    case passed
    case failed
    case errored
    case skipped

    /// Higher wins when several result elements meet in one record.
    var precedence: Int {
        switch self {
        case .passed: 0
        case .skipped: 1
        case .failed: 2
        case .errored: 3
        }
    }

    public static func < (lhs: Outcome, rhs: Outcome) -> Bool { lhs.precedence < rhs.precedence }

    /// Failed or errored.
    public var isFailure: Bool { self == .failed || self == .errored }
}

/// One result element of a record: `<failure>`, `<error>`, `<skipped>`, or a rerun / flaky attempt.
public struct ResultDetail: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Codable {
        case failure, error, skipped
        case flakyFailure, flakyError, rerunFailure, rerunError
    }

    public var kind: Kind
    public var message: String?
    public var type: String?
    /// The element's text (stack trace, diff, output), capped at `TextCap.record`.
    public var text: String?

    public init(kind: Kind, message: String? = nil, type: String? = nil, text: String? = nil) {
        self.kind = kind
        self.message = message
        self.type = type
        self.text = text
    }
}

/// One test: a `<testcase>`, a suite-level `<failure>`/`<error>`, or one CircleCI `/tests` item.
public struct TestRecord: Sendable, Hashable {
    public var classname: String
    public var name: String
    /// Normalised (no leading `./`, `/` separators); nil when the input does not say.
    public var file: String?
    public var line: Int?
    /// Seconds, finite and not negative.
    public var time: Double
    public var outcome: Outcome
    /// Marked flaky by the input itself (`<flakyFailure>`/`<flakyError>`).
    public var flakyMarked: Bool
    public var source: String
    /// The innermost enclosing suite's name ("" when none); groups the merged JUnit output.
    public var suite: String
    public var details: [ResultDetail]
    public var systemOut: String?
    public var systemErr: String?
    /// Index of the input this record came from.
    public var inputIndex: Int

    public init(
        classname: String, name: String, file: String? = nil, line: Int? = nil, time: Double = 0,
        outcome: Outcome = .passed, flakyMarked: Bool = false, source: String = "unknown",
        suite: String = "", details: [ResultDetail] = [], systemOut: String? = nil,
        systemErr: String? = nil, inputIndex: Int = 0
    ) {
        self.classname = classname
        self.name = name
        self.file = file
        self.line = line
        self.time = time
        self.outcome = outcome
        self.flakyMarked = flakyMarked
        self.source = source
        self.suite = suite
        self.details = details
        self.systemOut = systemOut
        self.systemErr = systemErr
        self.inputIndex = inputIndex
    }

    /// `(classname, name)`, both trimmed; an empty classname is replaced by the file.
    public var identity: TestIdentity {
        let trimmedClass = classname.trimmingWhitespace()
        let group = trimmedClass.isEmpty ? (file ?? "") : trimmedClass
        return TestIdentity(classname: group, name: name.trimmingWhitespace())
    }

    /// The detail that decided the outcome (first element of the outcome's kind).
    public var primaryDetail: ResultDetail? {
        let kind: ResultDetail.Kind
        switch outcome {
        case .passed: return nil
        case .failed: kind = .failure
        case .errored: kind = .error
        case .skipped: kind = .skipped
        }
        return details.first { $0.kind == kind }
    }
}

/// Identity of a test across records and runs.
public struct TestIdentity: Sendable, Hashable, Codable, Comparable {
    public var classname: String
    public var name: String

    public init(classname: String, name: String) {
        self.classname = classname
        self.name = name
    }

    public static func < (lhs: TestIdentity, rhs: TestIdentity) -> Bool {
        (lhs.classname, lhs.name) < (rhs.classname, rhs.name)
    }
}

extension String {
    /// Trims spaces, tabs, CR and LF (XML whitespace) from both ends.
    func trimmingWhitespace() -> String {
        let utf8 = self.utf8
        guard let first = utf8.first, let last = utf8.last,
            first.isXMLWhitespace || last.isXMLWhitespace
        else { return self }
        var start = utf8.startIndex
        var end = utf8.endIndex
        while start < end, utf8[start].isXMLWhitespace { start = utf8.index(after: start) }
        while end > start, utf8[utf8.index(before: end)].isXMLWhitespace { end = utf8.index(before: end) }
        return String(self[start..<end])
    }
}

extension UInt8 {
    var isXMLWhitespace: Bool { self == 0x20 || self == 0x09 || self == 0x0A || self == 0x0D }
}
