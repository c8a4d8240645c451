import ArgumentParser
import Foundation
import VerdictCircleCI
import VerdictCore

struct JobCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "job",
        abstract: "Show, retry, cancel or trigger CircleCI jobs.",
        discussion:
            "Examples:\n  verdict job show gh/acme-corp/storefront 48213\n  verdict job retry gh/acme-corp/storefront 48213 --ssh",
        subcommands: [Show.self, Retry.self, Cancel.self, Trigger.self]
    )

    /// PROJECT JOB, shared by show, retry and cancel.
    struct Target: ParsableArguments {
        @Argument(help: "Project slug: gh/ORG/REPO, bb/ORG/REPO, circleci/ORG-ID/PROJECT-ID, ...")
        var project: String

        @Argument(help: "Job number.")
        var job: Int

        func reference() throws(CircleCIError) -> JobReference {
            JobReference(project: try ProjectSlug(project), number: job)
        }

        /// Sends one job action and prints its answer (the raw body with `json`).
        func post(
            options: APIOptions, json: Bool,
            _ action: (CircleCIJobs, JobReference, APIVersion) async throws(CircleCIError) -> Data
        ) async throws {
            try await runAPI { () throws(CircleCIError) in
                let job = try reference()
                let data = try await action(
                    CircleCIJobs(client: try options.client()), job, options.version(for: job.project))
                APIOutput.emit(data, json: json)
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a job: status, outcome, timings and steps (slowest first).",
            discussion: "Example:\n  verdict job show gh/acme-corp/storefront 48213")

        @OptionGroup var target: Target
        @OptionGroup var options: APIOptions
        @Flag(help: "Print the API's raw response.") var json = false

        func run() async throws {
            try await runAPI { () throws(CircleCIError) in
                let job = try target.reference()
                let jobs = CircleCIJobs(client: try options.client())
                let data = try await jobs.details(job, api: options.version(for: job.project))
                if json { return FileHandle.standardOutput.write(data) }
                switch try? CircleCIDecoder.decode(data) {
                case .v1Job(let summary)?, .v2Job(let summary)?: print(APIOutput.show(summary))
                default: throw .unexpectedResponse(path: "job \(job.number)", reason: "not job details")
                }
            }
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Retry a job (v1.1 retry or ssh; v2 reruns the job in its workflow). Never retried itself.",
            discussion: "Examples:\n  verdict job retry gh/acme-corp/storefront 48213\n"
                + "  verdict job retry gh/acme-corp/storefront 48213 --ssh")

        @OptionGroup var target: Target
        @OptionGroup var options: APIOptions
        @Flag(help: "Retry with SSH enabled.") var ssh = false
        @Flag(help: "Print the API's raw response.") var json = false

        func run() async throws {
            try await target.post(options: options, json: json) { jobs, job, api throws(CircleCIError) in
                try await jobs.retry(job, ssh: ssh, api: api)
            }
        }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Cancel a job.", discussion: "Example:\n  verdict job cancel gh/acme-corp/storefront 48240")

        @OptionGroup var target: Target
        @OptionGroup var options: APIOptions
        @Flag(help: "Print the API's raw response.") var json = false

        func run() async throws {
            try await target.post(options: options, json: json) { jobs, job, api throws(CircleCIError) in
                try await jobs.cancel(job, api: api)
            }
        }
    }

    struct Trigger: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Trigger a new job (API v1.1: POST /project/..., or /tree/BRANCH with --branch).",
            discussion: """
                The job name goes in the body as `job` and in build_parameters as CIRCLE_JOB.
                Example:
                  verdict job trigger gh/acme-corp/storefront --branch main --job deploy --param ENV=staging
                """)

        @Argument(help: "Project slug: gh/ORG/REPO or bb/ORG/REPO.") var project: String
        @OptionGroup var revision: RevisionOptions
        @Option(help: "The job to run.") var job: String?
        @Option(help: "Number of containers (ignored by CircleCI 2.0 infrastructure).") var parallel: Int?
        @OptionGroup var options: APIOptions
        @Flag(help: "Print the API's raw response.") var json = false

        func run() async throws {
            try await runAPI { () throws(CircleCIError) in
                let slug = try ProjectSlug(project)
                let jobs = CircleCIJobs(client: try options.client())
                var trigger = try revision.trigger()
                trigger.job = job
                trigger.parallel = parallel
                let data = try await jobs.trigger(slug, trigger)
                APIOutput.emit(data, json: json)
            }
        }
    }
}

struct PipelineCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pipeline",
        abstract: "Trigger CircleCI pipelines.",
        discussion: "Example:\n  verdict pipeline trigger gh/acme-corp/storefront --branch main",
        subcommands: [Trigger.self]
    )

    struct Trigger: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Trigger a pipeline (v1.1 POST /project/.../build; v2 POST /project/SLUG/pipeline).",
            discussion: "Examples:\n  verdict pipeline trigger gh/acme-corp/storefront --branch main\n"
                + "  verdict pipeline trigger gh/acme-corp/storefront --tag v1.2.0 --api v2 --param deploy=true")

        @Argument(help: "Project slug.") var project: String
        @OptionGroup var revision: RevisionOptions
        @OptionGroup var options: APIOptions
        @Flag(help: "Print the API's raw response.") var json = false

        func run() async throws {
            try await runAPI { () throws(CircleCIError) in
                let slug = try ProjectSlug(project)
                let jobs = CircleCIJobs(client: try options.client())
                let data = try await jobs.triggerPipeline(slug, try revision.trigger(), api: options.version(for: slug))
                APIOutput.emit(data, json: json)
            }
        }
    }
}

/// What to build: a branch, a revision or a tag, and parameters.
struct RevisionOptions: ParsableArguments {
    @Option(help: "Branch to build.") var branch: String?
    @Option(help: "Commit to build (not with --tag).") var revision: String?
    @Option(help: "Tag to build (not with --revision).") var tag: String?
    @Option(
        name: .customLong("param"),
        help: ArgumentHelp(
            "A parameter (build_parameters in v1.1, parameters in v2); repeatable.", valueName: "key=value"))
    var parameters: [String] = []

    func validate() throws {
        if revision != nil && tag != nil {
            throw ValidationError("--revision and --tag cannot be used together (the API refuses both)")
        }
        for parameter in parameters where !parameter.contains("=") || parameter.hasPrefix("=") {
            throw ValidationError("--param takes KEY=VALUE, got \(String(reflecting: parameter))")
        }
    }

    func trigger() throws(CircleCIError) -> TriggerOptions {
        var values: [String: String] = [:]
        for parameter in parameters {
            guard let equals = parameter.firstIndex(of: "=") else { continue }
            values[String(parameter[..<equals])] = String(parameter[parameter.index(after: equals)...])
        }
        return TriggerOptions(branch: branch, revision: revision, tag: tag, parameters: values)
    }
}
