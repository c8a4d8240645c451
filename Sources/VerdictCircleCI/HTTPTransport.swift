public import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// One HTTP exchange, as the client sees it.
public struct HTTPRequest: Sendable, Hashable {
    public var method: String
    /// Path and query, relative to the host (`/api/v1.1/...`).
    public var path: String
    public var body: Data?

    public init(method: String, path: String, body: Data? = nil) {
        self.method = method
        self.path = path
        self.body = body
    }
}

public struct HTTPResponse: Sendable, Hashable {
    public var status: Int
    /// Header names lower-cased.
    public var headers: [String: String]
    public var body: Data

    public init(status: Int, headers: [String: String] = [:], body: Data = Data()) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// Sends requests. Errors are `.network` (worth a retry for GETs) or `.timeout`.
public protocol HTTPTransport: Sendable {
    func send(_ request: HTTPRequest) async throws(CircleCIError) -> HTTPResponse
}

/// Foundation's URLSession: `Circle-Token` and `Accept: application/json` on every request.
public struct URLSessionTransport: HTTPTransport {
    public let host: URL
    private let token: String
    private let timeout: Double
    private let session: URLSession
    private let userAgent: String

    public init(host: URL, token: String, timeout: Double, userAgent: String) {
        self.host = host
        self.token = token
        self.timeout = timeout
        self.userAgent = userAgent
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.timeoutIntervalForResource = timeout
        configuration.httpCookieStorage = nil
        configuration.urlCache = nil
        session = URLSession(configuration: configuration)
    }

    public func send(_ request: HTTPRequest) async throws(CircleCIError) -> HTTPResponse {
        let base = host.absoluteString.hasSuffix("/") ? String(host.absoluteString.dropLast()) : host.absoluteString
        guard let url = URL(string: base + request.path) else {
            throw .invalidRequest("cannot build a URL from \(request.path)")
        }
        var urlRequest = URLRequest(url: url, timeoutInterval: timeout)
        urlRequest.httpMethod = request.method
        urlRequest.setValue(token, forHTTPHeaderField: "Circle-Token")
        urlRequest.setValue("application/json", forHTTPHeaderField: "Accept")
        urlRequest.setValue(userAgent, forHTTPHeaderField: "User-Agent")
        if let body = request.body {
            urlRequest.httpBody = body
            urlRequest.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await session.data(for: urlRequest)
        } catch let error as URLError where error.code == .timedOut {
            throw .timeout(method: request.method, path: Self.pathOnly(request.path), seconds: timeout)
        } catch {
            throw .network(
                method: request.method, path: Self.pathOnly(request.path), reason: Self.reason(error))
        }
        guard let http = response as? HTTPURLResponse else {
            throw .unexpectedResponse(path: Self.pathOnly(request.path), reason: "not an HTTP response")
        }
        var headers: [String: String] = [:]
        for (key, value) in http.allHeaderFields {
            if let key = key as? String, let value = value as? String { headers[key.lowercased()] = value }
        }
        return HTTPResponse(status: http.statusCode, headers: headers, body: data)
    }

    /// The path without its query (page tokens are long and say nothing to a reader).
    static func pathOnly(_ path: String) -> String {
        path.split(separator: "?", maxSplits: 1).first.map(String.init) ?? path
    }

    private static func reason(_ error: any Error) -> String {
        if let urlError = error as? URLError {
            switch urlError.code {
            case .cannotConnectToHost: return "connection refused"
            case .cannotFindHost, .dnsLookupFailed: return "unknown host"
            case .networkConnectionLost: return "the connection was lost"
            case .notConnectedToInternet: return "no network"
            case .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate:
                return "TLS failed (\(urlError.localizedDescription))"
            default: return urlError.localizedDescription
            }
        }
        return (error as NSError).localizedDescription
    }
}
