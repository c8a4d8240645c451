import Foundation

/// The part of `--json`'s summary these tests read.
struct SummaryJSON: Decodable {
    struct Totals: Decodable, Equatable {
        var tests: Int
        var passed: Int
        var failed: Int
        var errored: Int
        var skipped: Int
        var flaky: Int
    }
    struct Input: Decodable {
        var path: String
        var kind: String
        var tests: Int
        var warnings: [String]
        var incomplete: Bool?
    }
    struct Group: Decodable {
        var key: String?
        var tests: Int
    }
    struct Groups: Decodable {
        var source: [Group]
    }
    struct Failure: Decodable {
        var classname: String
        var name: String
        var outcome: String
    }
    var title: String
    var totals: Totals
    var inputs: [Input]
    var groups: Groups
    var failures: [Failure]

    static func read(_ path: String) throws -> SummaryJSON {
        try JSONDecoder().decode(SummaryJSON.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }

    static func decode(_ data: Data) throws -> SummaryJSON {
        try JSONDecoder().decode(SummaryJSON.self, from: data)
    }
}

extension SummaryJSON.Totals {
    init(_ tests: Int, passed: Int, failed: Int, errored: Int, skipped: Int, flaky: Int) {
        self.init(tests: tests, passed: passed, failed: failed, errored: errored, skipped: skipped, flaky: flaky)
    }

    /// SampleData/README.md, "whole folder `SampleData/`".
    static let sampleData = Self(97, passed: 72, failed: 11, errored: 3, skipped: 11, flaky: 2)
    /// SampleData/README.md, `rspec/rspec.xml`.
    static let rspec = Self(8, passed: 6, failed: 1, errored: 0, skipped: 1, flaky: 0)
    /// SampleData/README.md, `go/report.xml`.
    static let go = Self(10, passed: 8, failed: 1, errored: 0, skipped: 1, flaky: 1)
}

/// A small JUnit file: `passed` passing cases, plus optionally one failure and one error.
func junitXML(suite: String = "suite", passed: Int, failed: Bool = false, errored: Bool = false) -> String {
    var cases = (0..<passed).map { "  <testcase classname=\"\(suite).C\" name=\"passes \($0)\" time=\"0.01\"/>" }
    if failed {
        cases.append(
            "  <testcase classname=\"\(suite).C\" name=\"fails\" time=\"0.02\"><failure message=\"boom\"/></testcase>")
    }
    if errored {
        cases.append(
            "  <testcase classname=\"\(suite).C\" name=\"errors\" time=\"0.03\"><error message=\"crash\"/></testcase>")
    }
    return """
        <?xml version="1.0" encoding="UTF-8"?>
        <testsuite name="\(suite)" tests="\(cases.count)">
        \(cases.joined(separator: "\n"))
        </testsuite>

        """
}
