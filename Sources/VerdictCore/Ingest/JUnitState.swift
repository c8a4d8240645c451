/// The JUnit rules applied to the element stream: suites, cases, result elements, text.
struct JUnitState {
    let inputIndex: Int
    let source: String

    private(set) var records = 0
    private(set) var rootSeen = false
    var foreignRoot: String?
    var stopped: Bool { foreignRoot != nil }

    private struct Suite {
        var name: String
        var file: String?
    }

    private struct Case {
        var record: TestRecord
        var attributeSkipped: Bool
    }

    private struct OpenDetail {
        var detail: ResultDetail
        var depth: Int
        var suiteLevel: Bool
    }

    private enum CaptureTarget {
        case detail, systemOut, systemErr
    }

    private var elements: [JUnitElement] = []
    private var suites: [Suite] = []
    private var cases: [Case] = []
    private var detail: OpenDetail?
    private var capture: (target: CaptureTarget, depth: Int, text: CappedText)?

    private var classnameCache = AttributeCache<String>()
    private var fileCache = AttributeCache<String?>()

    private var invalidTimes = 0
    private var firstInvalidTime: (value: String, line: Int)?
    private var hugeTimes = 0
    private var firstHugeTime: (value: String, line: Int)?

    init(inputIndex: Int, source: String) {
        self.inputIndex = inputIndex
        self.source = source
    }

    /// Returns false when the root element is not JUnit.
    mutating func start(_ element: JUnitElement, attributes: XMLAttributes, line: () -> Int) -> Bool {
        let parent = elements.last
        if parent == nil {
            guard element == .testsuites || element == .testsuite || element == .testcase else { return false }
            rootSeen = true
        }
        elements.append(element)
        let depth = elements.count
        switch element {
        case .testsuite:
            let file = FilePath.normalize(attributes.string("file")) ?? suites.last?.file
            suites.append(Suite(name: attributes.string("name") ?? "", file: file))
        case .testcase:
            cases.append(openCase(attributes, line: line))
        case .failure, .error, .skipped, .flakyFailure, .flakyError, .rerunFailure, .rerunError:
            guard detail == nil, let kind = Self.detailKind(element) else { break }
            let suiteLevel = parent == .testsuite && cases.isEmpty
            guard parent == .testcase || (suiteLevel && (element == .failure || element == .error)) else { break }
            detail = OpenDetail(
                detail: ResultDetail(
                    kind: kind, message: attributes.string("message"), type: attributes.string("type")),
                depth: depth, suiteLevel: suiteLevel)
            beginCapture(.detail, depth: depth)
        case .systemOut, .systemErr:
            if parent == .testcase, capture == nil {
                beginCapture(element == .systemOut ? .systemOut : .systemErr, depth: depth)
            }
        default:
            break
        }
        return true
    }

    mutating func end(_ element: JUnitElement) -> TestRecord? {
        let depth = elements.count
        elements.removeLast()
        if let open = capture, open.depth == depth {
            capture = nil
            let text = open.text.string()
            switch open.target {
            case .detail: detail?.detail.text = text
            case .systemOut: cases.indices.last.map { cases[$0].record.systemOut = text }
            case .systemErr: cases.indices.last.map { cases[$0].record.systemErr = text }
            }
        }
        switch element {
        case .failure, .error, .skipped, .flakyFailure, .flakyError, .rerunFailure, .rerunError:
            guard let open = detail, open.depth == depth else { return nil }
            detail = nil
            if open.suiteLevel { return suiteLevelRecord(open.detail) }
            if let last = cases.indices.last { cases[last].record.details.append(open.detail) }
        case .testcase:
            guard let open = cases.popLast() else { return nil }
            return closeCase(open)
        case .testsuite:
            suites.removeLast()
        default:
            break
        }
        return nil
    }

    mutating func text(_ bytes: UnsafeRawBufferPointer) {
        capture?.text.append(bytes)
    }

    private mutating func beginCapture(_ target: CaptureTarget, depth: Int) {
        capture = (target, depth, CappedText(limit: TextCap.record))
    }

