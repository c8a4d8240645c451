/// Folds test records, one at a time, into everything a report needs. Keeps per record only a
/// time per group (for percentiles) and a few bits per identity (for flakiness); failures and the
/// slowest N are kept in full.
public struct ReportAccumulator: Sendable {
    public let top: Int

    private struct GroupAccumulator: Sendable {
        var counts: (passed: Int, failed: Int, errored: Int, skipped: Int) = (0, 0, 0, 0)
        var times = TimeDistribution()
        var total: Double = 0

        mutating func add(_ outcome: Outcome, time: Double) {
            switch outcome {
            case .passed: counts.passed += 1
            case .failed: counts.failed += 1
            case .errored: counts.errored += 1
            case .skipped: counts.skipped += 1
            }
            times.add(time)
            total += time
        }

        mutating func merge(_ other: GroupAccumulator) {
            counts.passed += other.counts.passed
            counts.failed += other.counts.failed
            counts.errored += other.counts.errored
            counts.skipped += other.counts.skipped
            times.merge(other.times)
            total += other.total
        }

        func stats(key: String?) -> GroupStats {
            let count = times.count
            return GroupStats(
                key: key, tests: count, passed: counts.passed, failed: counts.failed, errored: counts.errored,
                skipped: counts.skipped, time: Statistics.seconds(total),
                mean: count == 0 ? 0 : Statistics.seconds(total / Double(count)),
                p50: times.percentile(50), p95: times.percentile(95),
                max: times.max)
        }
    }

    /// Groups by one key: each distinct key hashed once into an index, and the previous record's key
    /// remembered (records of one suite share their classname, file and source: no hashing at all).
    private struct Grouping<Key: Hashable & Sendable>: Sendable {
        var index: [Key: Int] = [:]
        var keys: [Key] = []
        var groups: [GroupAccumulator] = []
        var last: (key: Key, slot: Int)?

        mutating func slot(_ key: Key) -> Int {
            if let last, last.key == key { return last.slot }
            let slot: Int
            if let known = index[key] {
                slot = known
            } else {
                slot = groups.count
                index[key] = slot
                keys.append(key)
                groups.append(GroupAccumulator())
            }
            last = (key, slot)
            return slot
        }

        mutating func add(_ key: Key, _ outcome: Outcome, time: Double) {
            groups[slot(key)].add(outcome, time: time)
        }

        mutating func merge(_ other: Grouping<Key>) {
            for (offset, key) in other.keys.enumerated() { groups[slot(key)].merge(other.groups[offset]) }
        }

        func stats(_ makeKey: (Key) -> String?) -> [GroupStats] {
            zip(keys, groups).map { $0.1.stats(key: makeKey($0.0)) }
        }
    }

    private var totals = GroupAccumulator()
    private var byClassname = Grouping<String>()
    private var byFile = Grouping<String?>()
    private var bySource = Grouping<String>()
    /// Keyed by a 64-bit digest of the identity, not its strings (see `IdentityTable`). Names are kept
    /// only for identities that failed or were marked flaky (a flaky identity is always one of those),
    /// so partial accumulators can be merged.
    private var identities = IdentityTable()
    private var names: [UInt64: TestIdentity] = [:]
    private var slowest: [TestItem] = []
    private var failures: [FailureItem] = []
    private var inputs: [InputReport] = []
    private var inputPaths: [Int: String] = [:]
    private var jobs: [JobSummary] = []

    /// Failures kept in full (off for `compare`, which keeps its own per-identity messages).
    let keepsFailures: Bool

    public init(top: Int = 10) {
        self.init(top: top, keepsFailures: true)
    }

    init(top: Int, keepsFailures: Bool) {
        self.top = max(top, 0)
        self.keepsFailures = keepsFailures
    }

    /// Names the input a record index refers to, so failures can say where they came from.
    public mutating func register(inputIndex: Int, path: String) {
        inputPaths[inputIndex] = path
    }

    public mutating func add(_ record: TestRecord) { add(record, identityDigest: nil) }

    /// `identityDigest`, when given, is `IdentityHash.digest(record.identity)` already computed.
    mutating func add(_ record: TestRecord, identityDigest: UInt64?) {
        let outcome = record.outcome
        let time = record.time
        totals.add(outcome, time: time)
        byClassname.add(record.classname, outcome, time: time)
        byFile.add(record.file, outcome, time: time)
        bySource.add(record.source, outcome, time: time)

        if outcome != .skipped || record.flakyMarked {
            let digest =
                identityDigest ?? IdentityHash.digest(classname: record.classname, name: record.name, file: record.file)
            identities.add(digest, outcome: outcome, marked: record.flakyMarked)
            if outcome.isFailure || record.flakyMarked, names[digest] == nil { names[digest] = record.identity }
        }

        if top > 0, slowest.count < top || record.time > (slowest.last?.time ?? 0) {
            let item = TestItem(
                classname: record.classname, name: record.name, file: record.file, source: record.source,
                time: record.time, outcome: record.outcome)
            let index = slowest.firstIndex { $0.time < item.time } ?? slowest.endIndex
            slowest.insert(item, at: index)
            if slowest.count > top { slowest.removeLast() }
        }

        if keepsFailures, record.outcome.isFailure {
            failures.append(Self.failureItem(record, input: inputPaths[record.inputIndex] ?? ""))
        }
    }

