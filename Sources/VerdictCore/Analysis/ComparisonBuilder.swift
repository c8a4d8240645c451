/// Collects two runs' records, then pairs and compares them.
public struct ComparisonBuilder: Sendable {
    /// One run: a report accumulator (totals, groups, flakiness) plus one entry per identity.
    public struct Side: Sendable {
        fileprivate var accumulator = ReportAccumulator(top: 0)
        fileprivate var entries: [TestIdentity: Entry] = [:]
        fileprivate var inputs: [InputReport] = []

        public init() {}

        public mutating func add(_ record: TestRecord) {
            accumulator.add(record)
            let identity = record.identity
            var entry = entries[identity] ?? Entry(record)
            if entries[identity] != nil { entry.merge(record) }
            entries[identity] = entry
        }

        public mutating func add(input: InputReport) {
            inputs.append(input)
            accumulator.add(input: input)
        }
    }

    fileprivate struct Entry: Sendable {
        var classname: String
        var name: String
        var file: String?
        var source: String
        var records = 1
        var outcomes: [Outcome]
        var time: Double
        var message: String?

        init(_ record: TestRecord) {
            classname = record.classname.trimmingWhitespace()
            name = record.name.trimmingWhitespace()
            file = record.file
            source = record.source
            outcomes = [record.outcome]
            time = record.time
            message = Entry.message(record)
        }

        mutating func merge(_ record: TestRecord) {
            records += 1
            if outcomes.count < 16 { outcomes.append(record.outcome) }
            time += record.time
            if message == nil { message = Entry.message(record) }
        }

        var outcome: Outcome { outcomes.last ?? .passed }

        static func message(_ record: TestRecord) -> String? {
            guard record.outcome.isFailure, let detail = record.primaryDetail else { return nil }
            return (detail.message ?? detail.text)?.capped(TextCap.display)
        }
    }

    public var base = Side()
    public var head = Side()

    public init() {}

    public func compare(title: String, thresholds: Comparison.Thresholds) -> Comparison {
        let baseSummary = base.accumulator.summary(title: title)
        let headSummary = head.accumulator.summary(title: title)

        // Identities seen more than once on a side are reported, not paired.
        let duplicated = Set(base.entries.filter { $0.value.records > 1 }.keys)
            .union(head.entries.filter { $0.value.records > 1 }.keys)
        var pairs: [(base: Entry?, head: Entry?, rule: String?)] = []
        var unpairedBase: [TestIdentity: Entry] = [:]
        var unpairedHead: [TestIdentity: Entry] = [:]
        for (identity, entry) in base.entries where !duplicated.contains(identity) {
            if let other = head.entries[identity] {
                pairs.append((entry, other, "identity"))
            } else {
                unpairedBase[identity] = entry
            }
        }
        for (identity, entry) in head.entries where !duplicated.contains(identity) && base.entries[identity] == nil {
            unpairedHead[identity] = entry
        }
        // Then (file, name), then a name unique on both sides: CircleCI and JUnit may disagree on the classname.
        for rule in ["file+name", "name"] {
            let key: (Entry) -> String? = { entry in
                rule == "name" ? entry.name : entry.file.map { "\($0)\u{0}\(entry.name)" }
            }
            let baseByKey = Dictionary(grouping: unpairedBase, by: { key($0.value) })
            let headByKey = Dictionary(grouping: unpairedHead, by: { key($0.value) })
            for (candidate, baseGroup) in baseByKey {
                guard let candidate, baseGroup.count == 1, let headGroup = headByKey[candidate], headGroup.count == 1
                else { continue }
                pairs.append((baseGroup[0].value, headGroup[0].value, rule))
                unpairedBase[baseGroup[0].key] = nil
                unpairedHead[headGroup[0].key] = nil
            }
        }
        pairs += unpairedBase.values.map { ($0, nil, nil) }
        pairs += unpairedHead.values.map { (nil, $0, nil) }

        var result = Comparison(
            title: title, base: baseSummary.totals, head: headSummary.totals, newFailures: [], fixed: [],
            stillFailing: [], newlySkipped: [], unskipped: [], flaky: [], onlyInBase: [], onlyInHead: [], slower: [],
            faster: [], moved: [], groups: ComparedGroups(slower: [:], faster: [:]), duplicates: [], matching: [:],
            thresholds: thresholds, baseInputs: base.inputs, headInputs: head.inputs)

        for pair in pairs {
            let item = Self.item(base: pair.base, head: pair.head, rule: pair.rule)
            if let rule = pair.rule { result.matching[rule, default: 0] += 1 }
            let b = pair.base?.outcome
            let h = pair.head?.outcome
            if h?.isFailure == true && b?.isFailure != true { result.newFailures.append(item) }
            if b?.isFailure == true && h == .passed { result.fixed.append(item) }
            if b?.isFailure == true && h?.isFailure == true { result.stillFailing.append(item) }
            if let b, let h, b != .skipped && h == .skipped { result.newlySkipped.append(item) }
            if let b, let h, b == .skipped && h != .skipped { result.unskipped.append(item) }
            if item.baseFile != nil { result.moved.append(item) }
            if pair.head == nil { result.onlyInBase.append(item) }
            if pair.base == nil { result.onlyInHead.append(item) }
            if let bt = item.baseTime, let ht = item.headTime, b != .skipped, h != .skipped {
                if Self.beyond(ht, bt, thresholds) { result.slower.append(item) }
                if Self.beyond(bt, ht, thresholds) { result.faster.append(item) }
            }
        }

        let flakyIdentities = Set(baseSummary.flaky.map { TestIdentity(classname: $0.classname, name: $0.name) })
            .union(headSummary.flaky.map { TestIdentity(classname: $0.classname, name: $0.name) })
        result.flaky = flakyIdentities.map {
            Self.item(base: base.entries[$0], head: head.entries[$0], rule: nil)
        }
        result.duplicates = duplicated.map { identity in
            let b = base.entries[identity]
            let h = head.entries[identity]
            return DuplicateIdentity(
                classname: identity.classname, name: identity.name, baseRecords: b?.records ?? 0,
                headRecords: h?.records ?? 0, baseOutcomes: b?.outcomes ?? [], headOutcomes: h?.outcomes ?? [])
        }.sorted { ($0.classname, $0.name) < ($1.classname, $1.name) }

        let byName: (ComparedTest, ComparedTest) -> Bool = { ($0.classname, $0.name) < ($1.classname, $1.name) }
        for path in [
            \Comparison.newFailures, \.fixed, \.stillFailing, \.newlySkipped, \.unskipped, \.flaky, \.onlyInBase,
            \.onlyInHead, \.moved,
        ] as [WritableKeyPath<Comparison, [ComparedTest]>] {
            result[keyPath: path].sort(by: byName)
        }
        result.slower.sort { ($0.difference ?? 0, $1.classname) > ($1.difference ?? 0, $0.classname) }
        result.faster.sort { ($0.difference ?? 0, $0.classname) < ($1.difference ?? 0, $1.classname) }

        for (label, baseGroups, headGroups) in [
            ("classname", baseSummary.groups.classname, headSummary.groups.classname),
            ("file", baseSummary.groups.file, headSummary.groups.file),
            ("source", baseSummary.groups.source, headSummary.groups.source),
        ] {
            let (slower, faster) = Self.groups(baseGroups, headGroups, thresholds)
            result.groups.slower[label] = slower
            result.groups.faster[label] = faster
        }
        return result
    }

