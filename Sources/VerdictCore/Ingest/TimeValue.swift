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

    /// The common case read straight from the bytes: `DIGITS` or `DIGITS.DIGITS`, 15 significant
    /// digits at most. The integer of all digits and the power of ten are both exact in a Double, so
    /// one division gives the correctly rounded value: the same Double as `Double(text)`. Anything
    /// else (whitespace, commas, exponents, long numbers) is nil, for `parse` to decide.
    static func parsePlain(_ bytes: UnsafeBufferPointer<UInt8>) -> Parsed? {
        var mantissa: UInt64 = 0
        var digits = 0
        var fractionDigits = -1
        for byte in bytes {
            if byte == UInt8(ascii: "."), fractionDigits < 0, digits > 0 {
                fractionDigits = 0
                continue
            }
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9"), digits < 15 else { return nil }
            mantissa = mantissa * 10 + UInt64(byte - UInt8(ascii: "0"))
            digits += 1
            if fractionDigits >= 0 { fractionDigits += 1 }
        }
        guard digits > 0, fractionDigits != 0 else { return nil }
        return .seconds(Double(mantissa) / powersOfTen[max(fractionDigits, 0)])
    }

    private static let powersOfTen: [Double] = (0...15).map { exponent in
        (0..<exponent).reduce(1.0) { value, _ in value * 10 }
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
