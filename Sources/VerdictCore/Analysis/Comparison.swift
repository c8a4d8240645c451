/// `verdict compare`: what changed between two runs, as plain values (the JSON summary).
public struct Comparison: Sendable, Hashable, Codable {
    public var schemaVersion = 1
    public var title: String
    public var base: Totals
    public var head: Totals
    public var newFailures: [ComparedTest]
    public var fixed: [ComparedTest]
    public var stillFailing: [ComparedTest]
    public var newlySkipped: [ComparedTest]
    public var unskipped: [ComparedTest]
    public var flaky: [ComparedTest]
    public var onlyInBase: [ComparedTest]
    public var onlyInHead: [ComparedTest]
    public var slower: [ComparedTest]
    public var faster: [ComparedTest]
    /// Paired tests whose file differs between the sides (`baseFile` is the old one).
    public var moved: [ComparedTest]
    /// Per classname, file and source: groups whose total time changed beyond the thresholds.
    public var groups: ComparedGroups
    /// Identities seen more than once on one side: listed here, not paired.
    public var duplicates: [DuplicateIdentity]
    /// How many tests each matching rule paired.
    public var matching: [String: Int]
    public var thresholds: Thresholds
    public var baseInputs: [InputReport]
    public var headInputs: [InputReport]

    public struct Thresholds: Sendable, Hashable, Codable {
        /// A time change counts when the slower side is at least this many times the faster...
        public var ratio: Double
        /// ...and at least this many seconds longer.
        public var minTime: Double

        public init(ratio: Double = 1.5, minTime: Double = 0.1) {
            self.ratio = ratio
            self.minTime = minTime
        }
    }

    /// True when nothing differs in outcome, presence or time beyond the thresholds (still-failing
    /// tests and duplicates that are the same on both sides are not differences).
    public var isEmpty: Bool {
        newFailures.isEmpty && fixed.isEmpty && newlySkipped.isEmpty && unskipped.isEmpty && onlyInBase.isEmpty
            && onlyInHead.isEmpty && slower.isEmpty && faster.isEmpty && changedDuplicates.isEmpty
    }

    /// Duplicated identities whose records differ between the sides.
    public var changedDuplicates: [DuplicateIdentity] {
        duplicates.filter { $0.baseOutcomes != $0.headOutcomes }
    }
}

/// One test on both sides. `matchedBy` says which rule paired them: `identity` (classname and
/// name), `file+name` (the classnames differ, the files agree) or `name` (a name unique on both sides).
public struct ComparedTest: Sendable, Hashable, Codable {
    public var classname: String
    public var name: String
    public var file: String?
    /// The base side's file, when it differs from the head's.
    public var baseFile: String?
    public var source: String?
    public var baseOutcome: Outcome?
    public var headOutcome: Outcome?
    public var baseTime: Double?
    public var headTime: Double?
    /// head / base, when both are known and base > 0.
    public var ratio: Double?
    /// head - base, in seconds.
    public var difference: Double?
    public var matchedBy: String?
    /// The failure message on the head side (else the base side), capped for display.
    public var message: String?
}

public struct ComparedGroup: Sendable, Hashable, Codable {
    public var key: String?
    public var baseTime: Double
    public var headTime: Double
    public var ratio: Double?
    public var difference: Double
    public var baseTests: Int
    public var headTests: Int

    enum CodingKeys: String, CodingKey { case key, baseTime, headTime, ratio, difference, baseTests, headTests }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(key, forKey: .key)
        try container.encode(baseTime, forKey: .baseTime)
        try container.encode(headTime, forKey: .headTime)
        try container.encode(ratio, forKey: .ratio)
        try container.encode(difference, forKey: .difference)
        try container.encode(baseTests, forKey: .baseTests)
        try container.encode(headTests, forKey: .headTests)
    }
}

public struct ComparedGroups: Sendable, Hashable, Codable {
    public var slower: [String: [ComparedGroup]]
    public var faster: [String: [ComparedGroup]]
}

public struct DuplicateIdentity: Sendable, Hashable, Codable {
    public var classname: String
    public var name: String
    public var baseRecords: Int
    public var headRecords: Int
    public var baseOutcomes: [Outcome]
    public var headOutcomes: [Outcome]
}