    /// `slow` is at least `ratio` times `fast` and at least `minTime` seconds more.
    static func beyond(_ slow: Double, _ fast: Double, _ t: Comparison.Thresholds) -> Bool {
        slow - fast >= t.minTime && (fast == 0 || slow / fast >= t.ratio)
    }

    private static func item(base: Entry?, head: Entry?, rule: String?) -> ComparedTest {
        let main = head ?? base
        let ratio: Double? =
            if let b = base?.time, let h = head?.time, b > 0 { Statistics.seconds(h / b) } else { nil }
        let difference: Double? =
            if let b = base?.time, let h = head?.time { Statistics.seconds(h - b) } else { nil }
        return ComparedTest(
            classname: main?.classname ?? "", name: main?.name ?? "", file: head?.file ?? base?.file,
            baseFile: base != nil && head != nil && base?.file != head?.file ? base?.file : nil, source: main?.source,
            baseOutcome: base?.outcome, headOutcome: head?.outcome,
            baseTime: base.map { Statistics.seconds($0.time) }, headTime: head.map { Statistics.seconds($0.time) },
            ratio: ratio, difference: difference, matchedBy: rule, message: head?.message ?? base?.message)
    }

    private static func groups(
        _ base: [GroupStats], _ head: [GroupStats], _ t: Comparison.Thresholds
    ) -> (
        [ComparedGroup], [ComparedGroup]
    ) {
        let baseByKey = Dictionary(base.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        let headByKey = Dictionary(head.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        var slower: [ComparedGroup] = []
        var faster: [ComparedGroup] = []
        for key in Set(baseByKey.keys).intersection(headByKey.keys) {
            guard let b = baseByKey[key], let h = headByKey[key] else { continue }
            let group = ComparedGroup(
                key: key, baseTime: b.time, headTime: h.time,
                ratio: b.time > 0 ? Statistics.seconds(h.time / b.time) : nil,
                difference: Statistics.seconds(h.time - b.time), baseTests: b.tests, headTests: h.tests)
            if beyond(h.time, b.time, t) { slower.append(group) }
            if beyond(b.time, h.time, t) { faster.append(group) }
        }
        return (
            slower.sorted { $0.difference > $1.difference }, faster.sorted { $0.difference < $1.difference }
        )
    }
}
