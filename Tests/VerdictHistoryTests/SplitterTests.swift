import Foundation
import Testing

@testable import VerdictCore

@Suite("Splitter")
struct SplitterTests {
    /// The smallest possible largest container (branch and bound over every assignment).
    static func optimum(_ weights: [Double], containers: Int) -> Double {
        let sorted = weights.sorted(by: >)
        var best = sorted.reduce(0, +)
        var loads = Array(repeating: 0.0, count: containers)
        func place(_ index: Int, _ largest: Double) {
            if largest >= best { return }
            if index == sorted.count {
                best = largest
                return
            }
            var tried: Set<Double> = []
            for container in loads.indices where tried.insert(loads[container]).inserted {
                loads[container] += sorted[index]
                place(index + 1, max(largest, loads[container]))
                loads[container] -= sorted[index]
            }
        }
        place(0, 0)
        return best
    }

    /// Checks that every item is in exactly one container and that the loads are the containers' sums.
    static func checkPartition(_ plan: Splitter.Plan, weights: [Double], total: Int) {
        #expect(plan.containers.count == max(total, 1))
        let all = plan.containers.flatMap { $0 }
        #expect(all.sorted() == Array(weights.indices), "every item exactly once: \(plan.containers)")
        for (container, members) in plan.containers.enumerated() {
            #expect(members == members.sorted(), "items in the order given")
            let sum = members.reduce(0) { $0 + weights[$1] }
            #expect(abs(plan.loads[container] - sum) < 1e-5)
        }
    }

    static func randomCase(
        _ generator: inout SeededGenerator, maxItems: Int = 10
    ) -> (
        names: [String], weights: [Double], total: Int
    ) {
        let count = Int.random(in: 1...maxItems, using: &generator)
        let weights = (0..<count).map { _ in Double(Int.random(in: 1...20, using: &generator)) }
        let total = Int.random(in: 2...4, using: &generator)
        return ((0..<count).map { "item-\($0)" }, weights, total)
    }

    @Test("every item lands in exactly one container, and loads are the sums")
    func partition() {
        var generator = SeededGenerator(seed: 7)
        for _ in 0..<300 {
            let count = Int.random(in: 0...40, using: &generator)
            let weights = (0..<count).map { _ in Double.random(in: 0...30, using: &generator) }
            let total = Int.random(in: 1...8, using: &generator)
            let plan = Splitter.split(names: (0..<count).map { "t\($0)" }, times: weights, total: total)
            Self.checkPartition(plan, weights: weights, total: total)
        }
    }

    @Test("deterministic: the same input gives the same plan, and any input order the same containers")
    func deterministic() {
        var generator = SeededGenerator(seed: 11)
        for _ in 0..<100 {
            let count = Int.random(in: 1...30, using: &generator)
            // Few distinct times, so ties (broken by name) are common.
            let names = (0..<count).map { "spec/file_\($0)_spec.rb" }
            let times: [Double?] = (0..<count).map { _ in
                Int.random(in: 0..<6, using: &generator) == 0 ? nil : Double(Int.random(in: 1...5, using: &generator))
            }
            let total = Int.random(in: 1...6, using: &generator)
            let plan = Splitter.split(names: names, times: times, total: total)
            #expect(Splitter.split(names: names, times: times, total: total) == plan)

            func containersOfNames(_ plan: Splitter.Plan, _ names: [String]) -> [Set<String>] {
                plan.containers.map { Set($0.map { names[$0] }) }
            }
            let order = Array(names.indices).shuffled(using: &generator)
            let shuffledNames = order.map { names[$0] }
            let shuffledTimes = order.map { times[$0] }
            let shuffled = Splitter.split(names: shuffledNames, times: shuffledTimes, total: total)
            #expect(containersOfNames(shuffled, shuffledNames) == containersOfNames(plan, names))
            #expect(shuffled.loads == plan.loads)
        }
    }

    @Test("balance: never above 4/3 of the best possible, and almost always exactly the best")
    func balance() {
        var generator = SeededGenerator(seed: 2024)
        var optimal = 0
        let cases = 200
        var worst = 1.0
        for _ in 0..<cases {
            let (names, weights, total) = Self.randomCase(&generator)
            let plan = Splitter.split(names: names, times: weights, total: total)
            Self.checkPartition(plan, weights: weights, total: total)
            let largest = plan.loads.max() ?? 0
            let best = Self.optimum(weights, containers: total)
            #expect(largest <= best * 4 / 3 + 1e-9, "\(weights) into \(total): \(largest) against \(best)")
            if abs(largest - best) < 1e-9 { optimal += 1 }
            worst = max(worst, largest / best)
        }
        let share = Double(optimal) / Double(cases)
        print("Splitter balance: \(optimal) of \(cases) random cases exactly optimal; worst ratio \(worst)")
        #expect(share >= 0.9, "only \(optimal) of \(cases) cases were optimal")
    }

    @Test("longest-first alone is not enough: 3 3 2 2 2 into two containers is 6 and 6")
    func improvesOnGreedy() {
        let plan = Splitter.split(names: ["a", "b", "c", "d", "e"], times: [3, 3, 2, 2, 2], total: 2)
        #expect(plan.loads.sorted() == [6, 6])
        Self.checkPartition(plan, weights: [3, 3, 2, 2, 2], total: 2)
    }

    @Test("items without timing get the mean of the known times")
    func unknownGetMean() {
        let plan = Splitter.split(names: ["a", "b", "c", "d"], times: [4, 2, nil, nil], total: 2)
        #expect(plan.untimed == 2)
        #expect(plan.defaultTime == 3)
        #expect(plan.loads.reduce(0, +) == 12)
        #expect(plan.loads == [6, 6])
        Self.checkPartition(plan, weights: [4, 2, 3, 3], total: 2)
    }

    @Test("items without timing get --default-time when given; with no times at all, 1 each")
    func unknownGetDefault() {
        let given = Splitter.split(
            names: ["a", "b", "c", "d"], times: [4, 2, nil, nil], total: 2, defaultTime: 0.5)
        #expect(given.untimed == 2)
        #expect(given.defaultTime == 0.5)
        #expect(given.loads.reduce(0, +) == 7)
        Self.checkPartition(given, weights: [4, 2, 0.5, 0.5], total: 2)

        let none = Splitter.split(names: ["a", "b", "c"], times: [nil, nil, nil], total: 3)
        #expect(none.untimed == 3)
        #expect(none.defaultTime == 1)
        #expect(none.loads == [1, 1, 1])

        let timed = Splitter.split(names: ["a", "b"], times: [1, 2], total: 2)
        #expect(timed.untimed == 0)
    }

    @Test("total 1 puts everything in container 0; more containers than items leaves some empty")
    func edgeTotals() {
        let weights: [Double] = [5, 1, 3, 2]
        let one = Splitter.split(names: ["a", "b", "c", "d"], times: weights, total: 1)
        #expect(one.containers == [[0, 1, 2, 3]])
        #expect(one.loads == [11])

        let many = Splitter.split(names: ["a", "b", "c"], times: [1, 2, 3], total: 5)
        Self.checkPartition(many, weights: [1, 2, 3], total: 5)
        #expect(many.containers.filter { !$0.isEmpty }.allSatisfy { $0.count == 1 })
        #expect(many.containers.filter(\.isEmpty).count == 2)

        let empty = Splitter.split(names: [], times: [], total: 3)
        #expect(empty.containers == [[], [], []])
    }
}
