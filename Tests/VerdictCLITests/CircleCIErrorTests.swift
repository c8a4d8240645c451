import Foundation
import Testing

@Suite("CircleCI: retries, errors, timeouts and the token")
struct CircleCIErrorTests {
    static let v1Project = "/api/v1.1/project/gh/acme-corp/storefront"
    static let v2Project = "/api/v2/project/gh/acme-corp/storefront"

    @Test("429 with Retry-After: 1 is waited out, then the job is shown")
    func rateLimited() async throws {
        try await Workspace.with { ws in
            try await FakeCircleCI.with(ws) { server in
                let (result, seconds) = try await elapsed {
                    try await ws.circleci(
                        ["job", "show", FakeCircleCI.project, "42901", "--api", "v1.1"], server: server)
                }
                #expect(result.status == 0, "stderr: \(result.stderr)")
                #expect(result.stdout.contains("failed"), "job 48213's data is served: \(result.stdout)")
                let requests = try server.requests()
                #expect(requests.map(\.status) == [429, 200], "\(requests)")
                #expect(Set(requests.map(\.shortPath)) == [Self.v1Project + "/42901"])
                #expect(seconds >= 0.9, "Retry-After: 1 was not honoured (took \(seconds) s)")
            }
        }
    }

    @Test("GETs are retried through 503, 503 (v2) and 502 (v1.1 fetch)")
    func serverErrorsRetried() async throws {
        try await Workspace.with { ws in
            try await FakeCircleCI.with(ws) { server in
                let show = try await ws.circleci(
                    ["job", "show", FakeCircleCI.project, "50301", "--api", "v2"], server: server)
                #expect(show.status == 0, "stderr: \(show.stderr)")
                #expect(try server.requests().map(\.status) == [503, 503, 200])

                let dir = ws.root.appendingPathComponent("fetched")
                let fetch = try await ws.circleci(
                    ["fetch", FakeCircleCI.project, "50201", "--api", "v1.1", "--out", dir.path], server: server)
                #expect(fetch.status == 0, "stderr: \(fetch.stderr)")
                let fetchRequests = try server.requests().dropFirst(3)
                #expect(fetchRequests.map(\.status).sorted() == [200, 200, 502, 502], "\(fetchRequests)")
                #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("tests.json").path))
                expectAuthenticatedJSON(try server.requests())
            }
        }
    }

    @Test("--max-retries 1 gives up after two 503s with exit 3")
    func maxRetries() async throws {
        try await Workspace.with { ws in
            try await FakeCircleCI.with(ws) { server in
                let result = try await ws.circleci(
                    ["job", "show", FakeCircleCI.project, "50301", "--api", "v2", "--max-retries", "1"], server: server)
                #expect(result.status == 3, "stdout: \(result.stdout) stderr: \(result.stderr)")
                #expect(result.stderr.contains("503"), "\(result.stderr)")
                #expect(try server.requests().count == 2)
            }
        }
    }

    @Test(
        "a POST answered 500 is not retried and exits 3",
        arguments: [["retry", "--api", "v1.1"], ["cancel", "--api", "v1.1"], ["cancel", "--api", "v2"]])
    func postNotRetried(command: [String]) async throws {
        try await Workspace.with { ws in
            try await FakeCircleCI.with(ws) { server in
                let result = try await ws.circleci(
                    ["job", command[0], FakeCircleCI.project, "50001"] + command.dropFirst(), server: server)
                #expect(result.status == 3, "stdout: \(result.stdout) stderr: \(result.stderr)")
                #expect(result.stderr.contains("500"), "\(result.stderr)")
                let posts = try server.requests().filter { $0.method == "POST" }
                #expect(posts.count == 1, "\(posts)")
                #expect(posts.first?.path.hasSuffix("/50001/\(command[0])") == true)
            }
        }
    }

