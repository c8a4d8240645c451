public import Foundation
import VerdictCore

/// One file `verdict fetch` saves: the API's response exactly as received.
public struct FetchedFile: Sendable, Hashable {
    public var name: String
    public var data: Data
    /// What it holds, for the "saved ..." line.
    public var summary: String
}

/// Downloads a job's details and complete test metadata as files `verdict report` reads.
public struct JobFetcher: Sendable {
    public let jobs: CircleCIJobs

    public init(jobs: CircleCIJobs) {
        self.jobs = jobs
    }

    /// v1.1: `job.json`, `tests.json`. v2: `job.json`, `tests-page1.json`, `tests-page2.json`, ...
    public func fetch(
        _ job: JobReference, api: APIVersion
    ) async throws(CircleCIError) -> (
        files: [FetchedFile], warning: String?
    ) {
        let details = try await jobs.details(job, api: api)
        var files = [FetchedFile(name: "job.json", data: details, summary: Self.describe(details))]
        let (pages, warning) = try await jobs.tests(job, api: api)
        if api == .v1, let page = pages.first {
            files.append(FetchedFile(name: "tests.json", data: page, summary: Self.describe(page)))
        } else {
            for (index, page) in pages.enumerated() {
                files.append(
                    FetchedFile(name: "tests-page\(index + 1).json", data: page, summary: Self.describe(page)))
            }
        }
        return (files, warning)
    }

    /// "v1.1 job details: test #48213, failed", "25 tests", ...
    static func describe(_ data: Data) -> String {
        guard let document = try? CircleCIDecoder.decode(data) else { return "\(data.count) bytes" }
        switch document {
        case .v1Tests(let items): return "v1.1 test metadata: \(items.count) tests"
        case .v2TestsPage(let items, let token):
            return "v2 test metadata page: \(items.count) tests" + (token == nil ? ", last page" : "")
        case .v1Job(let job), .v2Job(let job):
            let name = [job.name, job.number.map { "#\($0)" }].compactMap { $0 }.joined(separator: " ")
            let state = job.outcome ?? job.status ?? "unknown"
            return "\(job.api) job details: \(name), \(state)"
        }
    }
}
