import Foundation
import Testing

@testable import VerdictCore

@Suite("Compare")
struct CompareTests {
    func side(_ xml: String) throws -> ComparisonBuilder.Side {
        var side = ComparisonBuilder.Side()
        let (records, report) = try readJUnit(xml)
        records.forEach { side.add($0) }
        side.add(input: report)
        return side
    }

    func compare(_ base: String, _ head: String, ratio: Double = 1.5, minTime: Double = 0.1) throws -> Comparison {
        var builder = ComparisonBuilder()
        builder.base = try side(base)
        builder.head = try side(head)
        return builder.compare(title: "t", thresholds: .init(ratio: ratio, minTime: minTime))
    }

    func suite(_ cases: String) -> String { "<testsuite name=\"S\">\(cases)</testsuite>" }

    @Test("identical inputs give an empty diff")
    func identical() throws {
        let xml = try String(contentsOf: Paths.sampleData.appendingPathComponent("go/report.xml"), encoding: .utf8)
        let comparison = try compare(xml, xml)
        #expect(comparison.isEmpty)
        #expect(comparison.base == comparison.head)
        #expect(!comparison.duplicates.isEmpty, "the rerun is listed as a duplicate")
        #expect(comparison.changedDuplicates.isEmpty)
    }

    @Test("every outcome category")
    func categories() throws {
        let base = suite(
            """
            <testcase classname="C" name="breaks" time="1"/>
            <testcase classname="C" name="heals" time="1"><failure/></testcase>
            <testcase classname="C" name="stays" time="1"><error/></testcase>
            <testcase classname="C" name="skips" time="1"/>
            <testcase classname="C" name="unskips" time="1"><skipped/></testcase>
            <testcase classname="C" name="removed" time="1"/>
            <testcase classname="C" name="was-skipped-now-fails"><skipped/></testcase>
            """)
        let head = suite(
            """
            <testcase classname="C" name="breaks" time="1"><failure message="boom"/></testcase>
            <testcase classname="C" name="heals" time="1"/>
            <testcase classname="C" name="stays" time="1"><failure/></testcase>
            <testcase classname="C" name="skips" time="1"><skipped/></testcase>
            <testcase classname="C" name="unskips" time="1"/>
            <testcase classname="C" name="added" time="1"><failure/></testcase>
            <testcase classname="C" name="was-skipped-now-fails"><failure/></testcase>
            """)
        let c = try compare(base, head)
        #expect(c.newFailures.map(\.name) == ["added", "breaks", "was-skipped-now-fails"])
        #expect(c.newFailures.first { $0.name == "breaks" }?.message == "boom")
        #expect(c.fixed.map(\.name) == ["heals"])
        #expect(c.stillFailing.map(\.name) == ["stays"])
        #expect(c.newlySkipped.map(\.name) == ["skips"])
        #expect(c.unskipped.map(\.name) == ["unskips", "was-skipped-now-fails"])
        #expect(c.onlyInBase.map(\.name) == ["removed"])
        #expect(c.onlyInHead.map(\.name) == ["added"])
        #expect(c.onlyInHead.first?.baseOutcome == nil && c.onlyInHead.first?.headOutcome == .failed)
        #expect(!c.isEmpty)
    }

    @Test("time changes count only beyond both thresholds")
    func times() throws {
        let base = suite(
            """
            <testcase classname="C" name="much-slower" time="1"/>
            <testcase classname="C" name="noise" time="0.01"/>
            <testcase classname="C" name="small-ratio" time="10"/>
            <testcase classname="C" name="faster" time="2"/>
            """)
        let head = suite(
            """
            <testcase classname="C" name="much-slower" time="2"/>
            <testcase classname="C" name="noise" time="0.05"/>
            <testcase classname="C" name="small-ratio" time="12"/>
            <testcase classname="C" name="faster" time="0.5"/>
            """)
        let c = try compare(base, head)
        #expect(c.slower.map(\.name) == ["much-slower"])
        #expect(c.slower.first?.ratio == 2 && c.slower.first?.difference == 1)
        #expect(c.faster.map(\.name) == ["faster"])
        #expect(c.groups.slower["classname"]?.isEmpty == true)
        let strict = try compare(base, head, ratio: 1.1, minTime: 0.01)
        #expect(strict.slower.map(\.name) == ["small-ratio", "much-slower", "noise"])
    }

