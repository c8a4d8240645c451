import Foundation
import Testing

@testable import VerdictCore

/// The reader's byte-level shortcuts give what the string-based rules give.
@Suite("Reader fast paths")
struct ReaderFastPathTests {
    @Test(
        "line numbers read from the bytes follow Int(trimmed)",
        arguments: [
            ("42", 42), (" 42 ", 42), ("\t7\n", 7), ("1 2", nil), ("+5", 5), ("-3", -3), ("x", nil), ("", nil),
            ("  ", nil), ("007", 7), ("99999999999999999999", nil),
        ] as [(String, Int?)])
    func lineNumbers(_ raw: String, _ expected: Int?) throws {
        let record = try single(#"<testsuite name="s"><testcase name="t" line="\#(raw)"/></testsuite>"#)
        #expect(record.line == expected)
    }

    @Test(
        "ampersands in attribute values come through as the text they stand for",
        arguments: [
            ("a &amp; b", "a & b"), ("&amp;&amp;", "&&"), ("&#38;", "&"), ("&amp;#38;", "&#38;"),
            ("x&lt;y&gt;&quot;&apos;", "x<y>\"'"), ("&#x26;amp;", "&amp;"), ("caf&#233; &amp;", "café &"),
            ("end &amp;", "end &"), ("&amp;#3", "&#3"),
        ] as [(String, String)])
    func ampersands(_ raw: String, _ expected: String) throws {
        let record = try single(
            #"<testsuite name="s"><testcase classname="\#(raw)" name="\#(raw)" file="\#(raw)"/></testsuite>"#)
        #expect(record.name == expected)
        #expect(record.classname == expected)
        #expect(record.file == expected)
    }

    @Test("times read from the bytes are the same Doubles as Double(text)")
    func plainTimes() {
        var state: UInt64 = 7
        var mismatches: [String] = []
        var texts = ["0", "0.0", "1", "0.042", "123456.789", "99999999999999", "0.000000000000001", "12.5"]
        for _ in 0..<50_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let whole = Int(state >> 40) % 100_000
            let fraction = Int(state >> 8) % 1_000_000
            texts.append("\(whole).\(String(fraction).leftPadded(to: Int(state % 7)))")
        }
        for text in texts {
            let fast = Array(text.utf8).withUnsafeBufferPointer { TimeValue.parsePlain($0) }
            if let fast, fast != TimeValue.parse(text) { mismatches.append(text) }
        }
        #expect(mismatches.isEmpty)
        for refused in ["1.", ".5", "1e3", " 1", "1,5", "1234567890123456", "-1", ""] {
            let parsed = Array(refused.utf8).withUnsafeBufferPointer { TimeValue.parsePlain($0) }
            #expect(parsed == nil, "\(refused)")
        }
    }
}

extension String {
    fileprivate func leftPadded(to length: Int) -> String {
        count >= length ? self : String(repeating: "0", count: length - count) + self
    }
}
