import Foundation
import Testing

@testable import VerdictCore

/// The leftover pairing by digest (`pairLeftovers`) gives exactly the pairs of the dictionary of
/// strings (`pairByString`), also where `String` equality is not byte equality.
@Suite("Compare pairing by digest")
struct ComparePairingTests {
    func side(_ cases: [(classname: String, name: String, file: String?)]) throws -> ComparisonBuilder.Side {
        let body = cases.map { c in
            let file = c.file.map { " file=\"\($0)\"" } ?? ""
            return "<testcase classname=\"\(c.classname)\" name=\"\(c.name)\"\(file)/>"
        }.joined()
        var side = ComparisonBuilder.Side()
        let (records, report) = try readJUnit("<testsuite name=\"S\">\(body)</testsuite>")
        records.forEach { side.add($0) }
        side.add(input: report)
        return side
    }

    func describe(_ pairs: [ComparisonBuilder.Pair]) -> [String] {
        pairs.map { "\($0.base ?? -1)>\($0.head ?? -1) \($0.rule ?? "-")" }
    }

    /// Both ways on the same leftovers: the pairs and what is left must agree.
    func check(_ base: ComparisonBuilder.Side, _ head: ComparisonBuilder.Side, byFile: Bool) {
        let key: @Sendable (ComparisonBuilder.Side, Int) -> ComparisonBuilder.PairKey? = { side, at in
            byFile ? side.entries[at].file.map { ($0, side.entries[at].name) } : ("", side.entries[at].name)
        }
        var fastBase = Array(base.entries.indices)
        var fastHead = Array(head.entries.indices)
        var slowBase = fastBase
        var slowHead = fastHead
        let fast = ComparisonBuilder.pairLeftovers(&fastBase, &fastHead, base, head, rule: "r", key: key)
        let slow = ComparisonBuilder.pairByString(&slowBase, &slowHead, base, head, rule: "r", key: key)
        let fastPairs = describe(fast)
        let slowPairs = describe(slow)
        #expect(fastPairs == slowPairs)
        #expect(fastBase == slowBase)
        #expect(fastHead == slowHead)
    }

    @Test("random leftovers with repeated, accented and look-alike names")
    func random() throws {
        // "é" precomposed and decomposed, and the Kelvin sign (equal to "K" as a String).
        let names = ["a", "b", "K", "\u{212A}", "caf\u{E9}", "cafe\u{301}", "x y", "n\u{E4}ive", "z"]
        let files: [String?] = ["f1", "f2", nil, "caf\u{E9}.swift", "cafe\u{301}.swift"]
        var generator = SystemRandomNumberGenerator()
        for round in 0..<40 {
            func cases(_ prefix: String) -> [(classname: String, name: String, file: String?)] {
                (0..<Int.random(in: 0...12, using: &generator)).map { i in
                    let name = names.randomElement(using: &generator) ?? "a"
                    let file = files.randomElement(using: &generator) ?? nil
                    return ("\(prefix)\(i)", name, file)
                }
            }
            let base = try side(cases("B"))
            let head = try side(cases("H"))
            check(base, head, byFile: round % 2 == 0)
        }
    }

    @Test("plain ASCII leftovers pair by file and name, and by a unique name")
    func ascii() throws {
        let base = try side([("B1", "t1", "f"), ("B2", "t2", "f"), ("B3", "t3", nil), ("B4", "t2", "g")])
        let head = try side([("H1", "t1", "f"), ("H2", "t2", "f"), ("H3", "t3", "h"), ("H4", "t4", "g")])
        check(base, head, byFile: true)
        check(base, head, byFile: false)
        var unpairedBase = Array(base.entries.indices)
        var unpairedHead = Array(head.entries.indices)
        let pairs = ComparisonBuilder.pairLeftovers(
            &unpairedBase, &unpairedHead, base, head, rule: "name"
        ) { side, at in ("", side.entries[at].name) }
        let described = describe(pairs)
        #expect(described == ["0>0 name", "2>2 name"])
    }
}