    @Test("group times: per classname, file and source")
    func groupTimes() throws {
        let base = suite(
            "<testcase classname=\"A\" name=\"x\" time=\"1\" file=\"a.rb\"/><testcase classname=\"B\" name=\"y\" time=\"1\"/>"
        )
        let head = suite(
            "<testcase classname=\"A\" name=\"x\" time=\"3\" file=\"a.rb\"/><testcase classname=\"B\" name=\"y\" time=\"1\"/>"
        )
        let c = try compare(base, head)
        #expect(c.groups.slower["classname"]?.map(\.key) == ["A"])
        #expect(c.groups.slower["file"]?.map(\.key) == ["a.rb"])
        #expect(c.groups.slower["source"]?.count == 1)
    }

    @Test("a test moved between files is paired and says where it moved")
    func moved() throws {
        let c = try compare(
            suite("<testcase classname=\"C\" name=\"t\" file=\"old/a_spec.rb\"/>"),
            suite("<testcase classname=\"C\" name=\"t\" file=\"./new/a_spec.rb\"/>"))
        #expect(c.onlyInBase.isEmpty && c.onlyInHead.isEmpty)
        #expect(c.moved.first?.baseFile == "old/a_spec.rb" && c.moved.first?.file == "new/a_spec.rb")
        // Without a classname the identity is the file: paired by the name, and said so.
        let bare = try compare(
            suite("<testcase classname=\"\" name=\"unique\" file=\"old.js\"/>"),
            suite("<testcase classname=\"\" name=\"unique\" file=\"new.js\"/>"))
        #expect(bare.onlyInBase.isEmpty && bare.onlyInHead.isEmpty)
        #expect(bare.matching["name"] == 1)
    }

    @Test("CircleCI /tests against the JUnit it came from: no differences")
    func circleCIAgainstJUnit() throws {
        let xml = """
            <testsuites><testsuite name="rspec" file="./spec/a_spec.rb">
              <testcase classname="spec.a_spec" name="works" file="./spec/a_spec.rb" time="0.25"/>
              <testcase classname="spec.a_spec" name="breaks " file=".\\spec\\a_spec.rb" time="1.5"><failure message="m"/></testcase>
              <testcase classname="" name="bare" file="./spec/b_spec.rb" time="0"><skipped/></testcase>
            </testsuite></testsuites>
            """
        let json = """
            {"tests":[
              {"classname":"spec.a_spec","name":"works","file":"spec/a_spec.rb","result":"success","run_time":0.25,"source":"rspec"},
              {"classname":"spec.a_spec","name":"breaks","file":"spec/a_spec.rb","result":"failure","run_time":"1.5","message":"m"},
              {"classname":"","name":"bare","file":"spec/b_spec.rb","result":"skipped","run_time":0}
            ]}
            """
        guard case .v1Tests(let items) = try CircleCIDecoder.decode(Data(json.utf8)) else {
            Issue.record("not v1.1")
            return
        }
        var builder = ComparisonBuilder()
        for record in CircleCIDecoder.records(pages: [items], inputIndex: 0).records { builder.base.add(record) }
        builder.head = try side(xml)
        let c = builder.compare(title: "t", thresholds: .init())
        #expect(c.isEmpty, "\(c)")
        #expect(c.matching == ["identity": 3])
        #expect(c.moved.isEmpty)
    }

    @Test("duplicates on one side are listed, not paired")
    func duplicates() throws {
        let c = try compare(
            suite("<testcase classname=\"C\" name=\"t\"/>"),
            suite("<testcase classname=\"C\" name=\"t\"><failure/></testcase><testcase classname=\"C\" name=\"t\"/>"))
        #expect(c.duplicates.count == 1)
        #expect(c.duplicates.first?.headOutcomes == [.failed, .passed])
        #expect(c.newFailures.isEmpty && c.onlyInBase.isEmpty)
        #expect(c.flaky.map(\.name) == ["t"])
        #expect(!c.isEmpty)
    }

    @Test("the Markdown fits a PR comment: long lists are shortened and say how many were left out")
    func markdownLimit() throws {
        let cases = (0..<3000).map {
            "<testcase classname=\"Some.Long.Class.Name\" name=\"test number \($0) with a long name\"/>"
        }
        let failing = (0..<3000).map {
            "<testcase classname=\"Some.Long.Class.Name\" name=\"test number \($0) with a long name\"><failure/></testcase>"
        }
        let c = try compare(suite(cases.joined()), suite(failing.joined()))
        let text = try ReportRenderer(templates: try TemplateSet(), version: "v").compareMarkdown(c)
        #expect(text.count <= 65_000)
        #expect(text.contains("more: see the JSON"))
        #expect(text.contains("New failures (3000)"))
    }
}
