/// Writes the merged, normalised JUnit file record by record, so a million testcases never sit in
/// memory at once. Consecutive records of one input and suite become one `<testsuite>`; a suite
/// longer than `suiteLimit` cases (or 8 MB of XML) continues in another `<testsuite>` of the same
/// name. Each case is rendered by the `junit-case` template as it arrives.
///
/// The body goes to `write` as it is produced; the caller puts `header(...)` before it and
/// `footer()` after it (the root's totals are only known at the end).
public struct JUnitStreamWriter {
    public let templates: TemplateSet
    public let suiteLimit: Int
    private let write: (String) -> Void

    private var pendingKey: SuiteKey?
    /// The pending suite's cases, as UTF-8.
    private var pending: [UInt8] = []
    private var counts = SuiteCounts()
    private(set) public var totals = Totals()

    private struct SuiteKey: Equatable {
        var input: Int
        var name: String
    }

    private struct SuiteCounts {
        var tests = 0
        var failures = 0
        var errors = 0
        var skipped = 0
        var time = 0.0
    }

    public init(templates: TemplateSet, suiteLimit: Int = 10_000, write: @escaping (String) -> Void) {
        self.templates = templates
        self.suiteLimit = max(suiteLimit, 1)
        self.write = write
    }

    /// Adds one testcase; `properties` become its `<properties>` (compare writes each test's change there).
    public mutating func add(_ record: TestRecord, properties: [(name: String, value: String)] = []) throws(RenderError)
    {
        let name = record.suite.isEmpty ? (record.classname.isEmpty ? "tests" : record.classname) : record.suite
        let key = SuiteKey(input: record.inputIndex, name: name)
        if key != pendingKey || counts.tests >= suiteLimit || pending.count >= 8 << 20 {
            try flush()
            pendingKey = key
        }
        if templates.builtInCase, properties.isEmpty {
            // What the built-in template gives, written straight as bytes.
            Self.appendBuiltInCase(record, to: &pending)
        } else if let compiled = templates.compiled("junit-case") {
            pending.append(contentsOf: compiled.render(Self.caseValue(record, properties: properties)).utf8)
        } else {
            let text = try templates.render(Self.caseValue(record, properties: properties).any, "junit-case")
            pending.append(contentsOf: text.utf8)
        }
        counts.tests += 1
        counts.time += record.time
        totals.tests += 1
        totals.time += record.time
        switch record.outcome {
        case .failed:
            counts.failures += 1
            totals.failed += 1
        case .errored:
            counts.errors += 1
            totals.errored += 1
        case .skipped:
            counts.skipped += 1
            totals.skipped += 1
        case .passed:
            totals.passed += 1
        }
    }

    /// Writes the last pending suite.
    public mutating func finish() throws(RenderError) {
        try flush()
    }

    private mutating func flush() throws(RenderError) {
        guard let key = pendingKey, !pending.isEmpty else { return }
        let suite: [String: Any] = [
            "name": key.name, "tests": counts.tests, "failures": counts.failures, "errors": counts.errors,
            "skipped": counts.skipped, "time": Format.decimalSeconds(counts.time),
        ]
        write(try templates.render(suite, "junit-suite-header"))
        write(String(decoding: pending, as: UTF8.self))
        write(try templates.render(suite, "junit-suite-footer"))
        pending.removeAll(keepingCapacity: true)
        counts = SuiteCounts()
        pendingKey = nil
    }

    /// The document's start; `totals` default to what this writer wrote (pass the report's totals
    /// when parts were written by other writers).
    public func header(title: String, totals: Totals? = nil) throws(RenderError) -> String {
        let totals = totals ?? self.totals
        return try templates.render(
            [
                "name": title, "tests": totals.tests, "failures": totals.failed, "errors": totals.errored,
                "skipped": totals.skipped, "time": Format.decimalSeconds(totals.time),
            ] as [String: Any], "junit-header")
    }

    public func footer() throws(RenderError) -> String {
        try templates.render([String: Any](), "junit-footer")
    }

    /// The `junit-case` view model as typed values (the fast path renders these directly).
    static func caseValue(_ record: TestRecord, properties: [(name: String, value: String)]) -> CompiledTemplate.Value {
        typealias V = CompiledTemplate.Value
        var context: [String: V] = [
            "name": .text(record.name), "classname": .text(record.classname),
            "time": .text(Format.decimalSeconds(record.time)), "outcome": .text(record.outcome.rawValue),
        ]
        if let file = record.file { context["file"] = .text(file) }
        if let line = record.line, line >= 0 { context["line"] = .number(line) }
        if let primary = primaryElement(record) {
            var element: [String: V] = [:]
            if let message = primary.message { element["message"] = .text(message) }
            if let type = primary.type { element["type"] = .text(type) }
            if !primary.text.isEmpty { element["text"] = .text(primary.text) }
            context[primary.key] = .object(element)
        }
        let attempts = attempts(record)
        context["attempts"] = .list(
            attempts.map { detail in
                var attempt: [String: V] = ["element": .text(detail.kind.rawValue)]
                if let message = detail.message { attempt["message"] = .text(message) }
                if let type = detail.type { attempt["type"] = .text(type) }
                if let text = detail.text { attempt["stackTrace"] = .text(text) }
                return .object(attempt)
            })
        if let out = record.systemOut { context["systemOut"] = .text(out) }
        if let err = record.systemErr { context["systemErr"] = .text(err) }
        var hasBody = Self.hasBody(record, attempts: attempts)
        if !properties.isEmpty {
            context["properties"] = .list(
                properties.map { .object(["name": .text($0.name), "value": .text($0.value)]) })
            context["hasProperties"] = .bool(true)
            hasBody = true
        }
        context["hasBody"] = .bool(hasBody)
        return .object(context)
    }

