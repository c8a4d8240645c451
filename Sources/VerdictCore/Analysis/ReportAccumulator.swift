/// Folds test records, one at a time, into everything a report needs. Keeps per record only a
/// time per group (for percentiles) and a few bits per identity (for flakiness); failures and the
/// slowest N are kept in full.
public struct ReportAccumulator: Sendable {
    public let top: Int

    private struct GroupAccumulator: Sendable {
        var counts = [0, 0, 0, 0]  // passed, failed, errored, skipped
        var times: [Double] = []
        var total: Double = 0

        mutating func add(_ record: TestRecord) {
            counts[Self.slot(record.outcome)] += 1
            times.append(record.time)
            total += record.time
        }

        mutating func merge(_ other: GroupAccumulator) {
            for index in counts.indices { counts[index] += other.counts[index] }
            times += other.times
            total += other.total
        }

        static func slot(_ outcome: Outcome) -> Int {
            switch outcome {
            case .passed: 0
            case .failed: 1
            case .errored: 2
            case .skipped: 3
            }
        }

        func stats(key: String?) -> GroupStats {
            let sorted = times.sorted()
            let count = times.count
            return GroupStats(
                key: key, tests: count, passed: counts[0], failed: counts[1], errored: counts[2], skipped: counts[3],
                time: Statistics.seconds(total), mean: count == 0 ? 0 : Statistics.seconds(total / Double(count)),
                p50: Statistics.percentile(sorted, 50), p95: Statistics.percentile(sorted, 95), max: sorted.last ?? 0)
        }
    }

    private struct IdentityState: Sendable {
        var passed: Int32 = 0
        var failed: Int32 = 0
        var marked = false
        var isFlaky: Bool { marked || (passed > 0 && failed > 0) }
    }

    private var totals = GroupAccumulator()
    private var byClassname: [String: GroupAccumulator] = [:]
    private var byFile: [String?: GroupAccumulator] = [:]
    private var bySource: [String: GroupAccumulator] = [:]
    /// Keyed by a 128-bit digest of the identity, not its strings: a million passing tests cost
    /// 16 bytes of key each. Names are kept only for identities that failed or were marked flaky
    /// (a flaky identity is always one of those), so partial accumulators can be merged.
    private var identities: [IdentityDigest: IdentityState] = [:]
    private var names: [IdentityDigest: TestIdentity] = [:]
    private var slowest: [TestItem] = []
    private var failures: [FailureItem] = []
    private var inputs: [InputReport] = []
    private var inputPaths: [Int: String] = [:]
    private var jobs: [JobSummary] = []

    public init(top: Int = 10) {
        self.top = max(top, 0)
    }

    /// Names the input a record index refers to, so failures can say where they came from.
    public mutating func register(inputIndex: Int, path: String) {
        inputPaths[inputIndex] = path
    }

    public mutating func add(_ record: TestRecord) {
        totals.add(record)
        byClassname[record.classname, default: GroupAccumulator()].add(record)
        byFile[record.file, default: GroupAccumulator()].add(record)
        bySource[record.source, default: GroupAccumulator()].add(record)

        let identity = record.identity
        let digest = IdentityDigest(identity)
        var state = identities[digest, default: IdentityState()]
        switch record.outcome {
        case .passed: state.passed += 1
        case .failed, .errored: state.failed += 1
        case .skipped: break
        }
        if record.flakyMarked { state.marked = true }
        identities[digest] = state
        if record.outcome.isFailure || record.flakyMarked, names[digest] == nil { names[digest] = identity }

        if top > 0, slowest.count < top || record.time > (slowest.last?.time ?? 0) {
            let item = TestItem(
                classname: record.classname, name: record.name, file: record.file, source: record.source,
                time: record.time, outcome: record.outcome)
            let index = slowest.firstIndex { $0.time < item.time } ?? slowest.endIndex
            slowest.insert(item, at: index)
            if slowest.count > top { slowest.removeLast() }
        }

        if record.outcome.isFailure {
            failures.append(Self.failureItem(record, input: inputPaths[record.inputIndex] ?? ""))
        }
    }

    /// Adds what another accumulator (of later inputs) collected, as if its records had been added
    /// here one by one after these.
    public mutating func merge(_ other: ReportAccumulator) {
        totals.merge(other.totals)
        for (key, group) in other.byClassname { byClassname[key, default: GroupAccumulator()].merge(group) }
        for (key, group) in other.byFile { byFile[key, default: GroupAccumulator()].merge(group) }
        for (key, group) in other.bySource { bySource[key, default: GroupAccumulator()].merge(group) }
        for (digest, state) in other.identities {
            var merged = identities[digest, default: IdentityState()]
            merged.passed += state.passed
            merged.failed += state.failed
            merged.marked = merged.marked || state.marked
            identities[digest] = merged
        }
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

    public func summary(title: String) -> ReportSummary {
        let flaky = names.compactMap { digest, identity -> FlakyItem? in
            guard let state = identities[digest], state.isFlaky else { return nil }
            return FlakyItem(
                classname: identity.classname, name: identity.name, passed: Int(state.passed),
                failed: Int(state.failed), markedFlaky: state.marked)
        }
        .sorted { ($0.classname, $0.name) < ($1.classname, $1.name) }
        var totalsOut = Totals()
        totalsOut.tests = totals.times.count
        totalsOut.passed = totals.counts[0]
        totalsOut.failed = totals.counts[1]
        totalsOut.errored = totals.counts[2]
        totalsOut.skipped = totals.counts[3]
        totalsOut.flaky = flaky.count
        totalsOut.time = Statistics.seconds(totals.total)
        let incomplete = inputs.contains { $0.incomplete }
        return ReportSummary(
            title: title, headline: Self.headline(totalsOut, incomplete: incomplete), totals: totalsOut,
            incomplete: incomplete, inputs: inputs,
            groups: Groups(
                classname: Self.ordered(byClassname.map { $0.value.stats(key: $0.key) }),
                file: Self.ordered(byFile.map { $0.value.stats(key: $0.key) }),
                source: Self.ordered(bySource.map { $0.value.stats(key: $0.key) })),
            slowest: slowest, failures: failures, failureGroups: FailureGrouping.group(failures), flaky: flaky,
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

/// Two independent 64-bit hashes of an identity's bytes (FNV-1a and a multiply-xorshift mix): a
/// collision between two different tests is about as likely as 2^-128 per pair.
struct IdentityDigest: Hashable, Sendable {
    let first: UInt64
    let second: UInt64

    init(_ identity: TestIdentity) {
        var fnv: UInt64 = 0xcbf2_9ce4_8422_2325
        var mix: UInt64 = 0x9E37_79B9_7F4A_7C15
        func feed(_ byte: UInt8) {
            fnv = (fnv ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
            mix = (mix ^ UInt64(byte)) &* 0xBF58_476D_1CE4_E5B9
            mix ^= mix >> 29
        }
        for byte in identity.classname.utf8 { feed(byte) }
        feed(0xFF)  // never part of UTF-8: separates classname from name
        for byte in identity.name.utf8 { feed(byte) }
        first = fnv
        second = mix
    }
}
