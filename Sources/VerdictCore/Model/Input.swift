/// What an input turned out to be, detected from its content.
public enum InputKind: String, Sendable, Codable {
    case junit
    case circleciV1Tests = "circleci-v1.1"
    case circleciV2Tests = "circleci-v2"
    case circleciV1Job = "circleci-v1.1-job"
    case circleciV2Job = "circleci-v2-job"
    /// Could not be read at all (the warning says why); counts nothing.
    case unreadable
}

/// The result of reading one input: what it was, how many records it gave, and what went wrong.
public struct InputReport: Sendable, Hashable, Codable {
    public var path: String
    public var kind: InputKind
    public var tests: Int
    public var warnings: [String]
    /// True when the input stopped being readable part-way and only what came before counts.
    public var incomplete: Bool

    public init(path: String, kind: InputKind, tests: Int = 0, warnings: [String] = [], incomplete: Bool = false) {
        self.path = path
        self.kind = kind
        self.tests = tests
        self.warnings = warnings
        self.incomplete = incomplete
    }
}

/// Caps on text kept in memory. Counting never depends on them.
public enum TextCap {
    /// Per text field (message, stack, output) of a record as read.
    public static let record = 64 * 1024
    /// Per text field kept for display in summaries (failures list).
    public static let display = 4 * 1024
}