    private mutating func openCase(_ attributes: XMLAttributes, line: () -> Int) -> Case {
        let classname =
            attributes.string("classname", cache: &classnameCache) ?? attributes.string("class")
            ?? suites.last?.name ?? ""
        let file =
            attributes.bytes("file").flatMap { bytes in
                fileCache.value(for: bytes) { FilePath.normalize(XMLAttributes.decode($0)) }
            } ?? suites.last?.file
        var time = 0.0
        let timeBytes = attributes.bytes("time")
        let parsed = timeBytes.flatMap(TimeValue.parsePlain) ?? TimeValue.parse(timeBytes.map(XMLAttributes.decode))
        let rawTime = { timeBytes.map(XMLAttributes.decode) }
        switch parsed {
        case .seconds(let seconds):
            time = seconds
            if seconds > 86_400 {
                hugeTimes += 1
                if firstHugeTime == nil { firstHugeTime = (rawTime() ?? "", line()) }
            }
        case .missing:
            break
        case .invalid:
            invalidTimes += 1
            if firstInvalidTime == nil { firstInvalidTime = (rawTime() ?? "", line()) }
        }
        let status = attributes.string("status")?.trimmingWhitespace().lowercased()
        let result = attributes.string("result")?.trimmingWhitespace().lowercased()
        let attributeSkipped =
            status.map(Self.skippedStatus.contains) == true || result.map(Self.skippedResult.contains) == true
        let record = TestRecord(
            classname: classname, name: attributes.string("name") ?? "", file: file,
            line: attributes.bytes("line").flatMap(Self.lineNumber), time: time,
            source: source, suite: suites.last?.name ?? "", inputIndex: inputIndex)
        return Case(record: record, attributeSkipped: attributeSkipped)
    }

    private mutating func closeCase(_ open: Case) -> TestRecord {
        var record = open.record
        var outcome: Outcome = open.attributeSkipped ? .skipped : .passed
        for detail in record.details {
            switch detail.kind {
            case .error: outcome = max(outcome, .errored)
            case .failure: outcome = max(outcome, .failed)
            case .skipped: outcome = max(outcome, .skipped)
            case .flakyFailure, .flakyError: record.flakyMarked = true
            case .rerunFailure, .rerunError: break
            }
        }
        record.outcome = outcome
        records += 1
        return record
    }

    private mutating func suiteLevelRecord(_ detail: ResultDetail) -> TestRecord {
        let suite = suites.last ?? Suite(name: "", file: nil)
        records += 1
        return TestRecord(
            classname: suite.name, name: suite.name, file: suite.file, time: 0,
            outcome: detail.kind == .error ? .errored : .failed, source: source, suite: suite.name,
            details: [detail], inputIndex: inputIndex)
    }

    /// `line="42"` (digits, maybe surrounded by whitespace) as a number; nil otherwise.
    static func lineNumber(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        var value = 0
        var digits = 0
        var trailing = false  // whitespace after the digits: only more whitespace may follow
        for byte in bytes {
            if byte.isXMLWhitespace {
                trailing = digits > 0
                continue
            }
            guard !trailing, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9"), digits < 18 else {
                return Int(XMLAttributes.decode(bytes).trimmingWhitespace())
            }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
            digits += 1
        }
        return digits > 0 ? value : nil
    }

    private static let skippedStatus: Set<String> = ["disabled", "notrun", "skipped", "ignored"]
    private static let skippedResult: Set<String> = ["skipped", "suppressed"]

    private static func detailKind(_ element: JUnitElement) -> ResultDetail.Kind? {
        switch element {
        case .failure: .failure
        case .error: .error
        case .skipped: .skipped
        case .flakyFailure: .flakyFailure
        case .flakyError: .flakyError
        case .rerunFailure: .rerunFailure
        case .rerunError: .rerunError
        default: nil
        }
    }

    func timeWarnings() -> [String] {
        var warnings: [String] = []
        if let first = firstInvalidTime {
            warnings.append(
                "\(invalidTimes) testcase time(s) could not be read as seconds (first: \(String(reflecting: first.value)) "
                    + "at line \(first.line)); counted as 0 s")
        }
        if let first = firstHugeTime {
            warnings.append(
                "\(hugeTimes) testcase time(s) exceed 24 hours (first: \(first.value) at line \(first.line)); "
                    + "taken as seconds as written: check the producer's unit")
        }
        return warnings
    }
}
