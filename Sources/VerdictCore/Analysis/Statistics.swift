/// Nearest-rank percentiles: the smallest observed value with at least p% of values at or below it.
enum Statistics {
    static func percentile(_ sorted: [Double], _ p: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }

    /// Rounds seconds to microseconds so sums print without float artefacts.
    static func seconds(_ value: Double) -> Double {
        (value * 1_000_000).rounded() / 1_000_000
    }
}
