/// The times of one group, for its p50 and p95, in bounded memory.
///
/// Up to `exactLimit` times are kept as they are, and percentiles are exact (nearest rank). Past that
/// the times move into a `LogHistogram`, whose percentiles are within `LogHistogram.relativeError`
/// (0.79 %) of the exact nearest-rank value. Memory per group is then at most a few KB however many
/// tests the group has. The sum (`time`) and `max` are always exact; they are kept beside this.
struct TimeDistribution: Sendable {
    /// 256 times (2 KB) before switching: a histogram over a typical range of test times (1 ms to
    /// 1 s) takes about as much, and small groups (and every golden file) stay exact.
    static let exactLimit = 256

    private var exact: [Double] = []
    private var histogram: LogHistogram?
    private(set) var count = 0
    private(set) var max: Double = 0
    private var min: Double = .infinity

    /// True once the percentiles are approximate.
    var isApproximate: Bool { histogram != nil }

    mutating func add(_ time: Double) {
        count += 1
        if time > max { max = time }
        if time < min { min = time }
        if histogram != nil {
            histogram?.add(time)
        } else if exact.count < Self.exactLimit {
            exact.append(time)
        } else {
            var moved = LogHistogram()
            for value in exact { moved.add(value) }
            moved.add(time)
            exact = []
            histogram = moved
        }
    }

    mutating func merge(_ other: TimeDistribution) {
        guard other.count > 0 else { return }
        count += other.count
        max = Swift.max(max, other.max)
        min = Swift.min(min, other.min)
        if histogram == nil, other.histogram == nil, exact.count + other.exact.count <= Self.exactLimit {
            exact += other.exact
            return
        }
        var merged = histogram ?? LogHistogram()
        for value in exact { merged.add(value) }
        if let theirs = other.histogram { merged.merge(theirs) }
        for value in other.exact { merged.add(value) }
        exact = []
        histogram = merged
    }

    /// Nearest rank: exact while small, else the histogram's estimate, clamped to the observed range
    /// and rounded to microseconds.
    func percentile(_ p: Double) -> Double {
        guard count > 0 else { return 0 }
        if let histogram {
            return Statistics.seconds(Swift.min(Swift.max(histogram.percentile(p, count: count), min), max))
        }
        return Statistics.percentile(exact.sorted(), p)
    }
}

/// Counts of times in logarithmic buckets: 64 buckets per power of two (each octave [2^e, 2^(e+1))
/// cut into 64 equal slices, read straight from the bits of the Double), so a bucket's width is at
/// most 1/64 of its lower bound. The midpoint of the bucket holding the nearest-rank value is
/// within 1/128 (0.79 %) of it. Only the range of buckets actually seen is stored (4 bytes each).
///
/// Range: 2^-20 s (about 1 µs) to 2^40 s. Smaller times (and 0) count in a bucket of their own whose
/// estimate is the smallest time seen (absolute error under 1 µs, below the microsecond rounding
/// of the output); larger times land in the top bucket (clamped to the largest time seen).
struct LogHistogram: Sendable, Equatable {
    static let subBuckets = 64
    static let minExponent = -20
    static let maxExponent = 40
    static let bucketCount = (maxExponent - minExponent) * subBuckets
    /// The bound on |estimate - exact| / exact for times inside the range.
    static let relativeError = 1.0 / 128

    /// Times below 2^-20 s, including 0.
    private(set) var tiny: UInt32 = 0
    private var counts: [UInt32] = []
    /// Bucket index of `counts[0]`.
    private var base = 0

    static func index(_ time: Double) -> Int? {
        guard time >= 0x1p-20 else { return nil }
        let bits = time.bitPattern
        let exponent = Int((bits >> 52) & 0x7FF) - 1023
        let slice = Int((bits >> 46) & 63)
        let index = (exponent - minExponent) * subBuckets + slice
        return Swift.min(index, bucketCount - 1)
    }

    /// The midpoint of bucket `index`.
    static func representative(_ index: Int) -> Double {
        let exponent = index / subBuckets + minExponent
        let slice = Double(index % subBuckets)
        let scale = Double(sign: .plus, exponent: exponent, significand: 1)
        return scale * (1 + (slice + 0.5) / Double(subBuckets))
    }

    mutating func add(_ time: Double, times: UInt32 = 1) {
        guard let index = Self.index(time) else {
            tiny += times
            return
        }
        increment(index, by: times)
    }

    private mutating func increment(_ index: Int, by amount: UInt32) {
        if counts.isEmpty {
            base = index
            counts = [amount]
            return
        }
        if index < base {
            counts.insert(contentsOf: repeatElement(0, count: base - index), at: 0)
            base = index
        } else if index >= base + counts.count {
            counts.append(contentsOf: repeatElement(0, count: index - base - counts.count + 1))
        }
        counts[index - base] += amount
    }

    mutating func merge(_ other: LogHistogram) {
        tiny += other.tiny
        for (offset, amount) in other.counts.enumerated() where amount > 0 {
            increment(other.base + offset, by: amount)
        }
    }

    /// The estimate of the nearest-rank p-th percentile of `count` values; nil-free: the tiny bucket
    /// answers 0 (the caller clamps to the smallest value seen).
    func percentile(_ p: Double, count: Int) -> Double {
        let rank = Swift.min(Swift.max(Int((p / 100 * Double(count)).rounded(.up)), 1), count)
        var seen = Int(tiny)
        if seen >= rank { return 0 }
        for (offset, amount) in counts.enumerated() {
            seen += Int(amount)
            if seen >= rank { return Self.representative(base + offset) }
        }
        return counts.isEmpty ? 0 : Self.representative(base + counts.count - 1)
    }
}
