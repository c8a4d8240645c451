import Foundation
import Testing

@Suite("CircleCI: verdict job and pipeline commands against a fake server")
struct CircleCIJobTests {
    static let v1Project = "/api/v1.1/project/gh/acme-corp/storefront"
    static let v2Project = "/api/v2/project/gh/acme-corp/storefront"

    @Test("job show (v1.1) prints the number, status, URL and steps")
    func showV1() async throws {
        try await Workspace.with { ws in
            try await FakeCircleCI.with(ws) { server in
                let result = try await ws.circleci(
                    ["job", "show", FakeCircleCI.project, "48213", "--api", "v1.1"], server: server)
                #expect(result.status == 0, "stderr: \(result.stderr)")
                for text in [
                    "48213", "failed", "https://circleci.com/gh/acme-corp/storefront/48213",
                    "Run RSpec (split by timings)",
                    "Run Jest (split by timings)", "Uploading test results",
                ] {
                    #expect(result.stdout.contains(text), "missing \(text.debugDescription) in: \(result.stdout)")
                }
                let requests = try server.requests()
                #expect(requests.map(\.shortPath) == [Self.v1Project + "/48213"])
                expectAuthenticatedJSON(requests)
            }
        }
    }

    @Test("job show (v2) prints the number, status and web URL")
    func showV2() async throws {
        try await Workspace.with { ws in
            try await FakeCircleCI.with(ws) { server in
                let result = try await ws.circleci(
                    ["job", "show", FakeCircleCI.project, "48214", "--api", "v2"], server: server)
                #expect(result.status == 0, "stderr: \(result.stderr)")
                for text in ["48214", "failed", "https://app.circleci.com/pipelines/github/acme-corp/storefront/7715/"]
                {
                    #expect(result.stdout.contains(text), "missing \(text.debugDescription) in: \(result.stdout)")
                }
                let requests = try server.requests()
                #expect(requests.map(\.path) == [Self.v2Project + "/job/48214"])
                expectAuthenticatedJSON(requests)
            }
        }
    }

    @Test("job show --json prints the response body", arguments: [("v1.1", "48213"), ("v2", "48214")])
    func showJSON(api: String, job: String) async throws {
        try await Workspace.with { ws in
            try await FakeCircleCI.with(ws) { server in
                let result = try await ws.circleci(
                    ["job", "show", FakeCircleCI.project, job, "--api", api, "--json"], server: server)
                #expect(result.status == 0, "stderr: \(result.stderr)")
                let sample = try Samples.data(api == "v2" ? Samples.v2 : Samples.v1, "job.json")
                #expect(jsonEqual(result.stdoutData, sample), "stdout: \(result.stdout.prefix(300))")
            }
        }
    }