    @Test("401: exit 3, the message points at the token and does not print it")
    func unauthorized() async throws {
        try await Workspace.with { ws in
            try await FakeCircleCI.with(ws) { server in
                let result = try await ws.circleci(
                    ["job", "show", FakeCircleCI.project, "48213", "--api", "v1.1", "--verbose"], server: server,
                    token: "wrong-token-456")
                #expect(result.status == 3, "stdout: \(result.stdout) stderr: \(result.stderr)")
                #expect(result.stderr.lowercased().contains("token"), "\(result.stderr)")
                #expect(!(result.stdout + result.stderr).contains("wrong-token-456"))
                #expect(try server.requests().map(\.status) == [401], "401 is not retried")
            }
        }
    }

    @Test("404: exit 3, the message names the project and the job")
    func notFound() async throws {
        try await Workspace.with { ws in
            try await FakeCircleCI.with(ws) { server in
                let job = try await ws.circleci(
                    ["job", "show", FakeCircleCI.project, "40401", "--api", "v1.1"], server: server)
                #expect(job.status == 3, "stdout: \(job.stdout) stderr: \(job.stderr)")
                #expect(job.stderr.contains("40401") && job.stderr.contains("acme-corp/storefront"), "\(job.stderr)")
                #expect(try server.requests().count == 1, "404 is not retried")

                let project = try await ws.circleci(
                    ["fetch", "gh/acme-corp/nope", "48213", "--api", "v2", "--out", ws.out("nope")], server: server)
                #expect(project.status == 3, "stdout: \(project.stdout) stderr: \(project.stderr)")
                #expect(project.stderr.contains("acme-corp/nope"), "\(project.stderr)")
            }
        }
    }

    @Test("--timeout 1 against a server that takes 60 s exits 3 long before the server answers")
    func timeout() async throws {
        try await Workspace.with { ws in
            try await FakeCircleCI.with(ws) { server in
                let (result, seconds) = try await elapsed {
                    try await ws.circleci(
                        ["job", "show", FakeCircleCI.project, "99901", "--api", "v1.1", "--timeout", "1"],
                        server: server,
                        timeout: 90)
                }
                #expect(result.status == 3, "stdout: \(result.stdout) stderr: \(result.stderr)")
                // Each attempt gives up after 1 s (retries and their backoff included, a few seconds);
                // waiting for the server would take 60 s. The bound leaves room for a loaded CI machine.
                #expect(seconds < 30, "took \(seconds) s")
                #expect(result.stderr.lowercased().contains("time"), "the message says it timed out: \(result.stderr)")
            }
        }
    }

    @Test("a host that refuses connections exits 3")
    func connectionRefused() async throws {
        try await Workspace.with { ws in
            let result = try await ws.circleci(
                [
                    "job", "show", FakeCircleCI.project, "48213", "--api", "v1.1", "--host", "http://127.0.0.1:1",
                    "--max-retries", "0",
                ], server: nil)
            #expect(result.status == 3, "stdout: \(result.stdout) stderr: \(result.stderr)")
            #expect(!result.stderr.isEmpty)
        }
    }

    @Test("bad slugs and job references are usage errors (exit 2) and send nothing")
    func badSlugs() async throws {
        try await Workspace.with { ws in
            try await FakeCircleCI.with(ws) { server in
                let runs: [[String]] = [
                    ["job", "show", "acme-corp/storefront", "48213"],
                    ["fetch", "gl/acme-corp/storefront", "48213", "--out", ws.out("x")],
                    ["job", "show", FakeCircleCI.project, "not-a-number"],
                    ["report", "--circleci", FakeCircleCI.project, "--json", ws.out("x.json")],
                ]
                for arguments in runs {
                    let result = try await ws.circleci(arguments, server: server)
                    #expect(result.status == 2, "\(arguments): stdout \(result.stdout) stderr \(result.stderr)")
                    #expect(!result.stderr.isEmpty, "\(arguments)")
                }
                #expect(try server.requests().isEmpty)
            }
        }
    }

