import Foundation

/// Normalises a test file path: `\` becomes `/`, leading `./` is removed, whitespace trimmed.
/// Empty stays absent (nil), never "".
public enum FilePath {
    public static func normalize(_ raw: String?) -> String? {
        guard var path = raw?.trimmingWhitespace(), !path.isEmpty else { return nil }
        if path.utf8.contains(UInt8(ascii: "\\")) { path = path.replacingOccurrences(of: "\\", with: "/") }
        while path.hasPrefix("./") { path.removeFirst(2) }
        return path.isEmpty ? nil : path
    }
}
