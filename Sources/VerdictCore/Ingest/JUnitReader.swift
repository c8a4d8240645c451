internal import CXMLShim

/// Streams one JUnit XML input into test records: feed it chunks, then `finish()`.
///
/// Records are handed to the sink as soon as their `</testcase>` is read, so memory does not
/// grow with the number of tests, and a file that breaks part-way keeps everything before the break.
public final class JUnitReader {
    private let inputIndex: Int
    private let source: String
    private let sink: (TestRecord) -> Void
    private var normalizer = XMLByteNormalizer()
    private lazy var parser = XMLPushParser(handler: self)
    private var state: JUnitState
    private var finished = false
    private var position = StreamPosition()
    private static let sliceSize = 1 << 20

    public init(inputIndex: Int = 0, source: String, sink: @escaping (TestRecord) -> Void) {
        self.inputIndex = inputIndex
        self.source = source
        self.sink = sink
        self.state = JUnitState(inputIndex: inputIndex, source: source)
    }

    /// Feeds the next chunk of the file. Returns false once nothing more can be read.
    @discardableResult
    public func feed(_ chunk: UnsafeRawBufferPointer) -> Bool {
        guard parser.failure == nil, !state.stopped else { return false }
        var ok = true
        // Slices of at most 1 MiB, so the normalizer can split long CDATA sections in time.
        var offset = 0
        repeat {
            let end = min(offset + Self.sliceSize, chunk.count)
            normalizer.process(UnsafeRawBufferPointer(rebasing: chunk[offset..<end]), final: false) { bytes in
                guard ok else { return }
                position.advance(over: bytes)
                ok = parser.feed(bytes)
            }
            offset = end
        } while ok && offset < chunk.count && !state.stopped
        return ok && !state.stopped
    }

    /// Ends the input. Throws when the input is not a JUnit report at all; otherwise returns what
    /// was read (incomplete, with a warning, when the document broke part-way).
    public func finish(path: String) throws(IngestError) -> InputReport {
        precondition(!finished, "finish() called twice")
        finished = true
        if parser.failure == nil && !state.stopped {
            normalizer.process(UnsafeRawBufferPointer(start: nil, count: 0), final: true) { bytes in
                position.advance(over: bytes)
                parser.feed(bytes)
            }
            parser.finish()
        }
        if let root = state.foreignRoot { throw .notJUnit(root: root) }
        var report = InputReport(path: path, kind: .junit, tests: state.records)
        if let failure = parser.failure {
            if failure.refusedDoctype { throw .doctypeRefused(line: failure.line) }
            guard state.rootSeen else {
                throw .notWellFormed(message: failure.message, line: failure.line, column: failure.column)
            }
            report.incomplete = true
            let what =
                failure.atEnd
                ? "the file ends at line \(position.line), column \(position.column) before the XML document "
                    + "does (truncated: did the test runner crash while writing?)"
                : "the XML stops being well-formed at line \(failure.line), column \(failure.column) "
                    + "(\(failure.message))"
            report.warnings.append(
                "incomplete: \(what); the \(state.records) test(s) read before that are counted, "
                    + "anything after it is lost")
        } else if !state.rootSeen {
            throw .notWellFormed(message: "no root element", line: 1, column: 1)
        }
        report.warnings.append(contentsOf: normalizer.warnings)
        if normalizer.replacedCharacters > 0 {
            report.warnings.append(
                "\(normalizer.replacedCharacters) character(s) that XML does not allow (control characters such "
                    + "as ANSI colour escapes, invalid UTF-8) were replaced by visible symbols")
        }
        report.warnings.append(contentsOf: state.timeWarnings())
        return report
    }

    /// Reads a whole in-memory document (tests, small inputs).
    public static func read(
        _ bytes: [UInt8], path: String = "<memory>", source: String = "unknown", inputIndex: Int = 0,
        chunkSize: Int = 64 * 1024
    ) throws(IngestError) -> (records: [TestRecord], report: InputReport) {
        var records: [TestRecord] = []
        let reader = JUnitReader(inputIndex: inputIndex, source: source) { records.append($0) }
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let end = min(offset + max(chunkSize, 1), raw.count)
                guard reader.feed(UnsafeRawBufferPointer(rebasing: raw[offset..<end])) else { break }
                offset = end
            }
        }
        let report = try reader.finish(path: path)
        return (records, report)
    }
}

extension JUnitReader: XMLEventHandler {
    func startElement(_ element: JUnitElement, localName: UnsafePointer<CChar>, attributes: XMLAttributes) {
        if !state.start(element, attributes: attributes, line: { parser.currentLine }) {
            state.foreignRoot = String(cString: localName)
            parser.stop()
        }
    }

    func endElement(_ element: JUnitElement) {
        if let record = state.end(element) { sink(record) }
    }

    func text(_ bytes: UnsafeRawBufferPointer) {
        state.text(bytes)
    }
}

/// Line and column of the end of what was fed, for messages about truncated files.
struct StreamPosition {
    private(set) var line = 1
    private var bytesOnLine = 0

    /// Column of the next byte (1-based, in bytes).
    var column: Int { bytesOnLine + 1 }

    mutating func advance(over bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
        var lastNewline = -1
        let newlines = vx_count_newlines(base, bytes.count, &lastNewline)
        if newlines > 0 {
            line += newlines
            bytesOnLine = bytes.count - lastNewline - 1
        } else {
            bytesOnLine += bytes.count
        }
    }
}
