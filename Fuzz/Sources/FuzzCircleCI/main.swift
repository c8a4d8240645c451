import CFuzzDriver
import Foundation
import VerdictCore

/// libFuzzer entry: decode the bytes as CircleCI JSON and turn any tests into records.
func fuzzCircleCI(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    guard let document = try? CircleCIDecoder.decode(Data(bytes: data, count: size)) else { return 0 }
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

var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzzCircleCI(data, size) })
