/// A CircleCI project: `gh/ORG/REPO`, `github/ORG/REPO`, `bb/...`, `bitbucket/...`, or
/// `circleci/ORG-ID/PROJECT-ID` (GitHub App, GitLab, Bitbucket Data Center; API v2 only).
public struct ProjectSlug: Sendable, Hashable, CustomStringConvertible {
    public enum VCS: String, Sendable {
        case github, bitbucket, circleci

        /// The short form v2 slugs use.
        var short: String {
            switch self {
            case .github: "gh"
            case .bitbucket: "bb"
            case .circleci: "circleci"
            }
        }
    }

    public let vcs: VCS
    public let organization: String
    public let project: String

    public init(_ text: String) throws(CircleCIError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, parts.allSatisfy({ !$0.isEmpty }) else { throw .invalidSlug(text) }
        switch parts[0].lowercased() {
        case "gh", "github": vcs = .github
        case "bb", "bitbucket": vcs = .bitbucket
        case "circleci": vcs = .circleci
        default: throw .invalidSlug(text)
        }
        organization = parts[1]
        project = parts[2]
    }

    /// `gh/ORG/REPO`, as API v2 and the web app write it.
    public var description: String { "\(vcs.short)/\(organization)/\(project)" }

    /// Path segments for v2 (`gh/ORG/REPO`), each percent-encoded.
    var v2Path: String { [vcs.short, organization, project].map(PathSegment.encode).joined(separator: "/") }

    /// Path segments for v1.1 (`github/ORG/REPO`, the documented vcs names).
    func v1Path() throws(CircleCIError) -> String {
        guard vcs != .circleci else { throw .v2Only(description) }
        return [vcs.rawValue, organization, project].map(PathSegment.encode).joined(separator: "/")
    }
}

/// A CircleCI job reference in the form `PROJECT/JOB` (`gh/acme/shop/48213`).
public struct JobReference: Sendable, Hashable {
    public let project: ProjectSlug
    public let number: Int

    public init(_ text: String) throws(CircleCIError) {
        guard let slash = text.lastIndex(of: "/"), let number = Int(text[text.index(after: slash)...]), number > 0
        else { throw .invalidJobReference(text) }
        self.project = try ProjectSlug(String(text[..<slash]))
        self.number = number
    }

    public init(project: ProjectSlug, number: Int) {
        self.project = project
        self.number = number
    }
}

enum PathSegment {
    /// Percent-encodes everything but unreserved characters (so `feature/x` stays one segment).
    static func encode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
