import Foundation

/// Parses a JUnit `time` attribute per the semantics note.
enum TimeValue {
    enum Parsed: Equatable {
        case seconds(Double)
        case missing
        case invalid
    }

    static func parse(_ raw: String?) -> Parsed {
        guard let raw else { return .missing }
        var text = raw.trimmingWhitespace()
        if text.isEmpty { return .missing }
        if text.utf8.contains(UInt8(ascii: ",")) {
            if isThousandsGrouped(text) {
                text.removeAll { $0 == "," }
            } else if text.utf8.filter({ $0 == UInt8(ascii: ",") }).count == 1, !text.utf8.contains(UInt8(ascii: ".")) {
                text = String(text.map { $0 == "," ? "." : $0 })
            } else {
                return .invalid
            }
        }
        // Only plain decimal / scientific notation: no hex floats, "nan", "inf".
        guard
            text.utf8.allSatisfy({ byte in
                (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: ".")
                    || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") || byte == UInt8(ascii: "+")
                    || byte == UInt8(ascii: "-")
            }), let value = Double(text), value.isFinite, value >= 0
        else { return .invalid }
        return .seconds(value)
    }

    /// `1,234`, `12,345.5`, `1,234,567.25`: groups of three after the first group of one to three.
    private static func isThousandsGrouped(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let whole = parts.first else { return false }
        let groups = whole.split(separator: ",", omittingEmptySubsequences: false)
        guard groups.count >= 2, let first = groups.first, (1...3).contains(first.count) else { return false }
        return groups.dropFirst().allSatisfy { $0.count == 3 } && groups.allSatisfy { $0.allSatisfy(\.isASCIIDigit) }
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
