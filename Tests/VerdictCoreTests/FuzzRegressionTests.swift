import Foundation
import Testing

@testable import VerdictCore

/// Every input the fuzzers once broke Verdict with (Fuzz/Regressions/), checked against the same
/// invariants the fuzz targets check.
@Suite("Fuzz regressions")
struct FuzzRegressionTests {
    static func inputs(_ kind: String) -> [String] {
        let folder = Paths.root.appendingPathComponent("Fuzz/Regressions/\(kind)")
        return ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted()
    }

    @Test("JUnit regressions keep the reader's invariants", arguments: inputs("junit"))
    func junit(_ name: String) throws {
        let data = try bytes(Paths.root.appendingPathComponent("Fuzz/Regressions/junit/\(name)"))
        guard let whole = try? JUnitReader.read(data, chunkSize: data.count + 1) else { return }
        #expect(whole.report.tests == whole.records.count)
        for size in [1, 2, 7, 61] {
            let chunked = try JUnitReader.read(data, chunkSize: size)
            #expect(chunked.records == whole.records, "chunk size \(size)")
        }
        let t = totals(whole.records)
        #expect(t.tests == t.passed + t.failed + t.errored + t.skipped)
        #expect(whole.records.allSatisfy { $0.time.isFinite && $0.time >= 0 })
    }

    @Test("CircleCI regressions decode or fail cleanly", arguments: inputs("circleci"))
    func circleci(_ name: String) throws {
        let data = try Data(contentsOf: Paths.root.appendingPathComponent("Fuzz/Regressions/circleci/\(name)"))
        guard case .some(let document) = try? CircleCIDecoder.decode(data) else { return }
        if case .v1Tests(let items) = document {
            let records = CircleCIDecoder.records(pages: [items], inputIndex: 0).records
            #expect(records.allSatisfy { $0.time.isFinite && $0.time >= 0 })
        }
    }

    @Test("there is at least one regression input")
    func present() {
        #expect(!Self.inputs("junit").isEmpty)
    }
}
