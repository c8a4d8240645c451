import Testing

@testable import VerdictCore

@Suite("The per-test fast path")
struct CompiledTemplateTests {
    static let records: [TestRecord] = [
        TestRecord(classname: "C", name: "passes", file: "a.rb", line: 3, time: 0.5),
        TestRecord(
            classname: "C <&>", name: "fails \"x\"\nline2", time: 1, outcome: .failed,
            details: [
                ResultDetail(kind: .failure, message: "boom\u{1B}[31m", type: "E", text: "stack"),
                ResultDetail(kind: .error, message: "also"),
            ], systemOut: "out", systemErr: "err"),
        TestRecord(
            classname: "C", name: "flaky", outcome: .passed, flakyMarked: true,
            details: [ResultDetail(kind: .flakyFailure, message: "first try", text: "trace")]),
        TestRecord(classname: "C", name: "skipped", outcome: .skipped),
        TestRecord(classname: "", name: "errored", outcome: .errored, details: [ResultDetail(kind: .error)]),
    ]

    @Test("renders exactly what swift-mustache renders", arguments: 0..<5)
    func sameAsMustache(_ index: Int) throws {
        let templates = try TemplateSet()
        let compiled = try #require(templates.compiled("junit-case"))
        let record = Self.records[index]
        for properties in [[], [(name: "verdict.change", value: "new-failure")]] as [[(name: String, value: String)]] {
            let value = JUnitStreamWriter.caseValue(record, properties: properties)
            #expect(compiled.render(value) == (try templates.render(value.any, "junit-case")))
        }
    }

    @Test("templates the fast path cannot take fall back to swift-mustache")
    func fallbacks() throws {
        let same: @Sendable (String) -> String = { $0 }
        let refused = ["{{> partial}}", "{{% CONTENT_TYPE: TEXT }}x", "{{#open}}never closed", "{{=<% %>=}}"]
        for text in refused {
            let compiled = CompiledTemplate(text, escape: same)
            #expect(compiled == nil, "\(text)")
        }
        let templates = try TemplateSet(overrides: [
            "junit-case": "<testcase name=\"{{name}}\">{{> other}}</testcase>\n"
        ])
        #expect(templates.compiled("junit-case") == nil)
        let parsed = CompiledTemplate("a{{#list}}[{{.}}]{{/list}}{{^none}}!{{/none}}", escape: same)
        let simple = try #require(parsed)
        #expect(simple.render(.object(["list": .list([.text("x"), .number(0)])])) == "a[x][0]!")
    }
}
