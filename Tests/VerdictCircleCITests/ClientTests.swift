import Foundation
import Testing

@testable import VerdictCircleCI

/// A transport that answers from a script and remembers what it was asked.
final class ScriptedTransport: HTTPTransport, @unchecked Sendable {
    private let lock = NSLock()
    private var script: [(HTTPRequest) -> Result<HTTPResponse, CircleCIError>]
    private(set) var requests: [HTTPRequest] = []

    init(_ script: [(HTTPRequest) -> Result<HTTPResponse, CircleCIError>]) {
        self.script = script
    }

    func send(_ request: HTTPRequest) async throws(CircleCIError) -> HTTPResponse {
        let step: ((HTTPRequest) -> Result<HTTPResponse, CircleCIError>)? = lock.withLock {
            requests.append(request)
            return script.isEmpty ? nil : script.removeFirst()
        }
        guard let step else { throw .network(method: request.method, path: request.path, reason: "script ended") }
        return try step(request).get()
    }

    var count: Int { lock.withLock { requests.count } }
}

func ok(_ json: String) -> (HTTPRequest) -> Result<HTTPResponse, CircleCIError> {
    { _ in .success(HTTPResponse(status: 200, body: Data(json.utf8))) }
}

func status(
    _ code: Int, _ headers: [String: String] = [:], _ body: String = "{}"
) -> (HTTPRequest) -> Result<
    HTTPResponse, CircleCIError
> {
    { _ in .success(HTTPResponse(status: code, headers: headers, body: Data(body.utf8))) }
}

/// Records the waits instead of sleeping.
final class Waits: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Double] = []
    func add(_ value: Double) { lock.withLock { values.append(value) } }
    var all: [Double] { lock.withLock { values } }
}

func client(_ transport: ScriptedTransport, waits: Waits, retries: Int = 4) -> CircleCIClient {
    CircleCIClient(
        transport: transport, policy: RetryPolicy(maxRetries: retries, baseDelay: 1, maxDelay: 60),
        sleep: { waits.add($0) }, now: { 1_000_000 })
}

@Suite("CircleCI client")
struct ClientTests {
    @Test("slugs", arguments: ["gh/a/b", "github/a/b", "bb/a/b", "bitbucket/a/b", "circleci/ORG/PROJ"])
    func slugs(_ text: String) throws {
        let slug = try ProjectSlug(text)
        #expect(slug.organization == text.split(separator: "/")[1].description)
    }

    @Test("bad slugs and job references are refused", arguments: ["gh/a", "gl/a/b", "gh//b", "gh/a/b/c", ""])
    func badSlugs(_ text: String) {
        #expect(throws: CircleCIError.self) { try ProjectSlug(text) }
    }

    @Test("job references and v1.1 paths")
    func references() throws {
        let job = try JobReference("gh/acme/shop/48213")
        #expect(job.number == 48213 && job.project.description == "gh/acme/shop")
        #expect(try job.project.v1Path() == "github/acme/shop")
        #expect(throws: CircleCIError.v2Only("circleci/o/p")) { try ProjectSlug("circleci/o/p").v1Path() }
        #expect(throws: CircleCIError.self) { try JobReference("gh/acme/shop/x") }
    }

    @Test("Retry-After as seconds or an HTTP date; backoff doubles within a cap")
    func retryPolicy() {
        #expect(RetryPolicy.parseRetryAfter("3", now: 0) == 3)
        #expect(RetryPolicy.parseRetryAfter("Thu, 01 Jan 1970 00:00:10 GMT", now: 4) == 6)
        #expect(RetryPolicy.parseRetryAfter("soon", now: 0) == nil)
        let policy = RetryPolicy(maxRetries: 5, baseDelay: 1, maxDelay: 10)
        #expect(policy.delay(attempt: 1, retryAfter: nil, random: 1) == 1)
        #expect(policy.delay(attempt: 3, retryAfter: nil, random: 1) == 4)
        #expect(policy.delay(attempt: 3, retryAfter: nil, random: 0) == 2)
        #expect(policy.delay(attempt: 9, retryAfter: nil, random: 1) == 10)
        #expect(policy.delay(attempt: 1, retryAfter: 600, random: 0) == 10)
    }

    @Test("a GET is retried after 429 (waiting Retry-After) and 503, then succeeds")
    func getRetries() async throws {
        let transport = ScriptedTransport([status(429, ["retry-after": "2"]), status(503), ok("{\"a\":1}")])
        let waits = Waits()
        let data = try await client(transport, waits: waits).get("/x")
        #expect(String(decoding: data, as: UTF8.self) == "{\"a\":1}")
        #expect(transport.count == 3)
        #expect(waits.all.first == 2)
        #expect(waits.all.count == 2)
    }

