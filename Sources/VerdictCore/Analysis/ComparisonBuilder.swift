/// Collects two runs' records, then pairs and compares them.
public struct ComparisonBuilder: Sendable {
    /// One run: a report accumulator (totals, groups, flakiness) plus one entry per identity, in the
    /// order first seen, found through a 64-bit digest of the identity (checked against the entry;
    /// the rare digest shared by two identities falls back to a dictionary of identities).
    public struct Side: Sendable {
        fileprivate var accumulator = ReportAccumulator(top: 0, keepsFailures: false)
        var entries: [Entry] = []
        private var index = DigestMap()
        private var collided: [TestIdentity: Int] = [:]
        fileprivate var inputs: [InputReport] = []

        public init() {}

        public mutating func add(_ record: TestRecord) {
            let identity = record.identity
            let digest = IdentityHash.digest(identity)
            accumulator.add(record, identityDigest: digest)
            if let at = find(identity, digest: digest) {
                entries[at].merge(record)
                return
            }
            let at = entries.count
            entries.append(Entry(record, identity: identity, digest: digest))
            if index.insert(digest, first: Int32(truncatingIfNeeded: at)) != nil { collided[identity] = at }
        }

        public mutating func add(input: InputReport) {
            inputs.append(input)
            accumulator.add(input: input)
        }

        fileprivate func find(_ identity: TestIdentity, digest: UInt64) -> Int? {
            guard let at = index.find(digest).map({ Int($0.first) }) else { return nil }
            return entries[at].identity == identity ? at : collided[identity]
        }

        fileprivate func find(_ identity: TestIdentity) -> Int? {
            find(identity, digest: IdentityHash.digest(identity))
        }
    }

    struct Entry: Sendable {
        var identity: TestIdentity
        var digest: UInt64
        /// The identity's classname came from the file (the record's classname was empty).
        var classnameFromFile: Bool
        var file: String?
        var source: String
        var records: Int32 = 1
        /// Up to 16 outcomes, 2 bits each, first in the low bits (no array per test).
        var packedOutcomes: UInt32
        var storedOutcomes: UInt8 = 1
        var time: Double
        var message: String?

        init(_ record: TestRecord, identity: TestIdentity, digest: UInt64) {
            self.identity = identity
            self.digest = digest
            classnameFromFile = record.classname.trimmingWhitespace().isEmpty
            file = record.file
            source = record.source
            packedOutcomes = Self.code(record.outcome)
            time = record.time
            message = Entry.message(record)
        }

        /// The trimmed classname of the record ("" when the identity took the file instead).
        var classname: String { classnameFromFile ? "" : identity.classname }
        var name: String { identity.name }

        mutating func merge(_ record: TestRecord) {
            records += 1
            if storedOutcomes < 16 {
                packedOutcomes |= Self.code(record.outcome) << (2 * UInt32(storedOutcomes))
                storedOutcomes += 1
            }
            time += record.time
            if message == nil { message = Entry.message(record) }
        }

        var outcomes: [Outcome] { (0..<Int(storedOutcomes)).map(outcome(at:)) }

        /// The last outcome kept (of at most 16).
        var outcome: Outcome { outcome(at: Int(storedOutcomes) - 1) }

        private func outcome(at position: Int) -> Outcome {
            switch (packedOutcomes >> (2 * UInt32(position))) & 3 {
            case 0: .passed
            case 1: .failed
            case 2: .errored
            default: .skipped
            }
        }

        private static func code(_ outcome: Outcome) -> UInt32 {
            switch outcome {
            case .passed: 0
            case .failed: 1
            case .errored: 2
            case .skipped: 3
            }
        }

        static func message(_ record: TestRecord) -> String? {
            guard record.outcome.isFailure, let detail = record.primaryDetail else { return nil }
            return (detail.message ?? detail.text)?.capped(TextCap.display)
        }
    }

    /// Entries of both sides that belong together (either may be absent), by entry index.
    struct Pair {
        var base: Int?
        var head: Int?
        var rule: String?
    }

    private struct SortKey {
        var rank: Int32
        var name: String
        var at: Int
    }

    public var base = Side()
    public var head = Side()

    public init() {}

