import Foundation
import Testing

@testable import VerdictCore

/// Inputs larger than libxml2's per-node limits or deeper than usual.
@Suite("Sizes")
struct SizeTests {
    @Test(
        "a 20 MB system-out in CDATA, fed whole or in small chunks, is read and capped",
        arguments: [64 * 1024, 32 << 20])
    func hugeCDATA(chunkSize: Int) throws {
        let big = String(repeating: "log line ]] > <![CDATA ok\n", count: 20 * 1024 * 1024 / 26)
        let xml =
            "<testsuite><testcase name=\"a\"><system-out><![CDATA[\(big)]]></system-out></testcase><testcase name=\"b\"/></testsuite>"
        let (records, report) = try readJUnit(xml, chunkSize: chunkSize)
        #expect(records.map(\.name) == ["a", "b"])
        #expect(!report.incomplete)
        let out = try #require(records.first?.systemOut)
        #expect(out.hasPrefix("log line ]] > <![CDATA ok\nlog line"))
        #expect(out.utf8.count < TextCap.record + 200)
    }

    @Test("a 20 MB plain-text system-out is read")
    func hugeText() throws {
        let big = String(repeating: "y", count: 20 << 20)
        let (records, _) = try readJUnit("<testcase name=\"a\"><system-out>\(big)</system-out></testcase>")
        #expect(records.count == 1)
    }

    @Test("an attribute over 10 MB stops the input with a clear message; what came before counts")
    func hugeAttribute() throws {
        let big = String(repeating: "m", count: 11 << 20)
        let xml =
            "<testsuite><testcase name=\"ok\"/><testcase name=\"a\"><failure message=\"\(big)\"/></testcase></testsuite>"
        let (records, report) = try readJUnit(xml)
        #expect(records.map(\.name) == ["ok"])
        #expect(report.incomplete)
        #expect(report.warnings.first?.contains("10 MB") == true)
    }

    @Test("suites nested 1,000 deep")
    func deepNesting() throws {
        let depth = 1000
        let xml =
            "<testsuites>" + String(repeating: "<testsuite name=\"d\">", count: depth) + "<testcase name=\"deep\"/>"
            + String(repeating: "</testsuite>", count: depth) + "</testsuites>"
        let (records, report) = try readJUnit(xml)
        #expect(records.map(\.name) == ["deep"])
        #expect(!report.incomplete)
    }
}
