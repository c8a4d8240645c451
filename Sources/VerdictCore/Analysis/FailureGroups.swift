/// Failures grouped by root cause: each failure's first message line with the parts that differ
/// between occurrences masked (numbers, hex ids, UUIDs, timestamps, temporary paths), so thirty
/// failures from one broken fixture read as one line with thirty tests under it.
public struct FailureGroup: Sendable, Hashable, Codable {
    /// The masked first line (`Connection refused to localhost:<n> after <n> ms`).
    public var signature: String
    public var type: String?
    public var count: Int
    /// Indexes into the summary's `failures`.
    public var failures: [Int]
    /// The first failure's unmasked line.
    public var example: String
}

public enum FailureGrouping {
    /// Groups, largest first (ties: the earliest failure first).
    public static func group(_ failures: [FailureItem]) -> [FailureGroup] {
        var groups: [String: FailureGroup] = [:]
        var order: [String] = []
        for (index, failure) in failures.enumerated() {
            let line = firstLine(failure.message) ?? firstLine(failure.text) ?? "(no message)"
            let signature = mask(String(line.prefix(300)))
            let key = (failure.type ?? "") + "\u{0}" + signature
            if groups[key] == nil {
                groups[key] = FailureGroup(
                    signature: signature, type: failure.type, count: 0, failures: [], example: String(line.prefix(300)))
                order.append(key)
            }
            groups[key]?.count += 1
            groups[key]?.failures.append(index)
        }
        let position = Dictionary(order.enumerated().map { ($0.element, $0.offset) }, uniquingKeysWith: { a, _ in a })
        return order.compactMap { groups[$0] }.sorted { a, b in
            if a.count != b.count { return a.count > b.count }
            let keyA = (a.type ?? "") + "\u{0}" + a.signature
            let keyB = (b.type ?? "") + "\u{0}" + b.signature
            return (position[keyA] ?? 0) < (position[keyB] ?? 0)
        }
    }

    /// The first line that is not blank, trimmed (lines end at any newline character). Reads no
    /// further than that line: a stack trace of thousands of lines is not split whole.
    static func firstLine(_ text: String?) -> String? {
        guard let text else { return nil }
        var start = text.startIndex
        while start < text.endIndex {
            var end = start
            while end < text.endIndex, !text[end].isNewline { end = text.index(after: end) }
            let line = text[start..<end].trimmingCharacters()
            if !line.isEmpty { return line }
            start = end < text.endIndex ? text.index(after: end) : end
        }
        return nil
    }

    /// Masks what varies between occurrences of one failure.
    public static func mask(_ line: String) -> String {
        let scalars = Array(line.unicodeScalars)
        var out = String.UnicodeScalarView()
        var index = 0
        func isHex(_ s: Unicode.Scalar) -> Bool {
            ("0"..."9").contains(s) || ("a"..."f").contains(s) || ("A"..."F").contains(s)
        }
        func isDigit(_ s: Unicode.Scalar) -> Bool { ("0"..."9").contains(s) }
        func isWordChar(_ s: Unicode.Scalar) -> Bool {
            isHex(s) || ("g"..."z").contains(s) || ("G"..."Z").contains(s) || s == "_"
        }
        func append(_ text: String) { out.append(contentsOf: text.unicodeScalars) }
        while index < scalars.count {
            let scalar = scalars[index]
            let previousIsWord = index > 0 && isWordChar(scalars[index - 1])
            // Temporary paths: /tmp/..., /var/folders/..., /private/var/..., ...\Temp\...
            if scalar == "/" || scalar == "\\" {
                let rest = String(String.UnicodeScalarView(scalars[index...].prefix(20)))
                if rest.hasPrefix("/tmp/") || rest.hasPrefix("/var/folders/") || rest.hasPrefix("/private/var/")
                    || rest.hasPrefix("/var/tmp/") || rest.lowercased().hasPrefix("\\temp\\")
                {
                    append("<tmp>")
                    while index < scalars.count, !scalars[index].properties.isWhitespace,
                        !"'\")],;:".unicodeScalars.contains(scalars[index])
                    {
                        index += 1
                    }
                    continue
                }
            }
            if !previousIsWord && isHex(scalar) {
                // A run of hex digits and dashes: a UUID, a hash, or a number.
                var end = index
                while end < scalars.count, isHex(scalars[end]) || scalars[end] == "-" { end += 1 }
                let run = scalars[index..<end]
                let nextIsWord = end < scalars.count && isWordChar(scalars[end])
                let digitsOnly = run.allSatisfy { isDigit($0) || $0 == "-" }
                if !nextIsWord && run.count == 36 && run.filter({ $0 == "-" }).count == 4 {
                    append("<uuid>")
                    index = end
                    continue
                }
                if !nextIsWord && !digitsOnly && run.count >= 8 && !run.contains("-") {
                    append("<hex>")
                    index = end
                    continue
                }
            }
            if scalar == "0", index + 1 < scalars.count, scalars[index + 1] == "x" || scalars[index + 1] == "X",
                index + 2 < scalars.count, isHex(scalars[index + 2]), !previousIsWord
            {
                var end = index + 2
                while end < scalars.count, isHex(scalars[end]) { end += 1 }
                append("<hex>")
                index = end
                continue
            }
            if isDigit(scalar) && !previousIsWord {
                // Numbers, dates and times: digits with . : - T Z between them.
                var end = index
                while end < scalars.count,
                    isDigit(scalars[end])
                        || (".:-T".unicodeScalars.contains(scalars[end]) && end + 1 < scalars.count
                            && isDigit(scalars[end + 1]))
                {
                    end += 1
                }
                if end < scalars.count, scalars[end] == "Z" { end += 1 }
                let run = String(String.UnicodeScalarView(scalars[index..<end]))
                append(run.contains(":") || run.filter({ $0 == "-" }).count >= 2 ? "<time>" : "<n>")
                index = end
                continue
            }
            out.append(scalar)
            index += 1
        }
        return String(out)
    }
}

extension Substring {
    func trimmingCharacters() -> String { String(self).trimmingWhitespace() }
}
