import Testing

@testable import VerdictCore

@Suite("Failures grouped by cause")
struct FailureGroupTests {
    @Test(
        "masking what varies",
        arguments: [
            ("Connection refused to localhost:5432 after 3000 ms", "Connection refused to localhost:<n> after <n> ms"),
            ("request 3f2b1c9e-8a7d-4e6f-9b0a-1c2d3e4f5a6b failed", "request <uuid> failed"),
            ("object at 0x7ffd5e8b3c10 is None", "object at <hex> is None"),
            ("commit deadbeefcafe1234 missing", "commit <hex> missing"),
            ("at 2024-11-18T09:14:02.118Z the job stopped", "at <time> the job stopped"),
            ("wrote /tmp/pytest-of-root/pytest-12/test_a0/out.txt: denied", "wrote <tmp>: denied"),
            ("Suite1147Test.test_cache_12 failed", "Suite1147Test.test_cache_12 failed"),
            ("expected <12> but was <34>", "expected <<n>> but was <<n>>"),
        ] as [(String, String)])
    func masks(_ line: String, _ expected: String) {
        #expect(FailureGrouping.mask(line) == expected)
    }

    @Test(
        "the first line is the first non-blank line, trimmed, whatever the newline",
        arguments: [
            "", "   ", "one", "  one  \ntwo", "\n\n  \r\n x \n y", "\u{2028}a", "a\r\nb", "\u{85}z\u{85}",
            "\t\t\n\tx\t", "\r\r\r", "\u{2029}\u{2029}é\u{301} ok", "line\u{000B}next", "\n\n\n",
        ])
    func firstLines(_ text: String) {
        // The rule as it was first written: split the whole text, take the first non-empty line.
        let reference = text.split(whereSeparator: \.isNewline).lazy.map { $0.trimmingCharacters() }
            .first { !$0.isEmpty }
        #expect(FailureGrouping.firstLine(text) == reference)
    }

    func failure(_ message: String, type: String? = nil) -> FailureItem {
        FailureItem(
            classname: "C", name: message, file: nil, line: nil, source: "s", time: 0, outcome: .failed,
            message: message, type: type, text: nil, systemOut: nil, systemErr: nil, input: "")
    }

    @Test("thirty failures from one broken fixture are one group, largest group first")
    func grouping() {
        var failures = (0..<30).map { failure("Connection refused to db:\(5000 + $0)") }
        failures.insert(failure("AssertionError: 1 != 2", type: "AssertionError"), at: 3)
        failures.append(failure("AssertionError: 3 != 4", type: "AssertionError"))
        failures.append(failure("AssertionError: 3 != 4", type: "ValueError"))
        let groups = FailureGrouping.group(failures)
        #expect(groups.map(\.count) == [30, 2, 1])
        #expect(groups[0].signature == "Connection refused to db:<n>")
        #expect(groups[0].failures.count == 30 && !groups[0].failures.contains(3))
        #expect(groups[1].failures == [3, 31])
        #expect(groups.reduce(0) { $0 + $1.count } == failures.count)
    }
}
