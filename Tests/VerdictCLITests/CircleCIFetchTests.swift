import Foundation
import Testing

extension LoggedRequest {
    /// The path with v1.1's `github` vcs written `gh`, so both spellings compare equal.
    var shortPath: String { path.replacingOccurrences(of: "/project/github/", with: "/project/gh/") }
}

@Suite("CircleCI: verdict fetch and report --circleci against a fake server")
struct CircleCIFetchTests {
    static let v1Job = "/api/v1.1/project/gh/acme-corp/storefront/48213"
    static let v2Project = "/api/v2/project/gh/acme-corp/storefront"
    static let page1Token = "AARLwwV9sGBp6xZ0Y2lyY2xlY2kvNDgyMTQvdGVzdHMvMTU="

    @Test("fetch --api v1.1 saves job.json and tests.json as served, one saved line each")
    func fetchV1() async throws {
        try await Workspace.with { ws in
            try await FakeCircleCI.with(ws) { server in
                let dir = ws.root.appendingPathComponent("fetched")
                let result = try await ws.circleci(
                    ["fetch", FakeCircleCI.project, "48213", "--out", dir.path, "--api", "v1.1"], server: server)
                #expect(result.status == 0, "stderr: \(result.stderr)")
                #expect(
                    try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == [
                        "job.json", "tests.json",
                    ])
                #expect(
                    jsonEqual(
                        try Data(contentsOf: dir.appendingPathComponent("job.json")),
                        try Samples.data(Samples.v1, "job.json")))
                #expect(
                    jsonEqual(
                        try Data(contentsOf: dir.appendingPathComponent("tests.json")),
                        try Samples.data(Samples.v1, "tests.json")))
                let saved = result.stdout.split(separator: "\n").filter { $0.hasPrefix("saved ") }
                #expect(saved.count == 2, "stdout: \(result.stdout)")
                #expect(saved.contains { $0.contains("job.json") } && saved.contains { $0.contains("tests.json") })

