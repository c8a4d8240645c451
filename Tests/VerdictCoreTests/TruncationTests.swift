import Foundation
import Testing

@testable import VerdictCore

/// Cuts real reports at every byte offset: never a crash, never more than the whole file holds,
/// always a warning while the document is unfinished.
@Suite("Truncation at every offset")
struct TruncationTests {
    static let files = [
        "maven-surefire__flaky-and-rerun.xml", "edge-encoding__utf16le-bom.xml", "googletest__notrun-disabled.xml",
        "xunit.net__xunitnet-junit.xml",
    ]

    @Test("every prefix of a real report", arguments: files)
    func everyOffset(_ file: String) throws {
        let data = try bytes(Paths.corpus.appendingPathComponent(file))
        let whole = try JUnitReader.read(data)
        let complete = totals(whole.records)
        #expect(!whole.report.incomplete)
        // The last offset where the root element is still open: cuts after it are complete documents.
        let trailing = data.count - (data.lastIndex(of: UInt8(ascii: ">")).map { data.count - 1 - $0 } ?? 0)
        var incompleteSeen = 0
        var previousTests = 0
        for offset in 0..<data.count {
            let prefix = Array(data[0..<offset])
            let result: (records: [TestRecord], report: InputReport)
            do {
                result = try JUnitReader.read(prefix, chunkSize: 997)
            } catch {
                // Cut before the root element was read: an error for the input, never a crash.
                #expect(previousTests == 0, "error after tests were read, at offset \(offset): \(error)")
                continue
            }
            let t = totals(result.records)
            #expect(t.tests <= complete.tests && t.failed <= complete.failed && t.errored <= complete.errored)
            #expect(t.skipped <= complete.skipped && t.time <= complete.time + 1e-9)
            #expect(t.tests >= previousTests, "a longer prefix never reads fewer tests (offset \(offset))")
            previousTests = t.tests
            if offset < trailing {
                #expect(result.report.incomplete, "offset \(offset) of \(data.count) should be incomplete")
                #expect(result.report.warnings.contains { $0.hasPrefix("incomplete") })
                incompleteSeen += 1
            }
        }
        #expect(incompleteSeen > 100)
    }
}
