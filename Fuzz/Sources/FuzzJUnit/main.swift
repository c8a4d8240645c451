import CFuzzDriver
import Foundation
import VerdictCore

/// libFuzzer entry: read the bytes as a JUnit file in odd-sized chunks, then check the invariants
/// every input must keep (a crash or a failed precondition is a finding).
func fuzzJUnit(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
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

var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzzJUnit(data, size) })