                let requests = try server.requests()
                #expect(requests.map(\.method) == ["GET", "GET"], "\(requests)")
                #expect(Set(requests.map(\.shortPath)) == [Self.v1Job, Self.v1Job + "/tests"])
                expectAuthenticatedJSON(requests)
                expectNoToken(result)
            }
        }
    }

    @Test("fetch --api v2 follows next_page_token (sent as page-token) and saves every page")
    func fetchV2() async throws {
        try await Workspace.with { ws in
            try await FakeCircleCI.with(ws) { server in
                let dir = ws.root.appendingPathComponent("fetched")
                let result = try await ws.circleci(
                    ["fetch", FakeCircleCI.project, "48214", "--out", dir.path, "--api", "v2"], server: server)
                #expect(result.status == 0, "stderr: \(result.stderr)")
                #expect(
                    try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == [
                        "job.json", "tests-page1.json", "tests-page2.json",
                    ])
                for name in ["job.json", "tests-page1.json", "tests-page2.json"] {
                    #expect(
                        jsonEqual(
                            try Data(contentsOf: dir.appendingPathComponent(name)), try Samples.data(Samples.v2, name)),
                        "\(name) differs from SampleData/circleci-v2/\(name)")
                }
                #expect(
                    result.stdout.split(separator: "\n").filter { $0.hasPrefix("saved ") }.count == 3,
                    "\(result.stdout)")

                let requests = try server.requests()
                #expect(requests.count == 3, "\(requests)")
                #expect(requests.contains { $0.path == Self.v2Project + "/job/48214" })
                let tests = requests.filter { $0.path == Self.v2Project + "/48214/tests" }
                #expect(tests.count == 2, "\(requests)")
                #expect(tests.first?.query["page-token"] == nil, "the first page is asked for without a token")
                #expect(tests.last?.query["page-token"] == Self.page1Token)
                expectAuthenticatedJSON(requests)
            }
        }
    }

    @Test("fetch --json prints what was saved as JSON")
    func fetchJSON() async throws {
        try await Workspace.with { ws in
            try await FakeCircleCI.with(ws) { server in
                let dir = ws.root.appendingPathComponent("fetched")
                let result = try await ws.circleci(
                    ["fetch", FakeCircleCI.project, "48213", "--out", dir.path, "--api", "v1.1", "--json"],
                    server: server)
                #expect(result.status == 0, "stderr: \(result.stderr)")
                #expect(
                    (try? JSONSerialization.jsonObject(with: result.stdoutData)) != nil, "not JSON: \(result.stdout)")
                #expect(result.stdout.contains("job.json") && result.stdout.contains("tests.json"), "\(result.stdout)")
                #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("tests.json").path))
            }
        }
    }

    @Test("fetching into a folder with an older fetch's extra page does not leave that page to be reported")
    func stalePages() async throws {
        try await Workspace.with { ws in
            try await FakeCircleCI.with(ws) { server in
                let dir = ws.root.appendingPathComponent("fetched")
                // An earlier fetch (of a job with three pages) left tests-page3.json behind.
                let stale =
                    #"{"items":[{"message":null,"source":"pytest","run_time":1.0,"file":"tests/old.py","#
                    + #""result":"failure","name":"test_from_an_older_fetch","classname":"tests.old"}],"#
                    + #""next_page_token":null}"#
                try ws.write(stale, to: "tests-page3.json", under: dir)
                let result = try await ws.circleci(
                    ["fetch", FakeCircleCI.project, "48214", "--out", dir.path, "--api", "v2"], server: server)
                if result.status == 0 {
                    let report = try await ws.verdict(["report", dir.path, "--json", ws.out("summary.json")])
                    #expect(report.status == 0, "stderr: \(report.stderr)")
                    #expect(
                        try SummaryJSON.read(ws.out("summary.json")).totals == Samples.v2Totals,
                        "the stale tests-page3.json was counted: \((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? [])"
                    )
                } else {
                    // Refusing to mix with an older fetch is fine too, if it says why.
                    #expect(result.stderr.contains(dir.lastPathComponent), "stderr: \(result.stderr)")
                }
            }
        }
    }

    @Test("fetch without --out writes circleci-JOB in the working folder")
    func defaultFolder() async throws {
        try await Workspace.with { ws in
            try await FakeCircleCI.with(ws) { server in
                let result = try await ws.circleci(
                    ["fetch", FakeCircleCI.project, "48213", "--api", "v1.1"], server: server)
                #expect(result.status == 0, "stderr: \(result.stderr)")
                let dir = ws.root.appendingPathComponent("circleci-48213")
                #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("job.json").path))
                #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("tests.json").path))
            }
        }
    }

    @Test("fetch --api v2 takes a circleci/ORG-ID/PROJECT-ID slug as it is")
    func circleciSlug() async throws {
        try await Workspace.with { ws in
            try await FakeCircleCI.with(ws) { server in
                let slug = "circleci/43G3kM5RtfFE7v5sa4nWAU/44n9pujWcTnVZ2b5S8Fnat"
                let dir = ws.root.appendingPathComponent("fetched")
                let result = try await ws.circleci(
                    ["fetch", slug, "48214", "--out", dir.path, "--api", "v2"], server: server)
                #expect(result.status == 0, "stderr: \(result.stderr)")
                let paths = try server.requests().map(\.path)
                #expect(paths.contains("/api/v2/project/\(slug)/job/48214"), "\(paths)")
                #expect(paths.contains("/api/v2/project/\(slug)/48214/tests"), "\(paths)")
            }
        }
    }

    @Test(
        "a fetched folder reports the same totals as SampleData's copy",
        arguments: [("v1.1", "48213"), ("v2", "48214")])
    func fetchedFolderReportsLikeSampleData(api: String, job: String) async throws {
        try await Workspace.with { ws in
            try await FakeCircleCI.with(ws) { server in
                let dir = ws.root.appendingPathComponent("fetched")
                let fetch = try await ws.circleci(
                    ["fetch", FakeCircleCI.project, job, "--out", dir.path, "--api", api], server: server)
                #expect(fetch.status == 0, "stderr: \(fetch.stderr)")
                let fetched = try await ws.verdict(["report", dir.path, "--json", ws.out("fetched.json")])
                #expect(fetched.status == 0, "stderr: \(fetched.stderr)")
                let sample = api == "v2" ? Samples.v2 : Samples.v1
                let direct = try await ws.verdict(["report", sample.path, "--json", ws.out("direct.json")])
                #expect(direct.status == 0, "stderr: \(direct.stderr)")
                let fetchedTotals = try SummaryJSON.read(ws.out("fetched.json")).totals
                #expect(try fetchedTotals == SummaryJSON.read(ws.out("direct.json")).totals)
                #expect(fetchedTotals == (api == "v2" ? Samples.v2Totals : Samples.v1Totals))
            }
        }
    }

    @Test("report --circleci fetches the job and reports it with local inputs")
    func reportCircleCI() async throws {
        try await Workspace.with { ws in
            try await FakeCircleCI.with(ws) { server in
                let alone = try await ws.circleci(
                    ["report", "--circleci", FakeCircleCI.project + "/48213", "--json", ws.out("alone.json")],
                    server: server)
                #expect(alone.status == 0, "stderr: \(alone.stderr)")
                #expect(try SummaryJSON.read(ws.out("alone.json")).totals == Samples.v1Totals)

                let rspec = CLI.sampleData.appendingPathComponent("rspec/rspec.xml").path
                let mixed = try await ws.circleci(
                    ["report", "--circleci", FakeCircleCI.project + "/48213", rspec, "--json", ws.out("mixed.json")],
                    server: server)
                #expect(mixed.status == 0, "stderr: \(mixed.stderr)")
                // 48213's 25 tests plus rspec.xml's 8 (SampleData/README.md).
                #expect(
                    try SummaryJSON.read(ws.out("mixed.json")).totals
                        == SummaryJSON.Totals(33, passed: 22, failed: 6, errored: 1, skipped: 4, flaky: 0))

                let v2 = try await ws.circleci(
                    [
                        "report", "--circleci", FakeCircleCI.project + "/48214", "--api", "v2", "--json",
                        ws.out("v2.json"),
                    ],
                    server: server)
                #expect(v2.status == 0, "stderr: \(v2.stderr)")
                #expect(try SummaryJSON.read(ws.out("v2.json")).totals == Samples.v2Totals)
                expectAuthenticatedJSON(try server.requests())
                // Only the three JSON summaries: the fetched files went to a temporary folder.
                #expect(try ws.outputListing() == ["alone.json", "mixed.json", "v2.json"])
            }
        }
    }

    @Test("a v2 server that repeats the same next_page_token is not followed forever")
    func repeatedPageToken() async throws {
        try await Workspace.with { ws in
            try await FakeCircleCI.with(ws) { server in
                let dir = ws.root.appendingPathComponent("fetched")
                let result = try await ws.circleci(
                    ["fetch", FakeCircleCI.project, "77701", "--out", dir.path, "--api", "v2"], server: server,
                    timeout: 30)
                #expect(!result.timedOut, "verdict kept asking for the same page")
                let pages = try server.requests().filter { $0.path.hasSuffix("/77701/tests") }
                #expect(pages.count >= 2 && pages.count <= 5, "\(pages.count) page requests")
                let message = result.stderr.lowercased()
                #expect(
                    message.contains("page") || message.contains("token"),
                    "an error or warning about the repeated token; status \(result.status), stderr: \(result.stderr)")
            }
        }
    }
}
