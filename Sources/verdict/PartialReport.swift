import VerdictCore

/// What a worker builds from one input when the sink can merge partial results: an accumulator and,
/// when JUnit is written, that input's suites already rendered. Merged in input order, it gives the
/// same report as adding the records one by one.
final class PartialReport: @unchecked Sendable {
    var accumulator: ReportAccumulator
    private var writer: JUnitStreamWriter?
    private let body = TextBuffer()
    private(set) var failure: (any Error)?

    final class TextBuffer: @unchecked Sendable {
        var text = ""
    }

    init(top: Int, templates: TemplateSet?) {
        accumulator = ReportAccumulator(top: top)
        if let templates {
            let body = self.body
            writer = JUnitStreamWriter(templates: templates) { body.text += $0 }
        }
    }

    func begin(inputIndex: Int, path: String) {
        accumulator.register(inputIndex: inputIndex, path: path)
    }

    func add(_ record: TestRecord) {
        accumulator.add(record)
        guard failure == nil else { return }
        do { try writer?.add(record) } catch { failure = error }
    }

    /// Ends the input; returns its rendered JUnit suites.
    func finish() -> String {
        do { try writer?.finish() } catch { failure = failure ?? error }
        return body.text
    }
}

/// A sink that can take partial results built by workers.
protocol PartialSink: RecordSink {
    /// Makes an empty partial (called on worker threads: it may only use what it captured).
    var partialFactory: @Sendable () -> PartialReport { get }
    /// Adds a finished partial (on the calling thread, in input order).
    func merge(_ partial: PartialReport, junit: String)
}
