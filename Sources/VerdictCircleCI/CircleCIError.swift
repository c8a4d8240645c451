/// What went wrong talking to CircleCI, with what to check. Never contains the token.
public enum CircleCIError: Error, Sendable, Hashable, CustomStringConvertible {
    case invalidSlug(String)
    case invalidJobReference(String)
    case v2Only(String)
    case missingToken
    case unreadableTokenFile(path: String)
    case invalidHost(String)
    case http(status: Int, method: String, path: String, message: String?)
    case network(method: String, path: String, reason: String)
    case timeout(method: String, path: String, seconds: Double)
    case unexpectedResponse(path: String, reason: String)
    case repeatedPageToken(path: String, pages: Int)
    case invalidRequest(String)

    public var description: String {
        switch self {
        case .invalidSlug(let text):
            "\(String(reflecting: text)) is not a project slug: use gh/ORG/REPO, github/ORG/REPO, bb/ORG/REPO, "
                + "bitbucket/ORG/REPO or circleci/ORG-ID/PROJECT-ID"
        case .invalidJobReference(let text):
            "\(String(reflecting: text)) is not PROJECT/JOB (for example gh/acme/shop/48213)"
        case .v2Only(let slug):
            "\(slug) is a circleci/ORG-ID/PROJECT-ID project: API v1.1 does not know it; use --api v2"
        case .missingToken:
            "no CircleCI token: set CIRCLE_TOKEN or pass --token-file FILE (a personal API token; v2 does not "
                + "accept project tokens)"
        case .unreadableTokenFile(let path):
            "cannot read the token file \(path)"
        case .invalidHost(let host):
            "\(String(reflecting: host)) is not an http(s) URL for --host / CIRCLECI_HOST"
        case .http(let status, let method, let path, let message):
            "CircleCI answered \(status) to \(method) \(path)" + (message.map { ": \($0)" } ?? "") + Self.hint(status)
        case .network(let method, let path, let reason):
            "cannot reach CircleCI for \(method) \(path): \(reason) (check --host / CIRCLECI_HOST and the network)"
        case .timeout(let method, let path, let seconds):
            "CircleCI did not answer \(method) \(path) within \(Self.format(seconds)) s (--timeout)"
        case .unexpectedResponse(let path, let reason):
            "unexpected response from \(path): \(reason)"
        case .repeatedPageToken(let path, let pages):
            "\(path): the server sent the same next_page_token again after \(pages) page(s); stopped instead of "
                + "looping (the pages read so far were kept)"
        case .invalidRequest(let reason):
            reason
        }
    }

    private static func hint(_ status: Int) -> String {
        switch status {
        case 401: " (check the token: CIRCLE_TOKEN or --token-file; v2 needs a personal API token)"
        case 403: " (the token may not have access to this project)"
        case 404: " (check the project slug, the job number, and that the token can see the project)"
        case 429: " (rate limited: retried, then gave up; try again later)"
        case 502, 503, 504: " (a CircleCI server error: GETs were retried; try again later)"
        case 500...599: " (a CircleCI server error; try again later)"
        default: ""
        }
    }

    private static func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
    }
}
