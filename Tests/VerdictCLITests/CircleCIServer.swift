import Foundation
import Testing

/// One request the fake CircleCI server saw (a line of its log).
struct LoggedRequest: Decodable, Sendable, CustomStringConvertible {
    var method: String
    /// As sent: still percent-encoded, without the query.
    var path: String
    var query: [String: String]
    /// Lower-cased names.
    var headers: [String: String]
    var body: String
    /// What the server answered.
    var status: Int

    /// The body as a JSON object (empty when there is none).
    func json() throws -> [String: Any] {
        if body.isEmpty { return [:] }
        let value = try JSONSerialization.jsonObject(with: Data(body.utf8))
        return try #require(value as? [String: Any], "body is not a JSON object: \(body)")
    }

    var description: String { "\(method) \(path)\(query.isEmpty ? "" : " \(query)") -> \(status)" }
}

/// Tests/VerdictCLITests/Support/fake_circleci.py, running on a free port of 127.0.0.1 for one test.
struct FakeCircleCI: Sendable {
    static let token = "secret-token-123"
    static let project = "gh/acme-corp/storefront"
    static let script = CLI.packageRoot.appendingPathComponent("Tests/VerdictCLITests/Support/fake_circleci.py")

    let baseURL: String
    let logURL: URL

    struct StartError: Error, CustomStringConvertible {
        var description: String
    }

    /// Every request so far, in arrival order.
    func requests() throws -> [LoggedRequest] {
        let text = (try? String(contentsOf: logURL, encoding: .utf8)) ?? ""
        return try text.split(separator: "\n").map { line in
            try JSONDecoder().decode(LoggedRequest.self, from: Data(line.utf8))
        }
    }

    /// Starts the server with its log in `ws.root/server`, runs `body`, then stops the server.
    static func with<T>(_ ws: Workspace, _ body: (FakeCircleCI) async throws -> T) async throws -> T {
        let python = try #require(CLI.which("python3"), "python3 is needed for the fake CircleCI server")
        let folder = ws.root.appendingPathComponent("server")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let logURL = folder.appendingPathComponent("requests.jsonl")
        let errURL = folder.appendingPathComponent("stderr.txt")
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let errHandle = try FileHandle(forWritingTo: errURL)
        defer { try? errHandle.close() }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script.path, "--root", CLI.packageRoot.path, "--log", logURL.path]
        let input = Pipe()  // the server exits when this closes, even if this test process dies
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errHandle
        try process.run()
        let watchdog = Watchdog()
        watchdog.arm(process, after: 20)  // no PORT line in time: kill, so the read ends
        // The watchdog is stood down on the reading thread, the moment the line arrives: the awaiting
        // task may run much later when other tests block the cooperative threads.
        let firstLine = await readLine(output.fileHandleForReading, then: watchdog.finish)

        func stop() async {
            try? input.fileHandleForWriting.close()
            if process.isRunning { process.terminate() }
            await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                DispatchQueue.global().async {
                    process.waitUntilExit()
                    done.resume()
                }
            }
            try? output.fileHandleForReading.close()
        }
        guard firstLine.hasPrefix("PORT "), let port = Int(firstLine.dropFirst(5)) else {
            await stop()
            let err = (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
            throw StartError(
                description: "the fake CircleCI server did not start: \(firstLine.debugDescription) \(err)")
        }
        let server = FakeCircleCI(baseURL: "http://127.0.0.1:\(port)", logURL: logURL)
        do {
            let result = try await body(server)
            await stop()
            return result
        } catch {
            await stop()
            throw error
        }
    }

    /// The first line `handle` gives (without the newline), read off the cooperative thread pool.
    private static func readLine(_ handle: FileHandle, then arrived: @escaping @Sendable () -> Void) async -> String {
        await withCheckedContinuation { (done: CheckedContinuation<String, Never>) in
            DispatchQueue.global().async {
                var bytes = Data()
                while !bytes.contains(UInt8(ascii: "\n")) {
                    let chunk = handle.availableData
                    if chunk.isEmpty { break }
                    bytes.append(chunk)
                }
                let line = String(decoding: bytes, as: UTF8.self).split(separator: "\n").first ?? ""
                if line.hasPrefix("PORT ") { arrived() }
                done.resume(returning: String(line))
            }
        }
    }
}