    @Test("a GET gives up after the last retry with the server's message")
    func getGivesUp() async {
        let transport = ScriptedTransport(
            Array(repeating: status(503, [:], #"{"message":"Service unavailable."}"#), count: 3))
        await #expect(
            throws: CircleCIError.http(status: 503, method: "GET", path: "/x", message: "Service unavailable.")
        ) {
            try await client(transport, waits: Waits(), retries: 2).get("/x")
        }
        #expect(transport.count == 3)
    }

    @Test("404 and 401 are not retried")
    func noRetryOnClientErrors() async {
        for code in [401, 404] {
            let transport = ScriptedTransport([status(code), ok("{}")])
            await #expect(throws: CircleCIError.self) { try await client(transport, waits: Waits()).get("/x") }
            #expect(transport.count == 1)
        }
    }

    @Test("connection errors are retried for GETs, never for POSTs")
    func connectionErrors() async throws {
        let refused: (HTTPRequest) -> Result<HTTPResponse, CircleCIError> = {
            .failure(.network(method: $0.method, path: $0.path, reason: "connection refused"))
        }
        let get = ScriptedTransport([refused, ok("{}")])
        _ = try await client(get, waits: Waits()).get("/x")
        #expect(get.count == 2)
        let post = ScriptedTransport([refused, ok("{}")])
        await #expect(throws: CircleCIError.self) { try await client(post, waits: Waits()).post("/x") }
        #expect(post.count == 1)
        let failing = ScriptedTransport([status(500), ok("{}")])
        await #expect(throws: CircleCIError.self) { try await client(failing, waits: Waits()).post("/x") }
        #expect(failing.count == 1)
    }

    @Test("timeouts are not retried")
    func timeouts() async {
        let transport = ScriptedTransport([
            { .failure(.timeout(method: $0.method, path: $0.path, seconds: 1)) }, ok("{}"),
        ])
        await #expect(throws: CircleCIError.timeout(method: "GET", path: "/x", seconds: 1)) {
            try await client(transport, waits: Waits()).get("/x")
        }
        #expect(transport.count == 1)
    }

    @Test("v2 paging follows next_page_token and stops on a repeated token")
    func paging() async throws {
        let pages = ScriptedTransport([
            ok(#"{"items":[1],"next_page_token":"A B"}"#), ok(#"{"items":[2],"next_page_token":"C"}"#),
            ok(#"{"items":[3],"next_page_token":null}"#),
        ])
        let (result, warning) = try await client(pages, waits: Waits()).getPages("/api/v2/x/tests")
        #expect(result.count == 3 && warning == nil)
        #expect(
            pages.requests.map(\.path) == [
                "/api/v2/x/tests", "/api/v2/x/tests?page-token=A%20B", "/api/v2/x/tests?page-token=C",
            ])
        let looping = ScriptedTransport(Array(repeating: ok(#"{"items":[1],"next_page_token":"T"}"#), count: 10))
        let (stuck, stuckWarning) = try await client(looping, waits: Waits()).getPages("/t")
        #expect(stuck.count == 2)
        #expect(stuckWarning?.contains("same next_page_token") == true)
    }

    @Test("trigger bodies: job also as CIRCLE_JOB, branch in the path, never revision with tag")
    func triggerBody() async throws {
        let transport = ScriptedTransport([ok(#"{"build_num":1}"#)])
        let jobs = CircleCIJobs(client: client(transport, waits: Waits()))
        _ = try await jobs.trigger(
            try ProjectSlug("gh/acme/shop"),
            TriggerOptions(branch: "feature/x", revision: "abc", job: "deploy", parallel: 2, parameters: ["A": "1"]))
        let request = try #require(transport.requests.first)
        #expect(request.path == "/api/v1.1/project/github/acme/shop/tree/feature%2Fx")
        let body = try #require(try JSONSerialization.jsonObject(with: request.body ?? Data()) as? [String: Any])
        #expect(
            body["job"] as? String == "deploy" && body["revision"] as? String == "abc" && body["parallel"] as? Int == 2)
        #expect((body["build_parameters"] as? [String: String]) == ["A": "1", "CIRCLE_JOB": "deploy"])
        await #expect(throws: CircleCIError.self) {
            try await jobs.trigger(try ProjectSlug("gh/acme/shop"), TriggerOptions(revision: "a", tag: "v1"))
        }
        #expect(transport.count == 1)
    }
}