    /// Adds what another accumulator (of later inputs) collected, as if its records had been added
    /// here one by one after these.
    public mutating func merge(_ other: ReportAccumulator) {
        totals.merge(other.totals)
        byClassname.merge(other.byClassname)
        byFile.merge(other.byFile)
        bySource.merge(other.bySource)
        identities.merge(other.identities)
        names.merge(other.names) { mine, _ in mine }
        if top > 0 {
            // Stable: on equal times the earlier input stays first, as when added one by one.
            slowest = Array(
                (slowest + other.slowest).enumerated().sorted { a, b in
                    a.element.time != b.element.time ? a.element.time > b.element.time : a.offset < b.offset
                }.map(\.element).prefix(top))
        }
        failures += other.failures
        inputs += other.inputs
        inputPaths.merge(other.inputPaths) { mine, _ in mine }
        jobs += other.jobs
    }

    public mutating func add(input: InputReport) {
        inputs.append(input)
    }

    public mutating func add(job: JobSummary) {
        jobs.append(job)
    }

    private static func failureItem(_ record: TestRecord, input: String) -> FailureItem {
        let primary = record.primaryDetail
        // Texts of the other result elements (a second failure, an error beside a failure) are kept too.
        let others = record.details.filter { $0 != primary && ($0.kind == .failure || $0.kind == .error) }
        var text = primary?.text
        for other in others {
            let part = [other.message, other.text].compactMap { $0 }.joined(separator: "\n")
            guard !part.isEmpty else { continue }
            text = [text, "[\(other.kind.rawValue)] \(part)"].compactMap { $0 }.joined(separator: "\n\n")
        }
        return FailureItem(
            classname: record.classname, name: record.name, file: record.file, line: record.line,
            source: record.source, time: record.time, outcome: record.outcome,
            message: primary?.message?.capped(TextCap.display), type: primary?.type,
            text: text?.capped(TextCap.display), systemOut: record.systemOut?.capped(TextCap.display),
            systemErr: record.systemErr?.capped(TextCap.display), input: input)
    }

    /// The report. With `parallel`, two independent parts are built at once on two threads (the
    /// result is the same).
    public func summary(title: String, parallel: Bool = true) -> ReportSummary {
        let flaky = names.compactMap { digest, identity -> FlakyItem? in
            guard let state = identities.state(digest), state.isFlaky else { return nil }
            return FlakyItem(
                classname: identity.classname, name: identity.name, passed: Int(state.passed),
                failed: Int(state.failed), markedFlaky: state.marked)
        }
        .sorted { ($0.classname, $0.name) < ($1.classname, $1.name) }
        var totalsOut = Totals()
        totalsOut.tests = totals.times.count
        totalsOut.passed = totals.counts.passed
        totalsOut.failed = totals.counts.failed
        totalsOut.errored = totals.counts.errored
        totalsOut.skipped = totals.counts.skipped
        totalsOut.flaky = flaky.count
        totalsOut.time = Statistics.seconds(totals.total)
        let incomplete = inputs.contains { $0.incomplete }
        // Grouping the failures and ordering the groups' times are independent: both at once.
        let failures = self.failures
        let (failureGroups, groups) = Concurrently.both(
            parallel: parallel,
            { FailureGrouping.group(failures) },
            {
                Groups(
                    classname: Self.ordered(byClassname.stats { $0 }),
                    file: Self.ordered(byFile.stats { $0 }),
                    source: Self.ordered(bySource.stats { $0 }))
            })
        return ReportSummary(
            title: title, headline: Self.headline(totalsOut, incomplete: incomplete), totals: totalsOut,
            incomplete: incomplete, inputs: inputs, groups: groups,
            slowest: slowest, failures: failures, failureGroups: failureGroups, flaky: flaky,
            jobs: jobs, history: nil)
    }

    /// "Failed: 97 tests, 11 failed, 3 errored, 72 passed, 11 skipped, 2 flaky in 1 min 12 s".
    static func headline(_ t: Totals, incomplete: Bool) -> String {
        var parts: [String] = []
        if t.failed + t.errored > 0 {
            var failing = "\(t.failed) failed"
            if t.errored > 0 { failing += ", \(t.errored) errored" }
            parts.append(failing)
        }
        parts.append("\(t.passed) passed")
        if t.skipped > 0 { parts.append("\(t.skipped) skipped") }
        if t.flaky > 0 { parts.append("\(t.flaky) flaky") }
        let mark = t.failed + t.errored > 0 ? "Failed" : "Passed"
        var line = "\(mark): \(t.tests) tests, " + parts.joined(separator: ", ") + " in \(Format.duration(t.time))"
        if incomplete { line += " (incomplete input)" }
        return line
    }

    /// Most time first; ties by key, null last.
    private static func ordered(_ groups: [GroupStats]) -> [GroupStats] {
        groups.sorted { a, b in
            if a.time != b.time { return a.time > b.time }
            switch (a.key, b.key) {
            case (let x?, let y?): return x < y
            case (nil, _?): return false
            case (_?, nil): return true
            case (nil, nil): return false
            }
        }
    }
}