    @Test("no token: exit 2 with a message naming CIRCLE_TOKEN, and no request")
    func missingToken() async throws {
        try await Workspace.with { ws in
            try await FakeCircleCI.with(ws) { server in
                let result = try await ws.circleci(
                    ["fetch", FakeCircleCI.project, "48213", "--out", ws.out("f")], server: server, token: nil)
                #expect(result.status == 2, "stdout: \(result.stdout) stderr: \(result.stderr)")
                #expect(result.stderr.contains("CIRCLE_TOKEN"), "\(result.stderr)")
                #expect(result.stderr.contains("--token-file"), "\(result.stderr)")
                let missingFile = try await ws.circleci(
                    [
                        "job", "show", FakeCircleCI.project, "48213", "--token-file",
                        ws.root.appendingPathComponent("none").path,
                    ],
                    server: server, token: nil)
                #expect(missingFile.status == 2, "stdout: \(missingFile.stdout) stderr: \(missingFile.stderr)")
                #expect(try server.requests().isEmpty)
            }
        }
    }

    @Test("--token-file supplies the token (its trailing newline is not part of it)")
    func tokenFile() async throws {
        try await Workspace.with { ws in
            try await FakeCircleCI.with(ws) { server in
                let file = try ws.write(FakeCircleCI.token + "\n", to: "token.txt")
                let result = try await ws.circleci(
                    [
                        "job", "show", FakeCircleCI.project, "48213", "--api", "v1.1", "--token-file", file.path,
                        "--verbose",
                    ],
                    server: server, token: nil)
                #expect(result.status == 0, "stderr: \(result.stderr)")
                expectAuthenticatedJSON(try server.requests())
                expectNoToken(result)
            }
        }
    }

    @Test("CIRCLECI_HOST is used when --host is not given")
    func hostFromEnvironment() async throws {
        try await Workspace.with { ws in
            try await FakeCircleCI.with(ws) { server in
                let result = try await ws.circleci(
                    ["job", "show", FakeCircleCI.project, "48214", "--api", "v2"], server: nil,
                    environment: ["CIRCLECI_HOST": server.baseURL])
                #expect(result.status == 0, "stderr: \(result.stderr)")
                #expect(try server.requests().map(\.path) == [Self.v2Project + "/job/48214"])
            }
        }
    }

    @Test("the token never appears in output, fetched files or reports, even with --verbose")
    func tokenNeverPrinted() async throws {
        try await Workspace.with { ws in
            try await FakeCircleCI.with(ws) { server in
                let fetched = ws.root.appendingPathComponent("fetched")
                let project = FakeCircleCI.project
                let runs: [[String]] = [
                    ["fetch", project, "48213", "--api", "v1.1", "--out", fetched.appendingPathComponent("v1").path],
                    ["fetch", project, "48214", "--api", "v2", "--out", fetched.appendingPathComponent("v2").path],
                    [
                        "fetch", project, "50201", "--api", "v1.1", "--out",
                        fetched.appendingPathComponent("retried").path,
                    ],
                    ["job", "show", project, "48213", "--api", "v1.1"],
                    ["job", "retry", project, "48213", "--api", "v1.1", "--json"],
                    ["job", "trigger", project, "--branch", "main", "--json"],
                    ["job", "cancel", project, "50001", "--api", "v1.1"],
                    ["job", "show", project, "99901", "--api", "v1.1", "--timeout", "1", "--max-retries", "0"],
                    [
                        "report", "--circleci", project + "/48213", "--html", ws.out("r.html"), "--markdown",
                        ws.out("r.md"),
                        "--junit", ws.out("r.xml"), "--json", ws.out("r.json"),
                    ],
                ]
                var verboseText = ""
                for arguments in runs {
                    let result = try await ws.circleci(arguments + ["--verbose"], server: server, timeout: 30)
                    expectNoToken(result)
                    verboseText += result.stderr + result.stdout
                }
                #expect(verboseText.contains("/api/v1.1/project/"), "--verbose shows the requests")
                let files = filesUnder(fetched) + filesUnder(ws.output)
                #expect(files.count >= 9, "\(files.map(\.path))")
                for file in files {
                    let data = try Data(contentsOf: file)
                    #expect(
                        !String(decoding: data, as: UTF8.self).contains(FakeCircleCI.token), "token in \(file.path)")
                }
            }
        }
    }
}
