import CFuzzDriver
import Foundation

@testable import VerdictCore

/// libFuzzer entry: decode the bytes as CircleCI JSON and turn any tests into records.
func fuzzCircleCI(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    let bytes = Data(bytes: data, count: size)
    checkFastDecoder(bytes)
    guard let document = try? CircleCIDecoder.decode(bytes) else { return 0 }
    switch document {
    case .v1Tests(let items), .v2TestsPage(let items, _):
        let (records, _) = CircleCIDecoder.records(pages: [items, items], inputIndex: 0)
        precondition(records.count <= items.count * 2)
        for record in records { precondition(record.time.isFinite && record.time >= 0) }
    case .v1Job(let job), .v2Job(let job):
        for step in job.steps { precondition(step.time.isFinite) }
    }
    return 0
}

/// Differential: whatever the lean reader accepts, JSONDecoder must accept too, with the same items
/// (and page token). What it refuses goes to JSONDecoder, so a refusal is always allowed.
func checkFastDecoder(_ bytes: Data) {
    guard let fast = CircleCIFastDecoder.decode(bytes) else { return }
    let reference: CircleCIDocument
    do {
        reference = try CircleCIDecoder.decodeWithFoundation(bytes)
    } catch {
        preconditionFailure("the lean reader accepted what JSONDecoder refuses: \(error)")
    }
    switch (fast, reference) {
    case (.v1Tests(let mine), .v1Tests(let theirs)):
        precondition(mine == theirs, "v1.1 items differ from JSONDecoder's")
    case (.v2TestsPage(let mine, let myToken), .v2TestsPage(let theirs, let theirToken)):
        precondition(mine == theirs, "v2 items differ from JSONDecoder's")
        precondition(myToken == theirToken, "next_page_token differs from JSONDecoder's")
    default:
        preconditionFailure("the lean reader read \(fast.kind), JSONDecoder \(reference.kind)")
    }
}

var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzzCircleCI(data, size) })
