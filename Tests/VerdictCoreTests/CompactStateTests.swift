import Foundation
import Testing

@testable import VerdictCore

/// The compact structures behind the accumulator: the time histogram and the identity table.
@Suite("Compact aggregation state")
struct CompactStateTests {
    /// A small deterministic generator (no Foundation randomness: the same values every run).
    struct SplitMix {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
    }

    func exactPercentile(_ values: [Double], _ p: Double) -> Double {
        Statistics.percentile(values.sorted(), p)
    }

    @Test("up to the exact limit, percentiles are exact")
    func exactWhileSmall() {
        var distribution = TimeDistribution()
        var values: [Double] = []
        var random = SplitMix(state: 1)
        for _ in 0..<TimeDistribution.exactLimit {
            let value = (random.unit() * 1000).rounded() / 1000
            values.append(value)
            distribution.add(value)
        }
        #expect(!distribution.isApproximate)
        #expect(distribution.percentile(50) == exactPercentile(values, 50))
        #expect(distribution.percentile(95) == exactPercentile(values, 95))
        #expect(distribution.max == values.max())
    }

    @Test("past the limit, p50 and p95 are within the stated relative error of the exact values")
    func histogramErrorBound() {
        let shapes: [(String, (inout SplitMix) -> Double)] = [
            ("exponential", { r in (-0.05 * log(1 - r.unit()) * 1000).rounded() / 1000 }),
            ("uniform", { r in r.unit() * 30 }),
            ("log-uniform", { r in pow(10, r.unit() * 9 - 5) }),
            ("with zeros", { r in r.unit() < 0.3 ? 0 : r.unit() * 2 }),
        ]
        for (label, draw) in shapes {
            for count in [257, 1000, 20_000] {
                var random = SplitMix(state: UInt64(count))
                var distribution = TimeDistribution()
                var values: [Double] = []
                for _ in 0..<count {
                    let value = draw(&random)
                    values.append(value)
                    distribution.add(value)
                }
                #expect(distribution.isApproximate)
                for p in [50.0, 95.0, 99.0, 1.0, 100.0] {
                    let exact = exactPercentile(values, p)
                    let estimate = distribution.percentile(p)
                    let bound = exact * LogHistogram.relativeError + 1e-6  // plus the microsecond rounding
                    #expect(abs(estimate - exact) <= bound, "\(label) n=\(count) p\(p): \(estimate) vs \(exact)")
                }
                #expect(distribution.max == values.max())
            }
        }
    }

    @Test("merging distributions equals adding every value to one")
    func mergeMatchesSequential() {
        var random = SplitMix(state: 7)
        var parts: [TimeDistribution] = []
        var whole = TimeDistribution()
        for size in [10, 200, 100, 3000, 0, 1] {
            var part = TimeDistribution()
            for _ in 0..<size {
                let value = random.unit() * 5
                part.add(value)
                whole.add(value)
            }
            parts.append(part)
        }
        var merged = TimeDistribution()
        for part in parts { merged.merge(part) }
        #expect(merged.count == whole.count)
        #expect(merged.max == whole.max)
        #expect(merged.percentile(50) == whole.percentile(50))
        #expect(merged.percentile(95) == whole.percentile(95))
    }

    @Test("histogram buckets: the midpoint is within 1/128 of every value in the bucket")
    func bucketBounds() {
        var random = SplitMix(state: 3)
        for _ in 0..<10_000 {
            let value = pow(2, random.unit() * 58 - 19)
            let index = LogHistogram.index(value) ?? -1
            let midpoint = LogHistogram.representative(index)
            #expect(abs(midpoint - value) / value <= LogHistogram.relativeError)
        }
        #expect(LogHistogram.index(0) == nil)
        #expect(LogHistogram.index(1e-9) == nil)
    }

    @Test("the identity table gives the same passed/failed/marked counts as a dictionary of every identity")
    func identityTableMatchesDictionary() {
        var random = SplitMix(state: 11)
        var table = IdentityTable()
        var parts = [IdentityTable(), IdentityTable(), IdentityTable()]
        var reference: [UInt64: IdentityTable.State] = [:]
        for step in 0..<50_000 {
            // Few identities repeat, as in real runs; digests are random 64-bit values.
            let digest = random.next() % 3 == 0 ? UInt64(step % 97) &* 0x1234_5678_9ABC_DEF1 : random.next()
            let roll = random.next() % 20
            let outcome: Outcome = roll < 15 ? .passed : roll < 17 ? .failed : roll < 18 ? .errored : .skipped
            let marked = random.next() % 50 == 0
            table.add(digest, outcome: outcome, marked: marked)
            parts[step % 3].add(digest, outcome: outcome, marked: marked)
            guard outcome != .skipped || marked else { continue }
            var state = reference[digest] ?? IdentityTable.State()
            if outcome == .passed { state.passed += 1 }
            if outcome.isFailure { state.failed += 1 }
            state.marked = state.marked || marked
            reference[digest] = state
        }
        var merged = IdentityTable()
        for part in parts { merged.merge(part) }
        #expect(table.count == reference.count)
        #expect(merged.count == reference.count)
        var mismatches = 0
        for (digest, state) in reference where table.state(digest) != state || merged.state(digest) != state {
            mismatches += 1
        }
        #expect(mismatches == 0)
        #expect(table.state(0xDEAD_BEEF) == nil)
        // Only identities with more than one pass, a failure or a mark keep a dictionary entry.
        let plain = reference.values.filter { $0 == IdentityTable.State(passed: 1) }.count
        #expect(table.states.count == reference.count - plain)
    }

    @Test("identity digests follow the identity rules: trimmed, the file for an empty classname")
    func identityDigest() {
        let plain = IdentityHash.digest(classname: "a.B", name: "test one", file: "x.rb")
        #expect(IdentityHash.digest(classname: "  a.B\n", name: "\ttest one ", file: nil) == plain)
        #expect(IdentityHash.digest(TestIdentity(classname: "a.B", name: "test one")) == plain)
        #expect(
            IdentityHash.digest(classname: " ", name: "t", file: "spec/x_spec.rb")
                == IdentityHash.digest(TestIdentity(classname: "spec/x_spec.rb", name: "t")))
        #expect(
            IdentityHash.digest(classname: "", name: "t", file: nil)
                == IdentityHash.digest(TestIdentity(classname: "", name: "t")))
        // The boundary between classname and name matters.
        #expect(
            IdentityHash.digest(classname: "ab", name: "c", file: nil)
                != IdentityHash.digest(classname: "a", name: "bc", file: nil))
        // The record's fields and its identity give one digest (compare hands the second to the accumulator).
        let parts = ["", " ", "\t", "\n", "\r", "a", "é", "\u{A0}", "\u{2003}", "x y", "\u{FEFF}", "日"]
        var differing: [String] = []
        for a in parts {
            for b in parts {
                for c in parts {
                    let record = TestRecord(classname: a + b, name: b + c, file: c.isEmpty ? nil : c + a)
                    if IdentityHash.digest(classname: record.classname, name: record.name, file: record.file)
                        != IdentityHash.digest(record.identity)
                    {
                        differing.append((a + b + c).debugDescription)
                    }
                }
            }
        }
        #expect(differing.isEmpty)
        var seen = Set<UInt64>()
        for index in 0..<100_000 {
            seen.insert(
                IdentityHash.digest(classname: "com.example.Suite\(index % 500)", name: "test_\(index)", file: nil))
        }
        #expect(seen.count == 100_000)
    }
}
