import ArgumentParser
import Foundation
import VerdictCircleCI

struct FetchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch",
        abstract: "Save a CircleCI job's details and complete test metadata as files `verdict report` reads.",
        discussion: """
            v1.1 saves job.json and tests.json; v2 saves job.json and every /tests page (tests-page1.json, …).

            Examples:
              CIRCLE_TOKEN=… verdict fetch gh/acme-corp/storefront 48213
              verdict fetch gh/acme-corp/storefront 48214 --api v2 --out results/ci
              verdict report results/ci --html report.html
            """
    )

    @Argument(
        help: "Project slug: gh/ORG/REPO, github/ORG/REPO, bb/ORG/REPO, bitbucket/ORG/REPO, circleci/ORG-ID/PROJECT-ID."
    )
    var project: String

    @Argument(help: "Job number.")
    var job: Int

    @Option(help: ArgumentHelp("Folder to save into (created if missing; default circleci-JOB).", valueName: "dir"))
    var out: String?

    @OptionGroup var options: APIOptions

    @Flag(help: "Print what was saved as JSON ({\"files\":[{\"path\",\"summary\"}]}) instead of lines.")
    var json = false

    func run() async throws {
        try await runAPI { () throws(CircleCIError) in
            let reference = JobReference(project: try ProjectSlug(project), number: job)
            let folder = out ?? "circleci-\(job)"
            let (saved, warning) = try await Self.fetch(reference, into: folder, options: options)
            if json {
                let files = saved.map { ["path": $0.path, "summary": $0.summary] }
                let data =
                    (try? JSONSerialization.data(
                        withJSONObject: ["files": files], options: [.prettyPrinted, .sortedKeys])) ?? Data()
                FileHandle.standardOutput.write(data + Data("\n".utf8))
            } else {
                for file in saved { print("saved \(file.path) (\(file.summary))") }
            }
            if let warning {
                StandardError().print("warning: \(warning)")
                throw .unexpectedResponse(path: "\(reference.project)/\(job)/tests", reason: "paging stopped early")
            }
        }
    }

    /// Fetches into `folder` (atomic file writes), removing test files an earlier fetch left there
    /// (a stale `tests-page3.json` would be reported with the new pages). Returns what was saved and a
    /// paging warning, if any.
    static func fetch(
        _ job: JobReference, into folder: String, options: APIOptions
    )
        async throws(CircleCIError) -> (saved: [(path: String, summary: String)], warning: String?)
    {
        // Progress while the pages come in, on a terminal only; cleared before anything is printed.
        let status = StatusLine(enabled: !options.verbose && Terminal.stderrIsTerminal)
        let client = try options.client(status: status)
        let fetcher = JobFetcher(jobs: CircleCIJobs(client: client))
        let fetched: (files: [FetchedFile], warning: String?)
        do {
            fetched = try await fetcher.fetch(job, api: options.version(for: job.project))
            status.clear()
        } catch {
            status.clear()
            throw error
        }
        let (files, warning) = fetched
        let fileManager = FileManager.default
        do {
            try fileManager.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw .invalidRequest("cannot create the folder \(folder): \((error as NSError).localizedDescription)")
        }
        var saved: [(path: String, summary: String)] = []
        for file in files {
            let path = (folder as NSString).appendingPathComponent(file.name)
            do {
                let output = try OutputFile(path: path)
                try output.write(file.data)
                try output.commit()
            } catch {
                throw .invalidRequest(String(describing: error))
            }
            saved.append((path, file.summary))
        }
        let written = Set(files.map(\.name))
        let existing = (try? fileManager.contentsOfDirectory(atPath: folder)) ?? []
        for name in existing where !written.contains(name) && isTestsFile(name) {
            try? fileManager.removeItem(atPath: (folder as NSString).appendingPathComponent(name))
        }
        return (saved, warning)
    }

    /// `tests.json` and `tests-pageN.json`: the names fetch writes test metadata under.
    static func isTestsFile(_ name: String) -> Bool {
        name == "tests.json" || (name.hasPrefix("tests-page") && name.hasSuffix(".json"))
    }
}
