import Foundation
import Testing

@testable import VerdictCore

/// One test per rule of result-semantics.md, on small inline documents.
@Suite("Result semantics")
struct SemanticsTests {
    @Test("outcome precedence: errored > failed > skipped > passed")
    func precedence() throws {
        let xml = """
            <testsuite name="s">
              <testcase name="all"><skipped/><failure message="f"/><error message="e"/></testcase>
              <testcase name="fs"><skipped/><failure/></testcase>
              <testcase name="sk"><skipped message="later"/></testcase>
              <testcase name="ok"/>
            </testsuite>
            """
        let outcomes = try readJUnit(xml).records.map(\.outcome)
        #expect(outcomes == [.errored, .failed, .skipped, .passed])
    }

    @Test(
        "skip from status and result attributes, any case",
        arguments: [
            "status=\"disabled\"", "status=\"NotRun\"", "status=\"skipped\"", "status=\"IGNORED\"",
            "result=\"skipped\"", "result=\"suppressed\"",
        ])
    func attributeSkips(_ attribute: String) throws {
        #expect(try single("<testcase name=\"t\" \(attribute)/>").outcome == .skipped)
    }

    @Test("status=run and result=completed are passes; a failure beats a skip status")
    func attributeNonSkips() throws {
        #expect(try single("<testcase name=\"t\" status=\"run\" result=\"completed\"/>").outcome == .passed)
        #expect(try single("<testcase name=\"t\" status=\"notrun\"><failure/></testcase>").outcome == .failed)
    }

    @Test("flakyFailure and flakyError mark flaky without changing the outcome")
    func flakyMarks() throws {
        let record = try single(
            "<testcase name=\"t\"><flakyFailure message=\"m\"><stackTrace>at x</stackTrace></flakyFailure></testcase>")
        #expect(record.outcome == .passed)
        #expect(record.flakyMarked)
        #expect(record.details.first?.text == "at x")
        let errored = try single("<testcase name=\"t\"><flakyError/></testcase>")
        #expect(errored.flakyMarked && errored.outcome == .passed)
    }

    @Test("rerunFailure goes with a final failure: outcome from the failure, not flaky")
    func reruns() throws {
        let record = try single(
            "<testcase name=\"t\"><failure message=\"first\"/><rerunFailure message=\"again\"/></testcase>")
        #expect(record.outcome == .failed)
        #expect(!record.flakyMarked)
        #expect(totals([record]).flaky == 0)
    }

    @Test("duplicate testcases with a pass and a fail make one flaky identity")
    func duplicatesAreFlaky() throws {
        let xml = """
            <testsuites><testsuite name="pkg">
              <testcase classname="pkg" name="TestA"><failure/></testcase>
              <testcase classname="pkg" name="TestA"/>
              <testcase classname="pkg" name="TestB"><failure/></testcase>
              <testcase classname="pkg" name="TestB"><failure/></testcase>
              <testcase classname="pkg" name="TestC"/>
              <testcase classname="pkg" name="TestC"><skipped/></testcase>
            </testsuite></testsuites>
            """
        let t = totals(try readJUnit(xml).records)
        #expect(t.tests == 6)
        #expect(t.flaky == 1)
        #expect(t.passed == 2 && t.failed == 3 && t.skipped == 1)
    }

    @Test("flaky counts identities, trimmed, across inputs")
    func flakyAcrossInputs() throws {
        let a = try readJUnit("<testcase classname=\" c \" name=\"n\"><error/></testcase>").records
        let b = try readJUnit("<testcase classname=\"c\" name=\"n \"/>").records
        #expect(totals(a + b).flaky == 1)
        #expect(totals(a + b + b).flaky == 1)
    }

    @Test("a failure or error directly inside a testsuite is one more record")
    func suiteLevelError() throws {
        let xml = """
            <testsuite name="com.acme.Broken" file="src/Broken.java">
              <properties/>
              <error message="ClassNotFoundException" type="java.lang.ClassNotFoundException">stack</error>
            </testsuite>
            """
        let record = try single(xml)
        #expect(record.classname == "com.acme.Broken")
        #expect(record.name == "com.acme.Broken")
        #expect(record.file == "src/Broken.java")
        #expect(record.time == 0)
        #expect(record.outcome == .errored)
        #expect(record.details.first?.text == "stack")
    }

    @Test("classname: classname, else class, else the enclosing suite's name")
    func classnameFallbacks() throws {
        let xml = """
            <testsuite name="Suite">
              <testcase name="a" classname="C" class="K"/>
              <testcase name="b" class="K"/>
              <testcase name="c"/>
              <testsuite name="Inner"><testcase name="d"/></testsuite>
            </testsuite>
            """
        #expect(try readJUnit(xml).records.map(\.classname) == ["C", "K", "Suite", "Inner"])
    }

    @Test("identity: an empty classname is replaced by the file")
    func identityUsesFile() throws {
        let record = try single("<testcase classname=\"\" name=\" n \" file=\"a/b.py\"/>")
        #expect(record.identity == TestIdentity(classname: "a/b.py", name: "n"))
    }