    /// The outcome element of a non-passing record (`error`, `failure` or `skipped`): its first
    /// element's message and type; the texts of every result element of that record, so nothing
    /// the input said is dropped.
    static func primaryElement(_ record: TestRecord) -> (key: String, message: String?, type: String?, text: String)? {
        guard let primary = record.primaryDetail ?? fallbackDetail(record) else { return nil }
        let others = record.details.filter {
            $0 != primary && ($0.kind == .failure || $0.kind == .error || $0.kind == .skipped)
        }
        var text = primary.text ?? ""
        for other in others {
            let part = [other.message, other.text].compactMap { $0 }.joined(separator: "\n")
            if !part.isEmpty { text += (text.isEmpty ? "" : "\n\n") + "[\(other.kind.rawValue)] " + part }
        }
        let key =
            switch record.outcome {
            case .errored: "error"
            case .failed: "failure"
            default: "skipped"
            }
        return (key, primary.message, primary.type, text)
    }

    /// Whether the case has elements inside it (properties aside): a result element, an attempt or output.
    static func hasBody(_ record: TestRecord, attempts: [ResultDetail]) -> Bool {
        record.outcome != .passed || !attempts.isEmpty || record.systemOut != nil || record.systemErr != nil
    }

    /// Earlier attempts of the record (flaky and rerun elements), in order.
    static func attempts(_ record: TestRecord) -> [ResultDetail] {
        record.details.filter { [.flakyFailure, .flakyError, .rerunFailure, .rerunError].contains($0.kind) }
    }

    /// Exactly what the built-in `junit-case` template renders for a record without properties,
    /// appended as UTF-8 (no context dictionary, no string per case). `RenderFastPathTests` pins it
    /// against the template.
    static func appendBuiltInCase(_ record: TestRecord, to out: inout [UInt8]) {
        func put(_ text: StaticString) {
            out.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
        }
        func escaped(_ text: String) { XMLEscaping.escape(text, into: &out) }
        func attributes(_ message: String?, _ type: String?) {
            if let message {
                put(" message=\"")
                escaped(message)
                put("\"")
            }
            if let type {
                put(" type=\"")
                escaped(type)
                put("\"")
            }
        }
        put("    <testcase name=\"")
        escaped(record.name)
        put("\" classname=\"")
        escaped(record.classname)
        put("\"")
        if let file = record.file {
            put(" file=\"")
            escaped(file)
            put("\"")
        }
        if let line = record.line, line >= 0 {
            put(" line=\"")
            out.append(contentsOf: String(line).utf8)
            put("\"")
        }
        put(" time=\"")
        escaped(Format.decimalSeconds(record.time))
        put("\"")
        let attempts = record.details.isEmpty ? [] : attempts(record)
        guard hasBody(record, attempts: attempts) else {
            put("/>\n")
            return
        }
        put(">\n")
        if let primary = primaryElement(record) {
            put("      <")
            out.append(contentsOf: primary.key.utf8)
            attributes(primary.message, primary.type)
            put(">")
            escaped(primary.text)
            put("</")
            out.append(contentsOf: primary.key.utf8)
            put(">\n")
        }
        for attempt in attempts {
            put("      <")
            out.append(contentsOf: attempt.kind.rawValue.utf8)
            attributes(attempt.message, attempt.type)
            put(">")
            if let text = attempt.text {
                put("<stackTrace>")
                escaped(text)
                put("</stackTrace>")
            }
            put("</")
            out.append(contentsOf: attempt.kind.rawValue.utf8)
            put(">\n")
        }
        if let output = record.systemOut {
            put("      <system-out>")
            escaped(output)
            put("</system-out>\n")
        }
        if let output = record.systemErr {
            put("      <system-err>")
            escaped(output)
            put("</system-err>\n")
        }
        put("    </testcase>\n")
    }

    /// A non-passing record whose input had no element of its outcome's kind (a skipped status attribute).
    private static func fallbackDetail(_ record: TestRecord) -> ResultDetail? {
        switch record.outcome {
        case .passed: nil
        case .failed: ResultDetail(kind: .failure)
        case .errored: ResultDetail(kind: .error)
        case .skipped: ResultDetail(kind: .skipped)
        }
    }
}