    @Test("job retry posts once to /retry (or /ssh) and prints the new job")
    func retryV1() async throws {
        try await Workspace.with { ws in
            try await FakeCircleCI.with(ws) { server in
                let result = try await ws.circleci(
                    ["job", "retry", FakeCircleCI.project, "48213", "--api", "v1.1"], server: server)
                #expect(result.status == 0, "stderr: \(result.stderr)")
                for text in ["48231", "not_running", "https://circleci.com/gh/acme-corp/storefront/48231"] {
                    #expect(result.stdout.contains(text), "missing \(text.debugDescription) in: \(result.stdout)")
                }
                let ssh = try await ws.circleci(
                    ["job", "retry", FakeCircleCI.project, "48213", "--ssh", "--api", "v1.1", "--json"], server: server)
                #expect(ssh.status == 0, "stderr: \(ssh.stderr)")
                let body = try #require(try JSONSerialization.jsonObject(with: ssh.stdoutData) as? [String: Any])
                #expect(body["build_num"] as? Int == 48231)
                #expect(body["retry_of"] as? Int == 48213)

                let requests = try server.requests()
                #expect(
                    requests.map { "\($0.method) \($0.shortPath)" } == [
                        "POST \(Self.v1Project)/48213/retry", "POST \(Self.v1Project)/48213/ssh",
                    ])
                expectAuthenticatedJSON(requests)
            }
        }
    }

    @Test("job retry --api v2 reruns the job's workflow with just that job")
    func retryV2() async throws {
        try await Workspace.with { ws in
            try await FakeCircleCI.with(ws) { server in
                let result = try await ws.circleci(
                    ["job", "retry", FakeCircleCI.project, "48214", "--api", "v2"], server: server)
                #expect(result.status == 0, "stderr: \(result.stderr)")
                let requests = try server.requests()
                let reruns = requests.filter { $0.method == "POST" }
                #expect(
                    reruns.map(\.path) == ["/api/v2/workflow/c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f/rerun"], "\(requests)"
                )
                let body = try #require(try reruns.first?.json())
                #expect(body["jobs"] as? [String] == ["7d3c2b1a-0f9e-4d8c-b7a6-5e4d3c2b1a09"], "\(body)")
                expectAuthenticatedJSON(requests)
            }
        }
    }

    @Test("job cancel posts once to cancel (v1.1 and v2)")
    func cancel() async throws {
        try await Workspace.with { ws in
            try await FakeCircleCI.with(ws) { server in
                let v1 = try await ws.circleci(
                    ["job", "cancel", FakeCircleCI.project, "48213", "--api", "v1.1"], server: server)
                #expect(v1.status == 0, "stderr: \(v1.stderr)")
                #expect(v1.stdout.contains("canceled"), "stdout: \(v1.stdout)")
                let v1JSON = try await ws.circleci(
                    ["job", "cancel", FakeCircleCI.project, "48213", "--api", "v1.1", "--json"], server: server)
                #expect(jsonEqual(v1JSON.stdoutData, try Data(contentsOf: Samples.cancel)), "stdout: \(v1JSON.stdout)")
                let v2 = try await ws.circleci(
                    ["job", "cancel", FakeCircleCI.project, "48214", "--api", "v2"], server: server)
                #expect(v2.status == 0, "stderr: \(v2.stderr)")

                let requests = try server.requests()
                #expect(
                    requests.map { "\($0.method) \($0.shortPath)" } == [
                        "POST \(Self.v1Project)/48213/cancel", "POST \(Self.v1Project)/48213/cancel",
                        "POST \(Self.v2Project)/job/48214/cancel",
                    ])
                expectAuthenticatedJSON(requests)
            }
        }
    }

    @Test("job trigger --branch posts to /tree/BRANCH with the branch percent-encoded")
    func triggerBranch() async throws {
        try await Workspace.with { ws in
            try await FakeCircleCI.with(ws) { server in
                let result = try await ws.circleci(
                    ["job", "trigger", FakeCircleCI.project, "--branch", "feature/x"], server: server)
                #expect(result.status == 0, "stderr: \(result.stderr)")
                for text in ["48250", "not_running", "https://circleci.com/gh/acme-corp/storefront/48250"] {
                    #expect(result.stdout.contains(text), "missing \(text.debugDescription) in: \(result.stdout)")
                }
                let requests = try server.requests()
                #expect(requests.count == 1)
                #expect(requests.first?.method == "POST")
                #expect(requests.first?.shortPath.lowercased() == (Self.v1Project + "/tree/feature%2fx"), "\(requests)")
                #expect(requests.first?.headers["content-type"]?.hasPrefix("application/json") == true)
                expectAuthenticatedJSON(requests)
            }
        }
    }

    @Test("job trigger sends revision, tag, job, parallel and parameters in the body")
    func triggerBody() async throws {
        try await Workspace.with { ws in
            try await FakeCircleCI.with(ws) { server in
                let project = FakeCircleCI.project
                let runs: [[String]] = [
                    ["job", "trigger", project, "--revision", "9f1c2e7ab4d05563e0b1f8a2c3d4e5f60718293a"],
                    ["job", "trigger", project, "--tag", "v1.2.3"],
                    ["job", "trigger", project, "--branch", "main", "--job", "deploy", "--parallel", "3"],
                    ["job", "trigger", project, "--param", "FOO=bar", "--param", "QUERY=a=b", "--job", "lint"],
                ]
                for arguments in runs {
                    let result = try await ws.circleci(arguments, server: server)
                    #expect(result.status == 0, "\(arguments): \(result.stderr)")
                }
                let requests = try server.requests()
                try #require(requests.count == 4, "\(requests)")
                #expect(requests.allSatisfy { $0.method == "POST" })
                #expect(requests[0].shortPath == Self.v1Project)
                #expect(try requests[0].json()["revision"] as? String == "9f1c2e7ab4d05563e0b1f8a2c3d4e5f60718293a")
                #expect(try requests[0].json()["tag"] == nil)
                #expect(requests[1].shortPath == Self.v1Project)
                #expect(try requests[1].json()["tag"] as? String == "v1.2.3")

                #expect(requests[2].shortPath == Self.v1Project + "/tree/main")
                let deploy = try requests[2].json()
                #expect(deploy["job"] as? String == "deploy")
                #expect(
                    (deploy["build_parameters"] as? [String: Any])?["CIRCLE_JOB"] as? String == "deploy", "\(deploy)")
                #expect(deploy["parallel"] as? Int == 3, "\(deploy)")

                let parameters = try requests[3].json()["build_parameters"] as? [String: Any]
                #expect(parameters?["FOO"] as? String == "bar", "\(requests[3].body)")
                #expect(parameters?["QUERY"] as? String == "a=b", "KEY=VALUE splits at the first =")
                #expect(parameters?["CIRCLE_JOB"] as? String == "lint")
                expectAuthenticatedJSON(requests)
            }
        }
    }

    @Test("job trigger with both --revision and --tag is a usage error before any request")
    func triggerRevisionAndTag() async throws {
        try await Workspace.with { ws in
            try await FakeCircleCI.with(ws) { server in
                let result = try await ws.circleci(
                    ["job", "trigger", FakeCircleCI.project, "--revision", "abc123", "--tag", "v1"], server: server)
                #expect(result.status == 2, "stdout: \(result.stdout) stderr: \(result.stderr)")
                #expect(result.stderr.contains("--revision") && result.stderr.contains("--tag"), "\(result.stderr)")
                #expect(try server.requests().isEmpty)
            }
        }
    }

    @Test("pipeline trigger: v1.1 posts to /build, v2 to /pipeline with parameters")
    func pipelineTrigger() async throws {
        try await Workspace.with { ws in
            try await FakeCircleCI.with(ws) { server in
                let v1 = try await ws.circleci(
                    ["pipeline", "trigger", FakeCircleCI.project, "--branch", "main", "--api", "v1.1"], server: server)
                #expect(v1.status == 0, "stderr: \(v1.stderr)")
                let v2 = try await ws.circleci(
                    [
                        "pipeline", "trigger", FakeCircleCI.project, "--branch", "feature/x", "--api", "v2", "--param",
                        "deploy_env=staging",
                    ], server: server)
                #expect(v2.status == 0, "stderr: \(v2.stderr)")
                #expect(v2.stdout.contains("7716"), "the new pipeline's number: \(v2.stdout)")
                let v2JSON = try await ws.circleci(
                    ["pipeline", "trigger", FakeCircleCI.project, "--tag", "v1.2.3", "--api", "v2", "--json"],
                    server: server)
                let created = try JSONSerialization.jsonObject(with: v2JSON.stdoutData) as? [String: Any]
                #expect(created?["number"] as? Int == 7716, "stdout: \(v2JSON.stdout)")

                let requests = try server.requests()
                try #require(requests.count == 3, "\(requests)")
                #expect(
                    requests[0].method == "POST"
                        && requests[0].shortPath == "/api/v1.1/project/gh/acme-corp/storefront/build")
                #expect(try requests[0].json()["branch"] as? String == "main")
                #expect(requests[1].method == "POST" && requests[1].path == Self.v2Project + "/pipeline")
                let body = try requests[1].json()
                #expect(body["branch"] as? String == "feature/x")
                #expect((body["parameters"] as? [String: Any])?["deploy_env"] as? String == "staging", "\(body)")
                #expect(try requests[2].json()["tag"] as? String == "v1.2.3")
                expectAuthenticatedJSON(requests)
            }
        }
    }
}
