import Foundation
import Testing

@testable import VerdictCore

/// Fast paths of the renderers give the bytes the general code gives.
@Suite("Renderer fast paths")
struct RenderFastPathTests {
    func reference(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds > 0 else { return "0" }
        var text = String(format: "%.6f", seconds)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }

    @Test("decimal seconds equal %.6f trimmed")
    func decimalSeconds() {
        var values: [Double] = [
            0, -1, 5, 0.5, 0.042, 1e-5, 1e-7, 0.0000005, 0.0000015, 0.1 + 0.2, 123456.789, 1e9 + 0.5,
        ]
        values += [8_589_934_591.25, 8_589_934_593.1, 1e15, 1e17, 0.000001, 0.0000004999, 2.675, 1.0000005]
        var state: UInt64 = 42
        for _ in 0..<20_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let unit = Double(state >> 11) / Double(1 << 53)
            values.append((unit * 100).rounded(.down) / 1000)
            values.append(unit * pow(10, Double(state % 14) - 6))
        }
        var mismatches: [Double] = []
        for value in values where Format.decimalSeconds(value) != reference(value) { mismatches.append(value) }
        #expect(mismatches.isEmpty)
    }

    @Test("markup escaping on bytes equals escaping scalar by scalar")
    func escaping() {
        let samples = [
            "plain", "a & b < c > d \"e\" 'f'", "tab\tline\nreturn\r", "\u{1B}[31mred\u{1B}[0m \u{0}\u{7F}\u{1F}",
            "日本語 ✓ \u{FFFE}\u{FFFF}\u{FFFD} é", "\u{FEFF}bom", "", "&&&", "\u{EF}",
        ]
        for escaping in [
            MarkupEscaping(apostrophe: "&#39;", references: []),
            MarkupEscaping(apostrophe: "&apos;", references: ["\n", "\r", "\t"]),
        ] {
            for sample in samples {
                #expect(escaping.escape(sample) == escaping.escapeScalars(sample), "\(sample.debugDescription)")
            }
        }
    }

    @Test("every case written directly equals the built-in junit-case template")
    func directCases() throws {
        let templates = try TemplateSet()
        let compiled = try #require(templates.compiled("junit-case"))
        #expect(templates.builtInCase)
        var records = [
            TestRecord(classname: "a.B", name: "t", file: "x/y.java", line: 12, time: 0.042),
            TestRecord(classname: "", name: "n <&> \"q\" 'a'\ttab\u{1B}", file: nil, line: nil, time: 0),
            TestRecord(classname: "c", name: "", file: "", line: 0, time: 1e-7),
            TestRecord(classname: "日本", name: "✓", file: "f", line: -1, time: 12345.5),
        ]
        // Every outcome with every mix of result elements, attempts and output, hostile text included.
        let texts: [String?] = [
            nil, "", "boom", "a <b> & \"c\"\nline 2\r\n\ttab \u{0}\u{7F} ✓ \u{FFFE}", "]]> <![CDATA[",
        ]
        let kinds: [[ResultDetail.Kind]] = [
            [], [.failure], [.error], [.skipped], [.failure, .error], [.error, .failure, .skipped],
            [.rerunFailure], [.flakyFailure, .flakyError], [.failure, .rerunError, .rerunFailure],
            [.skipped, .skipped],
        ]
        var index = 0
        for outcome in Outcome.allCases {
            for details in kinds {
                for text in texts {
                    index += 1
                    let made = details.enumerated().map { offset, kind in
                        ResultDetail(
                            kind: kind, message: (index + offset) % 3 == 0 ? nil : text,
                            type: (index + offset) % 2 == 0 ? "T\(offset)" : text,
                            text: (index + offset) % 4 == 1 ? nil : text)
                    }
                    records.append(
                        TestRecord(
                            classname: "k\(index)", name: text ?? "none", file: index % 2 == 0 ? nil : "f/\(index).py",
                            line: index % 3 == 0 ? nil : index, time: Double(index) / 7, outcome: outcome,
                            details: made, systemOut: index % 5 == 0 ? text : nil,
                            systemErr: index % 7 == 0 ? text : nil))
                }
            }
        }
        var mismatches: [String] = []
        for record in records {
            var bytes: [UInt8] = []
            JUnitStreamWriter.appendBuiltInCase(record, to: &bytes)
            let direct = String(decoding: bytes, as: UTF8.self)
            let rendered = compiled.render(JUnitStreamWriter.caseValue(record, properties: []))
            if direct != rendered { mismatches.append("\(record.classname):\n\(direct)\n---\n\(rendered)") }
        }
        #expect(records.count > 200)
        #expect(mismatches.isEmpty, "\(mismatches.prefix(2).joined(separator: "\n===\n"))")
        #expect(!(try TemplateSet(overrides: ["junit-case": "<testcase/>"])).builtInCase)
    }
}
