import Foundation
import Testing

@Suite("VERDICT_* environment defaults")
struct EnvironmentTests {
    @Test("a VERDICT_* variable stands in for its flag; the flag wins")
    func defaultsAndFlags() async throws {
        try await Workspace.with { ws in
            let env = try await ws.verdict(["report", "SampleData/go"], environment: ["VERDICT_FAIL_ON": "failed"])
            #expect(env.status == 1, "VERDICT_FAIL_ON=failed makes the failing sample exit 1")
            let flag = try await ws.verdict(
                ["report", "SampleData/go", "--fail-on", "none"], environment: ["VERDICT_FAIL_ON": "failed"])
            #expect(flag.status == 0, "--fail-on none wins over the environment")
            let json = ws.out("env.json")
            let output = try await ws.verdict(["report", "SampleData/go"], environment: ["VERDICT_JSON": json])
            #expect(output.status == 0)
            #expect(FileManager.default.fileExists(atPath: json))
            let other = try await ws.verdict(
                ["compare", "SampleData/go", "SampleData/go"], environment: ["VERDICT_FAIL_ON": "failed"])
            #expect(other.status == 0, "report's variable does not leak into compare")
        }
    }
}

@Suite("Quiet, verbose and progress")
struct ConventionTests {
    @Test("--quiet prints nothing but errors; --verbose names each input; no progress off a terminal")
    func quietAndVerbose() async throws {
        try await Workspace.with { ws in
            let quiet = try await ws.verdict(["report", "SampleData", "--quiet", "--json", ws.out("q.json")])
            #expect(quiet.status == 0)
            #expect(quiet.stdout.isEmpty && quiet.stderr.isEmpty, "stdout: \(quiet.stdout) stderr: \(quiet.stderr)")
            let verbose = try await ws.verdict(["report", "SampleData", "--verbose"])
            #expect(verbose.stderr.contains("verdict: read SampleData/go/report.xml: junit, 10 tests"))
            #expect(!verbose.stderr.contains("reading "), "progress is only drawn on a terminal")
            let both = try await ws.verdict(["report", "SampleData", "--quiet", "--verbose"])
            #expect(both.status == 2)
        }
    }
}

@Suite("Help")
struct HelpExampleTests {
    @Test(
        "every command's --help shows an example",
        arguments: [
            [], ["report"], ["compare"], ["history"], ["history", "record"], ["history", "prune"], ["history", "runs"],
            ["flaky"], ["slowest"], ["trends"], ["split"], ["fetch"], ["job"], ["job", "show"], ["job", "retry"],
            ["job", "cancel"], ["job", "trigger"], ["pipeline"], ["pipeline", "trigger"],
        ] as [[String]])
    func examples(_ command: [String]) async throws {
        try await Workspace.with { ws in
            let help = try await ws.verdict(command + ["--help"])
            #expect(help.status == 0)
            #expect(help.stdout.contains("Example"), "\(command.joined(separator: " ")) --help has no example")
            #expect(help.stdout.contains("verdict "))
        }
    }
}

@Suite("Progress on a terminal")
struct ProgressTests {
    @Test("many inputs: progress is drawn on a terminal's standard error", .enabled(if: CLI.which("script") != nil))
    func progressOnTerminal() async throws {
        try await Workspace.with { ws in
            for index in 0..<60 { try ws.write(junitXML(suite: "s\(index)", passed: 1), to: "many/TEST-\(index).xml") }
            let script = try #require(CLI.which("script"))
            let binary = try CLI.verdictBinary().path
            let typescript = ws.out("tty.txt")
            let command =
                "\(binary) report \(ws.input.appendingPathComponent("many").path) --json \(ws.out("s.json")) --jobs 1"
            let result = try CLI.runTool(script, ["-qec", command, typescript], captureFolder: ws.capture)
            #expect(result.status == 0)
            let screen = try ws.read(typescript)
            #expect(screen.contains("reading 60/60 inputs"), "\(screen)")
        }
    }

    @Test(
        "fetching pages: progress on a terminal, cleared before the saved lines",
        .enabled(if: CLI.which("script") != nil))
    func fetchProgress() async throws {
        try await Workspace.with { ws in
            try await FakeCircleCI.with(ws) { server in
                let script = try #require(CLI.which("script"))
                let binary = try CLI.verdictBinary().path
                let typescript = ws.out("tty.txt")
                let command =
                    "env CIRCLE_TOKEN=\(FakeCircleCI.token) \(binary) fetch gh/acme-corp/storefront 48214 --api v2 "
                    + "--out \(ws.out("f")) --host \(server.baseURL)"
                let result = try CLI.runTool(script, ["-qec", command, typescript], captureFolder: ws.capture)
                #expect(result.status == 0)
                let screen = try ws.read(typescript)
                #expect(screen.contains("fetching: 3 request(s) done"), "\(screen)")
                #expect(screen.contains("saved "))
            }
        }
    }
}
