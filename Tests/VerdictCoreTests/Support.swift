import Foundation
import Testing

@testable import VerdictCore

/// Paths and small helpers shared by the core tests.
enum Paths {
    /// The package root (this file is Tests/VerdictCoreTests/Support.swift).
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    /// `../shared` beside the checkout (CI lays it there).
    static let shared = root.deletingLastPathComponent().appendingPathComponent("shared")
    static let corpus = shared.appendingPathComponent("corpus/junit")
    static let circleci = shared.appendingPathComponent("corpus/circleci")
    static let fixtures = root.appendingPathComponent("Tests/VerdictCoreTests/Fixtures")
    static let sampleData = root.appendingPathComponent("SampleData")
}

func bytes(_ url: URL) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: url))
}

/// Reads a JUnit document from a string.
func readJUnit(_ xml: String, chunkSize: Int = 64 * 1024) throws -> (records: [TestRecord], report: InputReport) {
    try JUnitReader.read(Array(xml.utf8), chunkSize: chunkSize)
}

/// Totals exactly as a report would count them.
func totals(_ records: [TestRecord]) -> Totals {
    var accumulator = ReportAccumulator()
    records.forEach { accumulator.add($0) }
    return accumulator.summary(title: "t").totals
}

/// The one record of a one-testcase document.
func single(_ xml: String) throws -> TestRecord {
    let records = try readJUnit(xml).records
    try #require(records.count == 1, "expected one record, got \(records.count)")
    return records[0]
}
