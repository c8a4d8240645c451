import ArgumentParser
import Foundation
import VerdictCircleCI
import VerdictCore

/// `--api v1.1|v2` (the CLI's own type: the library does not know ArgumentParser).
enum APIChoice: String, ExpressibleByArgument, CaseIterable {
    case v1 = "v1.1"
    case v2 = "v2"

    var version: APIVersion { self == .v1 ? .v1 : .v2 }
}

/// Options every command that talks to CircleCI shares.
struct APIOptions: ParsableArguments {
    @Option(help: "CircleCI API version (default: v1.1, or v2 for circleci/ORG-ID/PROJECT-ID projects).")
    var api: APIChoice?

    @Option(help: ArgumentHelp("CircleCI base URL (else CIRCLECI_HOST, else https://circleci.com).", valueName: "url"))
    var host: String?

    @Option(help: ArgumentHelp("Read the API token from this file (else CIRCLE_TOKEN).", valueName: "file"))
    var tokenFile: String?

    @Option(help: "Seconds to wait for an answer to each request.")
    var timeout: Double = 30

    @Option(help: "How many times to retry a GET after 429, 502, 503, 504 or a connection error.")
    var maxRetries: Int = 4

    @Flag(
        help:
            "Print each request (method, path, status, time) and, for reports, each input read, on standard error. Never the token."
    )
    var verbose = false

    func version(for project: ProjectSlug) -> APIVersion {
        api?.version ?? (project.vcs == .circleci ? .v2 : .v1)
    }

    /// The client; `status`, when given, shows each request on a terminal's standard error while a
    /// long fetch runs (the caller clears it).
    func client(status: StatusLine? = nil) throws(CircleCIError) -> CircleCIClient {
        let environment = ProcessInfo.processInfo.environment
        let hostText = host ?? environment["CIRCLECI_HOST"].flatMap { $0.isEmpty ? nil : $0 } ?? "https://circleci.com"
        guard let url = URL(string: hostText), let scheme = url.scheme?.lowercased(),
            scheme == "https" || scheme == "http", url.host != nil
        else { throw .invalidHost(hostText) }
        let token: String
        if let tokenFile {
            guard let text = try? String(contentsOfFile: tokenFile, encoding: .utf8) else {
                throw .unreadableTokenFile(path: tokenFile)
            }
            token = text.trimmingCharacters(in: .whitespacesAndNewlines)
        } else {
            token = environment["CIRCLE_TOKEN"]?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        }
        guard !token.isEmpty else { throw .missingToken }
        let base = environment["VERDICT_RETRY_BASE_SECONDS"].flatMap(Double.init) ?? 1
        let verbose = self.verbose
        return CircleCIClient(
            transport: URLSessionTransport(
                host: url, token: token, timeout: max(timeout, 0.1), userAgent: "verdict/\(Verdict.version)"),
            policy: RetryPolicy(maxRetries: maxRetries, baseDelay: base),
            log: { line in
                if verbose { StandardError().print("verdict: \(line)") }
                if let status, line.hasPrefix("GET ") {
                    status.show("fetching: \(status.count()) request(s) done", force: true)
                }
            })
    }

    func validate() throws {
        if timeout <= 0 { throw ValidationError("--timeout must be more than 0 seconds") }
        if maxRetries < 0 { throw ValidationError("--max-retries must be 0 or more") }
    }
}

/// Runs an API action: CircleCI errors exit 3 (usage-like ones 2) with the message on standard error.
func runAPI(_ body: () async throws(CircleCIError) -> Void) async throws {
    do {
        try await body()
    } catch {
        StandardError().print("error: \(error)")
        switch error {
        case .invalidSlug, .invalidJobReference, .v2Only, .missingToken, .unreadableTokenFile, .invalidHost,
            .invalidRequest:
            throw ExitCode(ExitStatus.inputOrUsage)
        default:
            throw ExitCode(ExitStatus.apiFailure)
        }
    }
}

/// One line about a job, a pipeline or a message, from a POST's answer.
enum APIOutput {
    /// Prints an answer: the raw body with `--json`, else its one-line description.
    static func emit(_ data: Data, json: Bool) {
        json ? FileHandle.standardOutput.write(data) : print(describe(data))
    }

    static func describe(_ data: Data) -> String {
        if let document = try? CircleCIDecoder.decode(data) {
            switch document {
            case .v1Job(let job), .v2Job(let job):
                var parts = ["job #\(job.number.map(String.init) ?? "?")"]
                if let name = job.name { parts[0] += " (\(name))" }
                parts.append(job.status ?? job.outcome ?? "unknown status")
                if let url = job.url { parts.append(url) }
                return parts.joined(separator: "  ")
            default: break
            }
        }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            return String(decoding: data.prefix(500), as: UTF8.self)
        }
        if let number = object["number"] as? Int, let state = object["state"] as? String {
            return "pipeline #\(number)  \(state)" + ((object["id"] as? String).map { "  id \($0)" } ?? "")
        }
        if let workflow = object["workflow_id"] as? String { return "rerun started as workflow \(workflow)" }
        if let body = object["body"] as? String { return body }
        if let message = object["message"] as? String { return message }
        return String(decoding: data.prefix(500), as: UTF8.self)
    }

    /// The readable form of job details (`job show`).
    static func show(_ job: JobSummary) -> String {
        var lines: [String] = []
        let title = [job.name, job.number.map { "#\($0)" }].compactMap { $0 }.joined(separator: " ")
        lines.append(title + (job.project.map { "  \($0)" } ?? ""))
        var status = "status: \(job.status ?? "unknown")"
        if let outcome = job.outcome, outcome != job.status { status += " (outcome \(outcome))" }
        lines.append(status)
        if let branch = job.branch { lines.append("branch: \(branch)") }
        if let revision = job.revision { lines.append("revision: \(revision)") }
        if let subject = job.subject { lines.append("subject: \(subject)") }
        if let duration = job.duration { lines.append("duration: \(Format.duration(duration))") }
        if let parallelism = job.parallelism { lines.append("parallelism: \(parallelism)") }
        if let url = job.url { lines.append("url: \(url)") }
        if !job.steps.isEmpty {
            lines.append("steps (slowest first; the slowest container's time):")
            for step in job.steps.sorted(by: { $0.time > $1.time }) {
                let state =
                    step.failed
                    ? "FAILED on container \(step.failedContainers.map(String.init).joined(separator: ", "))"
                    : step.status
                lines.append(
                    "  " + Format.duration(step.time).padding(toLength: 12, withPad: " ", startingAt: 0)
                        + " \(step.name)  [\(state)]")
            }
        }
        return lines.joined(separator: "\n")
    }
}