    @Test("file: testcase, else nearest suite; ./ removed, backslashes turned; absent stays nil")
    func files() throws {
        let xml = """
            <testsuites>
              <testsuite name="outer" file=".\\spec\\outer_spec.rb">
                <testsuite name="inner">
                  <testcase name="inherits"/>
                  <testcase name="own" file="./spec/own_spec.rb"/>
                </testsuite>
              </testsuite>
              <testsuite name="none"><testcase name="nofile"/><testcase name="empty" file=""/></testsuite>
            </testsuites>
            """
        let files = try readJUnit(xml).records.map(\.file)
        #expect(files == ["spec/outer_spec.rb", "spec/own_spec.rb", nil, nil])
    }

    @Test("file only from testcase or suite attributes: a path-like classname or failure@file is not a file")
    func fileOnlyFromAttributes() throws {
        let xml = """
            <testsuites>
              <testsuite name="tests/login.spec.ts"><testcase classname="tests/login.spec.ts" name="logs in"/></testsuite>
              <testsuite name="catch2"><testcase name="t"><failure file="src/a.cpp" line="3">x</failure></testcase></testsuite>
              <testsuite name="ansible"><testcase classname="play.yml:12" name="task"/></testsuite>
            </testsuites>
            """
        let records = try readJUnit(xml).records
        #expect(records.map(\.file) == [nil, nil, nil])
        #expect(records[0].identity == TestIdentity(classname: "tests/login.spec.ts", name: "logs in"))
    }

    @Test(
        "time parsing",
        arguments: [
            ("1.5", 1.5), ("  2 ", 2), ("1,234.5", 1234.5), ("2,503.1", 2503.1), ("0,5", 0.5), ("1.7e-05", 1.7e-05),
            ("4.50611114501953e-05", 4.50611114501953e-05), ("", 0), ("1,2,3", 0), ("-1", 0), ("NaN", 0), ("inf", 0),
            ("abc", 0), ("999638317", 999_638_317),
        ] as [(String, Double)])
    func times(_ raw: String, _ seconds: Double) throws {
        #expect(try single("<testcase name=\"t\" time=\"\(raw)\"/>").time == seconds)
    }

    @Test("missing time is 0 without a warning; unparseable time warns with the line")
    func timeWarnings() throws {
        let quiet = try readJUnit("<testcase name=\"t\"/>")
        #expect(quiet.report.warnings.isEmpty)
        let noisy = try readJUnit(
            "<testsuite>\n<testcase name=\"a\" time=\"soon\"/>\n<testcase name=\"b\" time=\"-3\"/></testsuite>")
        #expect(noisy.report.warnings.count == 1)
        #expect(noisy.report.warnings[0].contains("2 testcase time(s)"))
        #expect(noisy.report.warnings[0].contains("line 2"))
    }

    @Test("testcases at any depth, mixed with suites at one level")
    func nesting() throws {
        let xml = """
            <testsuites><testsuite name="a"><testcase name="1"/>
              <testsuite name="b"><testsuite name="c"><testcase name="2"/></testsuite></testsuite>
              <testcase name="3"/></testsuite></testsuites>
            """
        let records = try readJUnit(xml).records
        #expect(records.map(\.name) == ["1", "2", "3"])
        #expect(records.map(\.suite) == ["a", "c", "a"])
    }

    @Test("suite counters are not trusted")
    func countersIgnored() throws {
        let t = totals(
            try readJUnit("<testsuite tests=\"6\" failures=\"2\"><testcase name=\"a\"/></testsuite>").records)
        #expect(t.tests == 1 && t.failed == 0)
    }

    @Test("a truncated file keeps every testcase closed before the cut, with a warning")
    func truncated() throws {
        let xml =
            "<testsuite name=\"s\"><testcase name=\"a\"/><testcase name=\"b\"><failure>boom</failure></testcase><testcase name=\"c\"><fail"
        let (records, report) = try readJUnit(xml)
        #expect(records.map(\.name) == ["a", "b"])
        #expect(report.incomplete)
        #expect(report.warnings.first?.contains("incomplete") == true)
        #expect(report.warnings.first?.contains("line 1") == true)
    }

    @Test("a stray < stops the document where it stands, with line and column")
    func strayAngle() throws {
        let xml = "<testsuite>\n<testcase name=\"a\"/>\n<testcase name=\"b<c\"/>\n<testcase name=\"d\"/></testsuite>"
        let (records, report) = try readJUnit(xml)
        #expect(records.map(\.name) == ["a"])
        #expect(report.incomplete)
        #expect(report.warnings.first?.contains("line 3") == true)
    }

