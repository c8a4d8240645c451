import Foundation
import Testing

@Suite("Terminal summary without output flags")
struct TerminalSummaryTests {
    @Test("prints FAILED and every failure's name, without ANSI colour when stdout is not a terminal")
    func plainSummary() async throws {
        try await Workspace.with { ws in
            // Everything that could ask for colour is set; only the non-terminal stdout must turn it off.
            let result = try await ws.verdict(
                ["report", "SampleData"], environment: ["TERM": "xterm-256color", "CLICOLOR_FORCE": "1"],
                removingEnvironment: ["NO_COLOR"])
            #expect(result.status == 0, "stderr: \(result.stderr)")
            #expect(!result.stdout.contains("\u{1B}"), "ANSI escape in: \(result.stdout.debugDescription)")
            let lines = result.stdout.components(separatedBy: "\n")
            #expect(lines.first == "gh/acme-corp/storefront test #48213", "the title comes first")
            #expect(
                lines.contains { $0.hasPrefix("FAILED 97 tests: 72 passed, 11 failed, 3 errored, 11 skipped, 2 flaky") }
            )
            #expect(lines.contains("Failures:"))

            // Every failure of the JSON summary is named (there are 14, under the 20 listed).
            let json = try await ws.verdict(["report", "SampleData", "--json", "-"])
            let summary = try SummaryJSON.decode(json.stdoutData)
            #expect(summary.failures.count == 14)
            for failure in summary.failures {
                #expect(result.stdout.contains(failure.name), "\(failure.name) is missing from the summary")
            }
            #expect(result.stdout.contains("Flaky:"))
            #expect(result.stdout.contains("reservesInventoryBeforeCharging"))
        }
    }

    @Test("a passing run says PASSED and lists no failures")
    func passingSummary() async throws {
        try await Workspace.with { ws in
            try ws.write(junitXML(passed: 4), to: "ok/results.xml")
            let result = try await ws.verdict(["report", ws.input.path])
            #expect(result.status == 0, "stderr: \(result.stderr)")
            #expect(result.stdout.contains("PASSED 4 tests: 4 passed"))
            #expect(!result.stdout.contains("FAILED"))
            #expect(!result.stdout.contains("Failures:"))
            #expect(!result.stdout.contains("\u{1B}"))
        }
    }

    #if os(Linux)
        /// util-linux `script` gives the command a pseudo-terminal, so colour can be seen turning on and off.
        @Test("on a terminal the headline is coloured, and NO_COLOR turns colour off")
        func colourOnATerminal() async throws {
            guard let script = CLI.which("script") else { return }
            try await Workspace.with { ws in
                let binary = try CLI.verdictBinary().path
                let input = CLI.sampleData.appendingPathComponent("go").path
                func onTerminal(_ environment: String) throws -> String {
                    let command = "env -u NO_COLOR TERM=xterm \(environment) '\(binary)' report '\(input)'"
                    let run = try CLI.runTool(script, ["-qec", command, "/dev/null"], captureFolder: ws.capture)
                    #expect(run.status == 0, "script: \(run.stderr)")
                    return run.stdout
                }
                let coloured = try onTerminal("")
                #expect(coloured.contains("FAILED"))
                #expect(coloured.contains("\u{1B}["), "no colour on a terminal: \(coloured.debugDescription)")
                let plain = try onTerminal("NO_COLOR=1")
                #expect(plain.contains("FAILED 10 tests"))
                #expect(!plain.contains("\u{1B}"), "colour despite NO_COLOR: \(plain.debugDescription)")
            }
        }
    #endif
}