extension Workspace {
    /// Runs `verdict` in the workspace root against `server` (`--host` appended), with the token in
    /// CIRCLE_TOKEN (unless `token` is nil), a short retry backoff, and no proxy or host from outside.
    func circleci(
        _ arguments: [String], server: FakeCircleCI?, token: String? = FakeCircleCI.token,
        environment: [String: String] = [:], timeout: Double = 60
    ) async throws -> CLI.RunResult {
        var env = ["VERDICT_RETRY_BASE_SECONDS": "0.05"]
        if let token { env["CIRCLE_TOKEN"] = token }
        env.merge(environment) { _, new in new }
        let hostArguments = server.map { ["--host", $0.baseURL] } ?? []
        return try await verdict(
            arguments + hostArguments, in: root, environment: env,
            removingEnvironment: [
                "CIRCLE_TOKEN", "CIRCLECI_HOST", "http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY",
                "all_proxy", "ALL_PROXY",
            ], timeout: timeout)
    }
}

/// JSON values compared the way JSONSerialization reads them (key order and spacing do not matter).
func jsonEqual(_ left: Data, _ right: Data) -> Bool {
    guard let a = try? JSONSerialization.jsonObject(with: left, options: [.fragmentsAllowed]),
        let b = try? JSONSerialization.jsonObject(with: right, options: [.fragmentsAllowed])
    else { return false }
    let options: JSONSerialization.WritingOptions = [.sortedKeys, .fragmentsAllowed]
    guard let normalA = try? JSONSerialization.data(withJSONObject: a, options: options),
        let normalB = try? JSONSerialization.data(withJSONObject: b, options: options)
    else { return false }
    return normalA == normalB
}

enum Samples {
    static let v1 = CLI.sampleData.appendingPathComponent("circleci-v1.1")
    static let v2 = CLI.sampleData.appendingPathComponent("circleci-v2")
    static func data(_ url: URL, _ name: String) throws -> Data {
        try Data(contentsOf: url.appendingPathComponent(name))
    }
    static let retry = CLI.packageRoot.appendingPathComponent("Tests/VerdictCLITests/Support/v1_1-retry.json")
    static let cancel = CLI.packageRoot.appendingPathComponent("Tests/VerdictCLITests/Support/v1_1-cancel.json")
    /// SampleData/README.md: job 48213's tests, and job 48214's two pages together.
    static let v1Totals = SummaryJSON.Totals(25, passed: 16, failed: 5, errored: 1, skipped: 3, flaky: 0)
    static let v2Totals = SummaryJSON.Totals(24, passed: 21, failed: 1, errored: 0, skipped: 2, flaky: 0)
}

/// Every request carried the token and asked for JSON.
func expectAuthenticatedJSON(_ requests: [LoggedRequest], sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(!requests.isEmpty, "no request reached the server", sourceLocation: sourceLocation)
    for request in requests {
        #expect(
            request.headers["circle-token"] == FakeCircleCI.token, "Circle-Token on \(request)",
            sourceLocation: sourceLocation)
        #expect(
            request.headers["accept"] == "application/json",
            "Accept on \(request): \(request.headers["accept"] ?? "none")",
            sourceLocation: sourceLocation)
    }
}

/// The token appears nowhere in the run's output.
func expectNoToken(_ result: CLI.RunResult, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(!result.stdout.contains(FakeCircleCI.token), "token in stdout", sourceLocation: sourceLocation)
    #expect(!result.stderr.contains(FakeCircleCI.token), "token in stderr", sourceLocation: sourceLocation)
}

/// Every regular file under `folder` (recursively).
func filesUnder(_ folder: URL) -> [URL] {
    let enumerator = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.isRegularFileKey])
    var files: [URL] = []
    while let url = enumerator?.nextObject() as? URL {
        if (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true { files.append(url) }
    }
    return files.sorted { $0.path < $1.path }
}

/// A clock for "took at least / at most" checks.
func elapsed<T>(_ body: () async throws -> T) async rethrows -> (T, Double) {
    let start = Date()
    let value = try await body()
    return (value, Date().timeIntervalSince(start))
}
