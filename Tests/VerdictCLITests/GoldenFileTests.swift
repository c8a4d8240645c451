import Foundation
import Testing

/// The four outputs of the quick start, compared byte for byte with Tests/VerdictCLITests/Golden/.
/// `VERDICT_RECORD_GOLDEN=1 swift test --filter GoldenFileTests` rewrites the golden files instead.
@Suite("Golden files for every renderer")
struct GoldenFileTests {
    static let placeholder = "{{VERSION}}"
    static var recording: Bool { ProcessInfo.processInfo.environment["VERDICT_RECORD_GOLDEN"] == "1" }

    /// (output flag, golden file name)
    static let outputs: [(flag: String, golden: String)] = [
        ("--html", "report.html"), ("--markdown", "report.md"), ("--junit", "junit.xml"), ("--json", "summary.json"),
    ]

    @Test("HTML, Markdown, JUnit and JSON match the golden files", arguments: outputs.map(\.golden))
    func matchesGolden(_ golden: String) async throws {
        try await Workspace.with { ws in
            let version = try await CLI.version(scratch: ws.capture)
            #expect(!version.isEmpty, "verdict --version printed nothing")
            // The whole quick start, every output at once; this case compares one of them.
            let result = try await ws.verdict(
                ["report", "SampleData"] + Self.outputs.flatMap { [$0.flag, ws.out($0.golden)] })
            #expect(result.status == 0, "stderr: \(result.stderr)")
            let actual = try ws.read(ws.out(golden)).replacingOccurrences(of: version, with: Self.placeholder)
            #expect(actual.contains(Self.placeholder) || golden != "report.html", "the HTML names the version")
            let goldenURL = CLI.goldenFolder.appendingPathComponent(golden)

            if Self.recording {
                try FileManager.default.createDirectory(at: CLI.goldenFolder, withIntermediateDirectories: true)
                try Data(actual.utf8).write(to: goldenURL)
                return
            }
            guard let expected = try? String(contentsOf: goldenURL, encoding: .utf8) else {
                Issue.record(
                    "missing golden file \(goldenURL.path): record it with VERDICT_RECORD_GOLDEN=1 swift test")
                return
            }
            if actual != expected {
                Issue.record(Comment(rawValue: Self.firstDifference(expected: expected, actual: actual, name: golden)))
            }
        }
    }

    /// Where two texts first differ, by line, for a readable failure.
    static func firstDifference(expected: String, actual: String, name: String) -> String {
        let expectedLines = expected.components(separatedBy: "\n")
        let actualLines = actual.components(separatedBy: "\n")
        for index in 0..<max(expectedLines.count, actualLines.count) {
            let want = index < expectedLines.count ? expectedLines[index] : "<end of file>"
            let got = index < actualLines.count ? actualLines[index] : "<end of file>"
            if want != got {
                return """
                    \(name) differs from its golden file at line \(index + 1) \
                    (re-record with VERDICT_RECORD_GOLDEN=1 if the change is intended):
                      golden: \(want.prefix(300))
                      actual: \(got.prefix(300))
                    """
            }
        }
        return "\(name) differs from its golden file (line endings or trailing bytes)"
    }
}