    public func compare(title: String, thresholds: Comparison.Thresholds) -> Comparison {
        // Independent steps run two at a time (each side's summary; each side's pass over the
        // other's identities; the two largest lists): the result is the same as one after the other.
        let (baseSummary, headSummary) = Concurrently.both(
            { [base] in base.accumulator.summary(title: title) }, { head.accumulator.summary(title: title) })

        // Identities seen more than once on a side are reported, not paired.
        let ((headDuplicated, headOnly), (basePairs, baseOnly, baseDuplicated)) = Concurrently.both(
            { [base, head] in
                var duplicated: [TestIdentity] = []
                var unpaired: [Int] = []
                for (at, entry) in head.entries.enumerated()
                where base.find(entry.identity, digest: entry.digest) == nil {
                    if entry.records > 1 { duplicated.append(entry.identity) } else { unpaired.append(at) }
                }
                return (duplicated, unpaired)
            },
            {
                var pairs: [Pair] = []
                var unpaired: [Int] = []
                var duplicated: [TestIdentity] = []
                for (at, entry) in base.entries.enumerated() {
                    let other = head.find(entry.identity, digest: entry.digest)
                    if entry.records > 1 || other.map({ head.entries[$0].records > 1 }) == true {
                        duplicated.append(entry.identity)
                    } else if let other {
                        pairs.append(Pair(base: at, head: other, rule: "identity"))
                    } else {
                        unpaired.append(at)
                    }
                }
                return (pairs, unpaired, duplicated)
            })
        var pairs = basePairs
        var unpairedBase = baseOnly
        var unpairedHead = headOnly
        let duplicated = baseDuplicated + headDuplicated
        // Then (file, name), then a name unique on both sides: CircleCI and JUnit may disagree on the classname.
        pairs += Self.pairLeftovers(&unpairedBase, &unpairedHead, base, head, rule: "file+name") { side, at in
            side.entries[at].file.map { ($0, side.entries[at].identity.name) }
        }
        pairs += Self.pairLeftovers(&unpairedBase, &unpairedHead, base, head, rule: "name") { side, at in
            ("", side.entries[at].identity.name)
        }
        pairs += unpairedBase.map { Pair(base: $0, head: nil, rule: nil) }
        pairs += unpairedHead.map { Pair(base: nil, head: $0, rule: nil) }

        var result = Comparison(
            title: title, base: baseSummary.totals, head: headSummary.totals, newFailures: [], fixed: [],
            stillFailing: [], newlySkipped: [], unskipped: [], flaky: [], onlyInBase: [], onlyInHead: [], slower: [],
            faster: [], moved: [], groups: ComparedGroups(slower: [:], faster: [:]), duplicates: [], matching: [:],
            thresholds: thresholds, baseInputs: base.inputs, headInputs: head.inputs)

        // Lists of pair indexes first; items are made once each list is in order.
        let paths: [WritableKeyPath<Comparison, [ComparedTest]>] = [
            \.newFailures, \.fixed, \.stillFailing, \.newlySkipped, \.unskipped, \.moved, \.onlyInBase, \.onlyInHead,
        ]
        var lists = [[Int]](repeating: [], count: paths.count)
        var slower: [Int] = []
        var faster: [Int] = []
        var matched: [String: Int] = [:]
        var lastRule: (rule: String, count: Int)?
        for (at, pair) in pairs.enumerated() {
            if let rule = pair.rule {
                if let last = lastRule, last.rule == rule {
                    lastRule = (rule, last.count + 1)
                } else {
                    if let last = lastRule { matched[last.rule, default: 0] += last.count }
                    lastRule = (rule, 1)
                }
            }
            // Read in place (no copy of the entries' strings per pair).
            let bo = pair.base.map { base.entries[$0].outcome }
            let ho = pair.head.map { head.entries[$0].outcome }
            if ho?.isFailure == true && bo?.isFailure != true { lists[0].append(at) }
            if bo?.isFailure == true && ho == .passed { lists[1].append(at) }
            if bo?.isFailure == true && ho?.isFailure == true { lists[2].append(at) }
            if let bo, let ho, bo != .skipped && ho == .skipped { lists[3].append(at) }
            if let bo, let ho, bo == .skipped && ho != .skipped { lists[4].append(at) }
            guard let b = pair.base, let h = pair.head else {
                lists[pair.head == nil ? 6 : 7].append(at)
                continue
            }
            if base.entries[b].file != nil, base.entries[b].file != head.entries[h].file { lists[5].append(at) }
            if bo != .skipped, ho != .skipped {
                let bt = Statistics.seconds(base.entries[b].time)
                let ht = Statistics.seconds(head.entries[h].time)
                if Self.beyond(ht, bt, thresholds) { slower.append(at) }
                if Self.beyond(bt, ht, thresholds) { faster.append(at) }
            }
        }
        if let last = lastRule { matched[last.rule, default: 0] += last.count }
        result.matching = matched
        /// The classname and name of a pair as listed (HEAD's entry when there is one).
        func names(_ pair: Pair) -> (String, String) {
            if let at = pair.head { return (head.entries[at].classname, head.entries[at].identity.name) }
            if let at = pair.base { return (base.entries[at].classname, base.entries[at].identity.name) }
            return ("", "")
        }
        let item: @Sendable (Int) -> ComparedTest = { [pairs, base, head] at in
            let pair = pairs[at]
            return Self.item(
                base: pair.base.map { base.entries[$0] }, head: pair.head.map { head.entries[$0] }, rule: pair.rule)
        }
        // By (classname, name): classnames ranked (few distinct; entries come in input order, so a run
        // of one classname is hashed once), then an integer and the name compared per step.
        var ranks: [String: Int32] = [:]
        var keyedLists: [(WritableKeyPath<Comparison, [ComparedTest]>, [SortKey])] = []
        for (path, indexes) in zip(paths, lists) where !indexes.isEmpty {
            var last: (classname: String, rank: Int32)?
            let keyed = indexes.map { at in
                let (classname, name) = names(pairs[at])
                if let last, last.classname == classname { return SortKey(rank: last.rank, name: name, at: at) }
                let rank = ranks[classname] ?? Int32(ranks.count)
                ranks[classname] = rank
                last = (classname, rank)
                return SortKey(rank: rank, name: name, at: at)
            }
            keyedLists.append((path, keyed))
        }
        // First-seen ranks renumbered in classname order.
        var order = [Int32](repeating: 0, count: ranks.count)
        for (position, entry) in ranks.sorted(by: { $0.key < $1.key }).enumerated() {
            order[Int(entry.value)] = Int32(position)
        }
        for index in keyedLists.indices {
            for at in keyedLists[index].1.indices {
                keyedLists[index].1[at].rank = order[Int(keyedLists[index].1[at].rank)]
            }
        }
        let items: @Sendable ([SortKey]) -> [ComparedTest] = { keyed in
            keyed.sorted { a, b in a.rank != b.rank ? a.rank < b.rank : a.name < b.name }.map { item($0.at) }
        }
        // The largest list on a second thread, the others here.
        let largest = keyedLists.indices.max { keyedLists[$0].1.count < keyedLists[$1].1.count }
        let largestKeys = largest.map { keyedLists[$0].1 } ?? []
        let (largestItems, otherItems) = Concurrently.both(
            { items(largestKeys) },
            { keyedLists.indices.filter { $0 != largest }.map { ($0, items(keyedLists[$0].1)) } })
        if let largest { result[keyPath: keyedLists[largest].0] = largestItems }
        for (index, list) in otherItems { result[keyPath: keyedLists[index].0] = list }
        result.slower = slower.map(item).sorted {
            ($0.difference ?? 0, $1.classname) > ($1.difference ?? 0, $0.classname)
        }
        result.faster = faster.map(item).sorted {
            ($0.difference ?? 0, $0.classname) < ($1.difference ?? 0, $1.classname)
        }

        let flakyIdentities = Set(baseSummary.flaky.map { TestIdentity(classname: $0.classname, name: $0.name) })
            .union(headSummary.flaky.map { TestIdentity(classname: $0.classname, name: $0.name) })
        result.flaky = flakyIdentities.map {
            Self.item(
                base: base.find($0).map { base.entries[$0] }, head: head.find($0).map { head.entries[$0] }, rule: nil)
        }.sorted { ($0.classname, $0.name) < ($1.classname, $1.name) }
        result.duplicates = Set(duplicated).map { identity in
            let b = base.find(identity).map { base.entries[$0] }
            let h = head.find(identity).map { head.entries[$0] }
            return DuplicateIdentity(
                classname: identity.classname, name: identity.name, baseRecords: Int(b?.records ?? 0),
                headRecords: Int(h?.records ?? 0), baseOutcomes: b?.outcomes ?? [], headOutcomes: h?.outcomes ?? [])
        }.sorted { ($0.classname, $0.name) < ($1.classname, $1.name) }

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
