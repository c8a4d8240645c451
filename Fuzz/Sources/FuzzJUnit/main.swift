import CFuzzDriver
import Foundation

@testable import VerdictCore

/// libFuzzer entry: read the bytes as a JUnit file in odd-sized chunks, then check the invariants
/// every input must keep (a crash or a failed precondition is a finding).
func fuzzJUnit(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    checkAttributeFastPaths(bytes)
    let chunk = 1 + (size % 61)
    guard let (records, report) = try? JUnitReader.read(bytes, chunkSize: chunk) else { return 0 }
    precondition(report.tests == records.count, "report counts \(report.tests), records \(records.count)")
    var accumulator = ReportAccumulator()
    for record in records {
        precondition(record.time.isFinite && record.time >= 0, "bad time \(record.time)")
        accumulator.add(record)
    }
    let totals = accumulator.summary(title: "fuzz").totals
    precondition(totals.tests == totals.passed + totals.failed + totals.errored + totals.skipped)
    // The same bytes in one chunk give the same records.
    if let whole = try? JUnitReader.read(bytes, chunkSize: size + 1) {
        precondition(whole.records == records, "chunking changed the records")
    }
    return 0
}

/// Differential: `time` and `line` read straight from the bytes must agree with the string rules
/// they stand in for (`TimeValue.parse`, `Int(trimmed)`), for every prefix of the input up to 24 bytes.
func checkAttributeFastPaths(_ bytes: [UInt8]) {
    bytes.withUnsafeBufferPointer { all in
        for length in 0...min(all.count, 24) {
            let value = UnsafeBufferPointer(rebasing: all[0..<length])
            let text = XMLAttributes.decode(value)
            if let fast = TimeValue.parsePlain(value) {
                let slow = TimeValue.parse(text)
                precondition(fast == slow, "time \(Array(value)): \(fast) from the bytes, \(slow) from the text")
            }
            let line = JUnitState.lineNumber(value)
            let reference = Int(text.trimmingWhitespace())
            precondition(
                line == reference, "line \(Array(value)): \(String(describing: line)), \(String(describing: reference))"
            )
        }
    }
}

var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzzJUnit(data, size) })
