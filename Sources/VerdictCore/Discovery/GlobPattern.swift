#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A shell-style path pattern: `*`, `?` and `[...]` within one path segment, `**` for any number
/// of folders (`build/**/TEST-*.xml`).
public struct GlobPattern: Sendable, Hashable {
    public let pattern: String
    /// The folder to search: the leading segments without any wildcard ("." when none).
    public let baseDirectory: String
    /// The segments after the base directory.
    let segments: [String]

    public static func isPattern(_ text: String) -> Bool {
        text.contains { $0 == "*" || $0 == "?" || $0 == "[" }
    }

    public init(_ pattern: String) {
        self.pattern = pattern
        let absolute = pattern.hasPrefix("/")
        let parts = pattern.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        let literalCount = parts.prefix { !Self.isPattern($0) }.count
        let base = parts.prefix(min(literalCount, max(parts.count - 1, 0))).joined(separator: "/")
        baseDirectory = absolute ? "/" + base : (base.isEmpty ? "." : base)
        segments = Array(parts.dropFirst(min(literalCount, max(parts.count - 1, 0))))
    }

    /// Whether `relativePath` (below the base directory, `/`-separated) matches.
    public func matches(relativePath: String) -> Bool {
        let path = relativePath.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        return Self.match(segments[...], path[...])
    }

    private static func match(_ pattern: ArraySlice<String>, _ path: ArraySlice<String>) -> Bool {
        guard let first = pattern.first else { return path.isEmpty }
        if first == "**" {
            let rest = pattern.dropFirst()
            var remaining = path
            while true {
                if match(rest, remaining) { return true }
                guard !remaining.isEmpty else { return false }
                remaining = remaining.dropFirst()
            }
        }
        guard let segment = path.first, fnmatch(first, segment, 0) == 0 else { return false }
        return match(pattern.dropFirst(), path.dropFirst())
    }
}