    @Test("a well-formed document with another root is an error, not zero tests")
    func foreignRoot() {
        #expect(throws: IngestError.notJUnit(root: "suites")) {
            try readJUnit("<suites><suite><case name=\"x\"/></suite></suites>")
        }
        #expect(throws: IngestError.notJUnit(root: "html")) { try readJUnit("<html><body>hi</body></html>") }
    }

    @Test("broken before any root element: an error naming the place")
    func brokenBeforeRoot() {
        #expect(throws: IngestError.self) { try readJUnit("<<<") }
        #expect(throws: IngestError.self) { try readJUnit("   ") }
    }

    @Test("DOCTYPE is refused: no entity is loaded or expanded")
    func doctypeRefused() throws {
        let secret = FileManager.default.temporaryDirectory.appendingPathComponent("verdict-xxe-\(UUID()).txt")
        try "TOP-SECRET".write(to: secret, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: secret) }
        let xxe = """
            <?xml version="1.0"?>
            <!DOCTYPE testsuite [<!ENTITY xxe SYSTEM "file://\(secret.path)">]>
            <testsuite name="&xxe;"><testcase name="&xxe;"/></testsuite>
            """
        #expect(throws: IngestError.doctypeRefused(line: 2)) { try readJUnit(xxe) }
        let laughs = """
            <!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
            <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">]>
            <testsuite><testcase name="&lol2;"/></testsuite>
            """
        #expect(throws: IngestError.self) { try readJUnit(laughs) }
    }

    @Test("UTF-8 BOM, whitespace before the declaration, single quotes")
    func prologVariants() throws {
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        let doc = Array("\n\n  <?xml version='1.0' encoding='UTF-8' ?>\n<testcase name='é'/>".utf8)
        let (records, report) = try JUnitReader.read(bom + doc)
        #expect(records.map(\.name) == ["é"])
        #expect(!report.incomplete)
    }

    @Test("UTF-16 LE and BE with a BOM, whatever the label says")
    func utf16() throws {
        let text = "<?xml version='1.0' encoding='UTF-16 LE'?><testcase name='日本 😀'/>"
        let le: [UInt8] = [0xFF, 0xFE] + text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        let be: [UInt8] = [0xFE, 0xFF] + text.utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        for data in [le, be] {
            for size in [1, 3, 5000] {
                let records = try JUnitReader.read(data, chunkSize: size).records
                #expect(records.map(\.name) == ["日本 😀"], "chunk size \(size)")
            }
        }
    }

    @Test("ISO-8859-1 declared")
    func latin1() throws {
        let data: [UInt8] =
            Array("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><testcase name=\"caf".utf8) + [0xE9]
            + Array("\"/>".utf8)
        #expect(try JUnitReader.read(data).records.map(\.name) == ["café"])
    }

    @Test("control characters and references to them are replaced, not fatal")
    func controlCharacters() throws {
        let data: [UInt8] =
            Array("<testcase name=\"a".utf8) + [0x1B] + Array("[31mred&#27;&#x0;\"><failure>".utf8)
            + [0x00, 0x07] + Array("x</failure></testcase>".utf8)
        let (records, report) = try JUnitReader.read(data)
        let record = try #require(records.first)
        #expect(record.name == "a\u{241B}[31mred\u{241B}\u{2400}")
        #expect(record.details.first?.text == "\u{2400}\u{2407}x")
        #expect(report.warnings.contains { $0.contains("replaced") })
        #expect(!report.incomplete)
    }

    @Test("invalid UTF-8 becomes U+FFFD and parsing goes on")
    func invalidUTF8() throws {
        let data: [UInt8] = Array("<testcase name=\"a".utf8) + [0xC3, 0x28, 0xFF] + Array("b\"/>".utf8)
        let (records, report) = try JUnitReader.read(data, chunkSize: 1)
        #expect(records.first?.name == "a\u{FFFD}(\u{FFFD}b")
        #expect(!report.incomplete)
    }

    @Test("CDATA mixed with text, comments between elements, property text values")
    func textForms() throws {
        let xml = """
            <testsuite><properties><property name="p">value as text</property></properties>
            <!-- a comment --><testcase name="t"><failure message="m">head <![CDATA[<b>raw</b>]]> tail</failure>
            <system-out><![CDATA[out]]></system-out><system-err>err</system-err></testcase><!-- after --></testsuite>
            """
        let record = try single(xml)
        #expect(record.details.first?.text == "head <b>raw</b> tail")
        #expect(record.systemOut == "out")
        #expect(record.systemErr == "err")
    }

    @Test("long text is capped for display, never for counting")
    func longText() throws {
        let big = String(repeating: "x", count: TextCap.record + 5000)
        let record = try single("<testcase name=\"t\"><failure>\(big)</failure></testcase>")
        let text = try #require(record.details.first?.text)
        #expect(text.utf8.count < TextCap.record + 200)
        #expect(text.contains("5000 more bytes"))
        #expect(totals([record]).failed == 1)
    }

    @Test("a name of 100,000 characters is kept whole")
    func longName() throws {
        let name = String(repeating: "n", count: 100_000)
        #expect(try single("<testcase name=\"\(name)\"/>").name == name)
    }
}
