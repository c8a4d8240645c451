import Foundation
import VerdictCore

/// Writes lines to standard error.
struct StandardError {
    func print(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}

enum Terminal {
    static var stderrIsTerminal: Bool {
        isatty(STDERR_FILENO) == 1 && ProcessInfo.processInfo.environment["TERM"] != "dumb"
    }

    /// Colour only on a terminal, and never with NO_COLOR set.
    static var stdoutSupportsColour: Bool {
        isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"].map(\.isEmpty) ?? true
            && ProcessInfo.processInfo.environment["TERM"] != "dumb"
    }
}

/// The short summary printed when no output file is asked for.
struct TerminalSummary {
    var summary: ReportSummary
    var colour: Bool
    var failureLimit = 20

    private func paint(_ text: String, _ code: String) -> String {
        colour ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }

    /// Control characters from test output must not drive the terminal.
    private func clean(_ text: String) -> String {
        String(
            String.UnicodeScalarView(
                text.unicodeScalars.map { scalar in
                    scalar.value < 0x20 && scalar != "\n" && scalar != "\t" || scalar.value == 0x7F
                        ? Unicode.Scalar(0x2400 + (scalar.value == 0x7F ? 0x21 : scalar.value)) ?? "?" : scalar
                }))
    }

    func headline() -> String {
        let t = summary.totals
        let failing = t.failed + t.errored > 0
        var parts = ["\(t.passed) passed"]
        if t.failed > 0 { parts.append(paint("\(t.failed) failed", "31")) }
        if t.errored > 0 { parts.append(paint("\(t.errored) errored", "33")) }
        if t.skipped > 0 { parts.append("\(t.skipped) skipped") }
        if t.flaky > 0 { parts.append(paint("\(t.flaky) flaky", "35")) }
        let mark = failing ? paint("FAILED", "1;31") : paint("PASSED", "1;32")
        var line = "\(mark) \(t.tests) tests: " + parts.joined(separator: ", ") + " in \(Format.duration(t.time))"
        if summary.incomplete { line += paint(" (incomplete input)", "33") }
        return line
    }

    func print() {
        var lines = [clean(summary.title), headline()]
        if !summary.failures.isEmpty {
            lines.append("")
            lines.append("Failures:")
            for failure in summary.failures.prefix(failureLimit) {
                let identity = failure.classname.isEmpty ? failure.name : "\(failure.classname) › \(failure.name)"
                let location = failure.file.map { " (\($0)\(failure.line.map { ":\($0)" } ?? ""))" } ?? ""
                lines.append("  \(paint(failure.outcome.rawValue, "31")) \(clean(identity))\(clean(location))")
                if let message = failure.message ?? failure.text {
                    let first =
                        message.split(separator: "\n", omittingEmptySubsequences: true).first.map(String.init) ?? ""
                    lines.append("      " + clean(String(first.prefix(200))))
                }
            }
            if summary.failures.count > failureLimit {
                lines.append("  … and \(summary.failures.count - failureLimit) more (write --html or --json for all)")
            }
        }
        if !summary.flaky.isEmpty {
            lines.append("")
            lines.append("Flaky:")
            for item in summary.flaky.prefix(failureLimit) {
                lines.append("  \(clean(item.classname)) › \(clean(item.name))")
            }
        }
        if !summary.slowest.isEmpty {
            lines.append("")
            lines.append("Slowest:")
            for item in summary.slowest.prefix(5) {
                lines.append(
                    "  \(Format.duration(item.time).padding(toLength: 12, withPad: " ", startingAt: 0)) "
                        + clean("\(item.classname) › \(item.name)"))
            }
        }
        Swift.print(lines.joined(separator: "\n"))
    }
}

/// One line of progress redrawn in place on standard error, safe from any thread; silent unless
/// standard error is a terminal.
final class StatusLine: @unchecked Sendable {
    private let lock = NSLock()
    private let enabled: Bool
    private var lastDraw = Date.distantPast
    private var drawn = false
    private var counter = 0

    init(enabled: Bool) { self.enabled = enabled }

    /// Counts events (1, 2, ...), for "N done" messages.
    func count() -> Int {
        lock.withLock {
            counter += 1; return counter
        }
    }

    func show(_ text: String, force: Bool = false) {
        guard enabled else { return }
        lock.withLock {
            let now = Date()
            guard force || now.timeIntervalSince(lastDraw) > 0.1 else { return }
            lastDraw = now
            drawn = true
            FileHandle.standardError.write(Data("\r\u{1B}[K\(text)".utf8))
        }
    }

    func clear() {
        lock.withLock {
            guard drawn else { return }
            FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
            drawn = false
        }
    }
}
