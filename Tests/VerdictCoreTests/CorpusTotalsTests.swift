import Foundation
import Testing

@testable import VerdictCore

/// Every corpus file's totals, pinned in Fixtures/corpus-expected.tsv. The expectations were
/// worked out independently of this code, by reading each XML against result-semantics.md
/// (decisions per file: Fixtures/corpus-expected-notes.md).
struct CorpusExpectation: Sendable, CustomTestStringConvertible {
    var file: String
    var status: String
    var totals: Totals

    var testDescription: String { file }

    static func load() -> [CorpusExpectation] {
        let url = Paths.fixtures.appendingPathComponent("corpus-expected.tsv")
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").dropFirst().compactMap { line in
            let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard f.count == 9, let tests = Int(f[2]), let passed = Int(f[3]), let failed = Int(f[4]),
                let errored = Int(f[5]), let skipped = Int(f[6]), let flaky = Int(f[7]), let time = Double(f[8])
            else { return nil }
            return CorpusExpectation(
                file: f[0], status: f[1],
                totals: Totals(
                    tests: tests, passed: passed, failed: failed, errored: errored, skipped: skipped, flaky: flaky,
                    time: time))
        }
    }
}

@Suite("Corpus totals")
struct CorpusTotalsTests {
    @Test("every corpus file has a pinned expectation")
    func everyFileIsPinned() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Paths.corpus.path)
            .filter { $0.hasSuffix(".xml") }
        let pinned = Set(CorpusExpectation.load().map(\.file))
        #expect(files.count >= 70)
        #expect(Set(files) == pinned)
    }

    @Test("totals match the independent reading", arguments: CorpusExpectation.load())
    func totalsMatch(_ expected: CorpusExpectation) throws {
        let url = Paths.corpus.appendingPathComponent(expected.file)
        let data = try bytes(url)
        switch expected.status {
        case "rejected":
            #expect(throws: IngestError.self) { try JUnitReader.read(data, path: expected.file) }
        default:
            let (records, report) = try JUnitReader.read(data, path: expected.file)
            let actual = totals(records)
            #expect(actual.tests == expected.totals.tests)
            #expect(actual.passed == expected.totals.passed)
            #expect(actual.failed == expected.totals.failed)
            #expect(actual.errored == expected.totals.errored)
            #expect(actual.skipped == expected.totals.skipped)
            #expect(actual.flaky == expected.totals.flaky)
            #expect(abs(actual.time - expected.totals.time) < 1e-6 * max(1, expected.totals.time))
            #expect(report.incomplete == (expected.status == "incomplete"))
            #expect(report.tests == records.count)
        }
    }

    @Test("every corpus file reads the same in 1-byte, 7-byte and 4 KiB chunks", arguments: CorpusExpectation.load())
    func chunkingDoesNotMatter(_ expected: CorpusExpectation) throws {
        guard expected.status != "rejected" else { return }
        let data = try bytes(Paths.corpus.appendingPathComponent(expected.file))
        let whole = try JUnitReader.read(data, chunkSize: data.count + 1)
        for size in [1, 7, 4096] {
            let chunked = try JUnitReader.read(data, chunkSize: size)
            #expect(chunked.records == whole.records, "chunk size \(size)")
            #expect(chunked.report.incomplete == whole.report.incomplete)
        }
    }
}
