import Foundation
import Testing
import VerdictCore

@Suite("--version and --help")
struct VersionAndHelpTests {
    @Test("verdict --version prints the version")
    func version() async throws {
        try await Workspace.with { ws in
            let result = try await ws.verdict(["--version"])
            #expect(result.status == 0)
            #expect(result.stdout == Verdict.version + "\n")
            #expect(result.stdout.split(separator: ".").count == 3, "a semantic version: \(result.stdout)")
        }
    }

    @Test("verdict report --help exits 0 and mentions every flag")
    func help() async throws {
        try await Workspace.with { ws in
            let result = try await ws.verdict(["report", "--help"])
            #expect(result.status == 0, "stderr: \(result.stderr)")
            let flags = [
                "<inputs>", "--html", "--markdown", "--junit", "--json", "--templates", "--title", "--source", "--top",
                "--fail-on", "--allow-empty", "--help",
            ]
            for flag in flags {
                #expect(result.stdout.contains(flag), "--help does not mention \(flag)")
            }
            // Help text wraps: compare with runs of white space made single spaces.
            let flat = result.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            #expect(flat.contains("values: none, failed, errored"), "--fail-on lists its values")
        }
    }
}
