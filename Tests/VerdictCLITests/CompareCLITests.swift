import Foundation
import Testing

@Suite("verdict compare")
struct CompareCLITests {
    @Test("CircleCI's /tests against the JUnit made from it: no differences, exit 0 even with --fail-on changes")
    func circleciAgainstLocal() async throws {
        try await Workspace.with { ws in
            let local = ws.out("local.xml")
            let made = try await ws.verdict(["report", "SampleData/circleci-v1.1", "--junit", local])
            #expect(made.status == 0, "stderr: \(made.stderr)")
            let result = try await ws.verdict([
                "compare", "SampleData/circleci-v1.1", local, "--json", ws.out("c.json"), "--fail-on", "changes",
            ])
            #expect(result.status == 0, "stderr: \(result.stderr)")
            #expect(result.stdout.hasPrefix("No differences: 25 tests on both sides"))
            let json = try #require(
                try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: ws.out("c.json"))))
                    as? [String: Any])
            for key in [
                "newFailures", "fixed", "newlySkipped", "unskipped", "onlyInBase", "onlyInHead", "slower", "faster",
            ] {
                #expect((json[key] as? [Any])?.isEmpty == true, "\(key) should be empty")
            }
            #expect((json["stillFailing"] as? [Any])?.count == 6)
            #expect((json["base"] as? [String: Any])?["tests"] as? Int == 25)
        }
    }

    @Test("a changed head: new failure first in Markdown, --fail-on new-failures exits 1, JUnit carries the change")
    func changedHead() async throws {
        try await Workspace.with { ws in
            let base = junitXML(suite: "shop", passed: 3)
            var head = junitXML(suite: "shop", passed: 2, failed: true)
            head = head.replacingOccurrences(of: "name=\"fails\"", with: "name=\"passes 2\"")
            try ws.write(base, to: "base/rspec/a.xml")
            try ws.write(head, to: "head/rspec/a.xml")
            let result = try await ws.verdict(
                [
                    "compare", "--base", "base", "--head", "head", "--markdown", ws.out("c.md"), "--html",
                    ws.out("c.html"), "--junit", ws.out("c.xml"), "--fail-on", "new-failures",
                ], in: ws.input)
            #expect(result.status == 1, "stderr: \(result.stderr)")
            let markdown = try ws.read(ws.out("c.md"))
            let firstSection = markdown.components(separatedBy: "\n### ").dropFirst().first
            #expect(firstSection?.hasPrefix("New failures (1)") == true, "\(markdown)")
            #expect(markdown.contains("shop.C › passes 2"))
            #expect(try ws.read(ws.out("c.html")).contains("New failures (1)"))
            let junit = try ws.read(ws.out("c.xml"))
            #expect(junit.contains("<property name=\"verdict.change\" value=\"new-failure\"/>"))
            if let xmllint = CLI.which("xmllint") {
                let check = try CLI.runTool(
                    xmllint, ["--noout", "--schema", CLI.junitSchema.path, ws.out("c.xml")], captureFolder: ws.capture)
                #expect(check.status == 0, "\(check.stderr)")
            }
        }
    }

    @Test("usage: BASE and HEAD are both required")
    func usage() async throws {
        try await Workspace.with { ws in
            let result = try await ws.verdict(["compare", "SampleData"])
            #expect(result.status == 2)
            #expect(result.stderr.contains("BASE and HEAD"))
        }
    }
}
