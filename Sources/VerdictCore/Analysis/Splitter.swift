/// Splits items into containers with summed times as even as possible: longest first into the
/// least-loaded container, then moves and swaps that lower the largest container. Deterministic:
/// the same items and times always give the same split.
public enum Splitter {
    public struct Plan: Sendable, Hashable {
        /// For each container, the indexes of its items in the order they were given.
        public var containers: [[Int]]
        public var loads: [Double]
        /// Items that had no timing and got `defaultTime`.
        public var untimed: Int
        public var defaultTime: Double
    }

    /// `times[i]` is item i's time, or nil when unknown (it then gets `defaultTime`, else the mean of
    /// the known times, else 1).
    public static func split(names: [String], times: [Double?], total: Int, defaultTime: Double? = nil) -> Plan {
        let count = max(total, 1)
        let known = times.compactMap { $0 }
        let fallback = defaultTime ?? (known.isEmpty ? 1 : known.reduce(0, +) / Double(known.count))
        let weights = times.map { $0 ?? fallback }
        // Longest first; ties by name, then position, so the result never depends on hashing.
        let order = names.indices.sorted { a, b in
            if weights[a] != weights[b] { return weights[a] > weights[b] }
            if names[a] != names[b] { return names[a] < names[b] }
            return a < b
        }
        var containers = Array(repeating: [Int](), count: count)
        var loads = Array(repeating: 0.0, count: count)
        for item in order {
            var target = 0
            for index in 1..<count where loads[index] < loads[target] { target = index }
            containers[target].append(item)
            loads[target] += weights[item]
        }
        improve(&containers, &loads, weights)
        return Plan(
            containers: containers.map { $0.sorted() }, loads: loads.map { ($0 * 1_000_000).rounded() / 1_000_000 },
            untimed: times.filter { $0 == nil }.count, defaultTime: fallback)
    }

    /// Moves or swaps single items out of the fullest container while that lowers it.
    private static func improve(_ containers: inout [[Int]], _ loads: inout [Double], _ weights: [Double]) {
        guard containers.count > 1 else { return }
        for _ in 0..<1000 {
            guard let fullest = loads.indices.max(by: { (loads[$0], -$0) < (loads[$1], -$1) }) else { return }
            var best: (gain: Double, from: Int, to: Int, other: Int?)?
            for (position, item) in containers[fullest].enumerated() {
                for target in loads.indices where target != fullest {
                    // Move item to target.
                    let newMax = max(loads[fullest] - weights[item], loads[target] + weights[item])
                    let gain = loads[fullest] - newMax
                    if gain > 1e-9, gain > (best?.gain ?? 0) { best = (gain, position, target, nil) }
                    // Swap with a smaller item of target.
                    for (otherPosition, other) in containers[target].enumerated() where weights[other] < weights[item] {
                        let delta = weights[item] - weights[other]
                        let swapMax = max(loads[fullest] - delta, loads[target] + delta)
                        let swapGain = loads[fullest] - swapMax
                        if swapGain > 1e-9, swapGain > (best?.gain ?? 0) {
                            best = (swapGain, position, target, otherPosition)
                        }
                    }
                }
            }
            guard let move = best else { return }
            let item = containers[fullest].remove(at: move.from)
            loads[fullest] -= weights[item]
            if let otherPosition = move.other {
                let other = containers[move.to].remove(at: otherPosition)
                loads[move.to] -= weights[other]
                containers[fullest].append(other)
                loads[fullest] += weights[other]
            }
            containers[move.to].append(item)
            loads[move.to] += weights[item]
        }
    }
}
