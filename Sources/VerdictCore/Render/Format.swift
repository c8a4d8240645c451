import Foundation

/// Text forms of numbers shared by every renderer.
public enum Format {
    /// Human duration: `0.004 s`, `12.35 s`, `2 min 03 s`, `1 h 02 min`.
    public static func duration(_ seconds: Double) -> String {
        if seconds < 0.001 && seconds > 0 { return "<0.001 s" }
        if seconds < 10 { return String(format: "%.3f s", seconds) }
        if seconds < 60 { return String(format: "%.2f s", seconds) }
        // A sum of absurd (but finite, accepted) times must not trap converting to Int.
        guard seconds < 1e15 else {
            return seconds.isFinite ? String(format: "%.0f h", seconds / 3600) : "\(seconds) s"
        }
        let whole = Int(seconds.rounded())
        if whole < 3600 { return String(format: "%d min %02d s", whole / 60, whole % 60) }
        return String(format: "%d h %02d min", whole / 3600, (whole % 3600) / 60)
    }

    /// `xs:decimal` seconds (no exponent), up to microseconds: `0.000017`, `1.5`, `0`.
    public static func decimalSeconds(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds > 0 else { return "0" }
        // Below 2^33 an ulp is under 1e-6: when the shortest form has at most 6 decimals, "%.6f"
        // rounds to exactly those digits, so the trimmed result is that form (without ".0").
        if seconds < 0x1p33 {
            let shortest = seconds.description
            if let dot = shortest.utf8.firstIndex(of: UInt8(ascii: ".")),
                !shortest.utf8.contains(UInt8(ascii: "e")),
                shortest.utf8.distance(from: dot, to: shortest.utf8.endIndex) <= 7
            {
                return shortest.hasSuffix(".0") ? String(shortest.dropLast(2)) : shortest
            }
        }
        var text = String(format: "%.6f", seconds)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }

    /// One decimal place percentage of `part` in `whole`.
    public static func percent(_ part: Double, of whole: Double) -> String {
        guard whole > 0 else { return "0.0" }
        return String(format: "%.1f", part / whole * 100)
    }

    /// An http(s) URL, or nil: nothing else becomes a link.
    static func safeURL(_ text: String?) -> String? {
        guard let text, let url = URL(string: text), let scheme = url.scheme?.lowercased(),
            scheme == "https" || scheme == "http", url.host != nil
        else { return nil }
        return text
    }
}
