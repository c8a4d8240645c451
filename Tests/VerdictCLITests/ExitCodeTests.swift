import Foundation
import Testing

/// Exit codes: 0 ok, 1 `--fail-on` triggered, 2 input or usage error (Sources/verdict/VerdictCommand.swift).
@Suite("Exit codes")
struct ExitCodeTests {
    @Test("--fail-on failed exits 1 on SampleData and still writes the outputs")
    func failOnFailed() async throws {
        try await Workspace.with { ws in
            let result = try await ws.verdict([
                "report", "SampleData", "--fail-on", "failed", "--json", ws.out("s.json"), "--html", ws.out("r.html"),
            ])
            #expect(result.status == 1, "stderr: \(result.stderr)")
            #expect(try SummaryJSON.read(ws.out("s.json")).totals == .sampleData)
            #expect(try ws.read(ws.out("r.html")).contains("rejectsExpiredCoupon"))
        }
    }

    @Test("--fail-on errored exits 1 on SampleData (3 errored)")
    func failOnErrored() async throws {
        try await Workspace.with { ws in
            let result = try await ws.verdict([
                "report", "SampleData", "--fail-on", "errored", "--json", ws.out("s.json"),
            ])
            #expect(result.status == 1, "stderr: \(result.stderr)")
            #expect(try SummaryJSON.read(ws.out("s.json")).totals.errored == 3)
        }
    }

    @Test("--fail-on errored exits 0 when tests failed but none errored")
    func failOnErroredIgnoresFailures() async throws {
        try await Workspace.with { ws in
            try ws.write(junitXML(passed: 2, failed: true), to: "only-failures/results.xml")
            let result = try await ws.verdict(["report", ws.input.path, "--fail-on", "errored"])
            #expect(result.status == 0, "stderr: \(result.stderr)")
            #expect(result.stdout.contains("1 failed"))
            let strict = try await ws.verdict(["report", ws.input.path, "--fail-on", "failed"])
            #expect(strict.status == 1)
        }
    }

    @Test("--fail-on failed exits 0 when every test passed")
    func failOnFailedAllPassing() async throws {
        try await Workspace.with { ws in
            try ws.write(junitXML(passed: 3), to: "green/results.xml")
            let result = try await ws.verdict(["report", ws.input.path, "--fail-on", "failed"])
            #expect(result.status == 0, "stderr: \(result.stderr)")
            #expect(result.stdout.contains("PASSED 3 tests"))
        }
    }

    @Test("--fail-on none (the default) exits 0 on SampleData")
    func failOnNone() async throws {
        try await Workspace.with { ws in
            let explicit = try await ws.verdict(["report", "SampleData", "--fail-on", "none"])
            #expect(explicit.status == 0, "stderr: \(explicit.stderr)")
            #expect(explicit.stdout.contains("FAILED"))
            let implicit = try await ws.verdict(["report", "SampleData"])
            #expect(implicit.status == 0)
        }
    }

    @Test("exit 2 (an unreadable input) wins over 1 (--fail-on)")
    func twoWinsOverOne() async throws {
        try await Workspace.with { ws in
            try ws.write(junitXML(passed: 1, failed: true), to: "results/good.xml")
            try ws.write("this is no test report", to: "results/bad.xml")
            let result = try await ws.verdict([
                "report", ws.input.path, "--fail-on", "failed", "--json", ws.out("s.json"),
            ])
            #expect(result.status == 2)
            #expect(result.stderr.contains("bad.xml"))
            #expect(try SummaryJSON.read(ws.out("s.json")).totals.failed == 1)
        }
    }

    @Test("a missing input path exits 2 and names the path on stderr")
    func missingInput() async throws {
        try await Workspace.with { ws in
            let missing = ws.root.appendingPathComponent("no-such-results-folder").path
            let result = try await ws.verdict(["report", missing, "--json", ws.out("s.json")])
            #expect(result.status == 2)
            #expect(result.stderr.contains(missing))
            #expect(result.stderr.contains("no such file or folder"))
            #expect(try ws.outputListing().isEmpty, "nothing is written without an input")
        }
    }

    @Test("a folder without *.xml or *.json exits 2 with \"no input found\"; 0 with --allow-empty")
    func emptyFolder() async throws {
        try await Workspace.with { ws in
            try ws.write("not a report", to: "notes.txt")
            try ws.write("<testsuite/>", to: ".hidden/skipped.xml")  // hidden folders are not searched
            let result = try await ws.verdict(["report", ws.input.path])
            #expect(result.status == 2)
            #expect(result.stderr.contains("no input found"))

            let allowed = try await ws.verdict(["report", ws.input.path, "--allow-empty", "--json", ws.out("s.json")])
            #expect(allowed.status == 0, "stderr: \(allowed.stderr)")
            let summary = try SummaryJSON.read(ws.out("s.json"))
            #expect(summary.totals == .init(0, passed: 0, failed: 0, errored: 0, skipped: 0, flaky: 0))
            #expect(summary.inputs.isEmpty)
        }
    }

    @Test("an unknown flag is a usage error: exit 2, as documented")
    func unknownFlag() async throws {
        try await Workspace.with { ws in
            let result = try await ws.verdict(["report", "SampleData", "--no-such-flag"])
            #expect(result.stderr.contains("--no-such-flag"))
            #expect(result.stderr.contains("Usage:"))
            #expect(result.status != 0)
            // ArgumentParser alone would exit with EX_USAGE (64); Verdict documents 2 for usage errors.
            #expect(result.status == 2)
        }
    }
}
