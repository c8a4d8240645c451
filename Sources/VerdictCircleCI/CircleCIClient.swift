public import Foundation

/// The API versions Verdict speaks.
public enum APIVersion: String, Sendable, CaseIterable {
    case v1 = "v1.1"
    case v2 = "v2"
}

/// Calls CircleCI: GETs retried per the policy, POSTs sent once, errors with the server's message.
public struct CircleCIClient: Sendable {
    public let transport: any HTTPTransport
    public let policy: RetryPolicy
    /// Called with one line per request (method, path, status, time): never headers or the token.
    private let log: @Sendable (String) -> Void
    private let sleep: @Sendable (Double) async -> Void
    private let now: @Sendable () -> Double

    public init(
        transport: any HTTPTransport, policy: RetryPolicy = RetryPolicy(),
        log: @escaping @Sendable (String) -> Void = { _ in },
        sleep: @escaping @Sendable (Double) async -> Void = { seconds in
            try? await Task.sleep(nanoseconds: UInt64(max(seconds, 0) * 1_000_000_000))
        },
        now: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }
    ) {
        self.transport = transport
        self.policy = policy
        self.log = log
        self.sleep = sleep
        self.now = now
    }

    /// GET, retried on 429/502/503/504 and connection errors; the body of a 2xx answer.
    public func get(_ path: String) async throws(CircleCIError) -> Data {
        var attempt = 0
        while true {
            let started = now()
            let request = HTTPRequest(method: "GET", path: path)
            let response: HTTPResponse
            do {
                response = try await transport.send(request)
            } catch {
                guard case .network = error, attempt < policy.maxRetries else { throw error }
                attempt += 1
                let wait = policy.delay(attempt: attempt, retryAfter: nil, random: Double.random(in: 0..<1))
                log(
                    "GET \(URLSessionTransport.pathOnly(path)) failed (\(error)); retry \(attempt) in "
                        + "\(String(format: "%.2f", wait)) s")
                await sleep(wait)
                continue
            }
            log("GET \(URLSessionTransport.pathOnly(path)) → \(response.status) (\(elapsed(since: started)))")
            if (200..<300).contains(response.status) { return response.body }
            guard RetryPolicy.isRetryable(status: response.status), attempt < policy.maxRetries else {
                throw Self.httpError(response, request)
            }
            attempt += 1
            let retryAfter = RetryPolicy.parseRetryAfter(response.headers["retry-after"], now: now())
            let wait = policy.delay(attempt: attempt, retryAfter: retryAfter, random: Double.random(in: 0..<1))
            log("  retry \(attempt)/\(policy.maxRetries) in \(String(format: "%.2f", wait)) s")
            await sleep(wait)
        }
    }

    /// POST, sent exactly once: a retried POST could start a second job.
    public func post(_ path: String, json body: [String: any Sendable]? = nil) async throws(CircleCIError) -> Data {
        let data: Data?
        do {
            data = try body.map { try JSONSerialization.data(withJSONObject: $0, options: [.sortedKeys]) }
        } catch {
            throw .invalidRequest("cannot encode the request body")
        }
        let request = HTTPRequest(method: "POST", path: path, body: data)
        let started = now()
        let response = try await transport.send(request)
        log("POST \(URLSessionTransport.pathOnly(path)) → \(response.status) (\(elapsed(since: started)))")
        guard (200..<300).contains(response.status) else { throw Self.httpError(response, request) }
        return response.body
    }

    /// Every page of a v2 list: follows `next_page_token` until null, and stops (with a warning)
    /// when the server repeats a token.
    public func getPages(_ path: String) async throws(CircleCIError) -> (pages: [Data], warning: String?) {
        var pages: [Data] = []
        var seen: Set<String> = []
        var token: String?
        repeat {
            let separator = path.contains("?") ? "&" : "?"
            let pagePath = token.map { path + separator + "page-token=" + PathSegment.encode($0) } ?? path
            let page = try await get(pagePath)
            pages.append(page)
            token = try Self.nextPageToken(page, path: path)
            if let next = token {
                guard seen.insert(next).inserted else {
                    return (pages, CircleCIError.repeatedPageToken(path: path, pages: pages.count).description)
                }
            }
        } while token != nil
        return (pages, nil)
    }

    static func nextPageToken(_ page: Data, path: String) throws(CircleCIError) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: page) as? [String: Any] else {
            throw .unexpectedResponse(path: path, reason: "not a JSON object")
        }
        guard let token = object["next_page_token"] as? String, !token.isEmpty else { return nil }
        return token
    }

    static func httpError(_ response: HTTPResponse, _ request: HTTPRequest) -> CircleCIError {
        .http(
            status: response.status, method: request.method, path: URLSessionTransport.pathOnly(request.path),
            message: serverMessage(response.body))
    }

    /// The `message` of a JSON error body, else the first line of a short text body.
    static func serverMessage(_ body: Data) -> String? {
        if let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any],
            let message = object["message"] as? String
        {
            return message
        }
        let text = String(decoding: body.prefix(300), as: UTF8.self)
        let line = text.split(whereSeparator: \.isNewline).first.map(String.init)?
            .trimmingCharacters(in: .whitespaces)
        guard let line, !line.isEmpty, !line.hasPrefix("<") else { return nil }
        return String(line.prefix(200))
    }

    private func elapsed(since start: Double) -> String {
        String(format: "%.2f s", now() - start)
    }
}
