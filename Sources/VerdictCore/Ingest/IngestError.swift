/// Why an input could not be read at all. Each message says what to do about it.
public enum IngestError: Error, Sendable, Hashable, CustomStringConvertible {
    case empty
    case notJUnit(root: String)
    case notWellFormed(message: String, line: Int, column: Int)
    case doctypeRefused(line: Int)
    case unrecognizedJSON(keys: [String])
    case invalidJSON(message: String)
    case binary
    case unknownContent(start: String)

    public var description: String {
        switch self {
        case .empty:
            "the file is empty (0 bytes): the test runner wrote nothing"
        case .notJUnit(let root):
            "not a JUnit report: the root element is <\(root)>, expected <testsuites>, <testsuite> or <testcase>"
        case .notWellFormed(let message, let line, let column):
            "not well-formed XML at line \(line), column \(column): \(message); no test could be read"
        case .doctypeRefused(let line):
            "refused: the document has a DOCTYPE (line \(line)); DTDs and external entities are never loaded"
        case .unrecognizedJSON(let keys):
            "JSON that is not CircleCI test metadata or job details (top-level keys: "
                + (keys.isEmpty ? "none" : keys.prefix(8).joined(separator: ", "))
                + "); expected {\"tests\":[...]}, {\"items\":[...]} or a job's details"
        case .invalidJSON(let message):
            "not valid JSON: \(message)"
        case .binary:
            "binary data, not a JUnit XML or CircleCI JSON file"
        case .unknownContent(let start):
            "neither XML nor JSON (it starts with \(String(reflecting: start)))"
        }
    }
}
