public import Foundation

/// A CircleCI API response, recognised by its keys.
public enum CircleCIDocument: Sendable {
    case v1Tests([CircleCITestItemValue])
    case v2TestsPage([CircleCITestItemValue], nextPageToken: String?)
    case v1Job(JobSummary)
    case v2Job(JobSummary)

    public var kind: InputKind {
        switch self {
        case .v1Tests: .circleciV1Tests
        case .v2TestsPage: .circleciV2Tests
        case .v1Job: .circleciV1Job
        case .v2Job: .circleciV2Job
        }
    }
}

/// One `/tests` item as decoded (opaque to callers; turned into a record by `CircleCIDecoder`).
public struct CircleCITestItemValue: Sendable, Hashable {
    let item: CircleCITestItem
}

/// Decodes CircleCI `/tests` responses (v1.1 and v2 pages) and job details (v1.1 and v2).
public enum CircleCIDecoder {
    public static func decode(_ data: Data) throws(IngestError) -> CircleCIDocument {
        // `/tests` responses, the big ones, straight from the bytes; JSONDecoder for the rest.
        if let document = CircleCIFastDecoder.decode(data) { return document }
        return try decodeWithFoundation(data)
    }

    /// Every document through `JSONDecoder` (the reference the fast reader is tested against).
    static func decodeWithFoundation(_ data: Data) throws(IngestError) -> CircleCIDocument {
        do {
            return try JSONDecoder().decode(DocumentBox.self, from: data).document
        } catch let error as IngestError {
            throw error
        } catch let DecodingError.dataCorrupted(context) {
            let underlying = (context.underlyingError as? NSError)?.userInfo[NSDebugDescriptionErrorKey] as? String
            throw .invalidJSON(message: underlying ?? context.debugDescription)
        } catch {
            throw .invalidJSON(message: String(describing: error))
        }
    }

    /// Test records from the items of one input (all pages of a v2 response, or a v1.1 response).
    /// Items repeated across pages are dropped once each, with a warning.
    public static func records(
        pages: [[CircleCITestItemValue]], inputIndex: Int, sourceOverride: String? = nil
    ) -> (records: [TestRecord], warnings: [String]) {
        var records: [TestRecord] = []
        var unknownResults: [String: Int] = [:]
        var badTimes: [String] = []
        var seenOnEarlierPages: Set<CircleCITestItem> = []
        var repeated = 0
        for page in pages {
            var onThisPage: Set<CircleCITestItem> = []
            for value in page {
                let item = value.item
                if pages.count > 1 {
                    if seenOnEarlierPages.contains(item) {
                        repeated += 1
                        continue
                    }
                    onThisPage.insert(item)
                }
                let outcome: Outcome
                switch item.result?.lowercased() {
                case "success"?, "passed"?: outcome = .passed
                case "failure"?, "failed"?: outcome = .failed
                case "error"?, "errored"?: outcome = .errored
                case "skipped"?: outcome = .skipped
                default:
                    outcome = .failed
                    unknownResults[item.result ?? "null", default: 0] += 1
                }
                if let raw = item.runTimeRaw { badTimes.append(raw) }
                let message = item.message.flatMap { $0.isEmpty ? nil : $0.capped(TextCap.record) }
                var details: [ResultDetail] = []
                switch outcome {
                case .failed: details = [ResultDetail(kind: .failure, message: message)]
                case .errored: details = [ResultDetail(kind: .error, message: message)]
                case .skipped: details = message.map { [ResultDetail(kind: .skipped, message: $0)] } ?? []
                case .passed: break
                }
                let classname = item.classname ?? ""
                let source = sourceOverride ?? item.source.flatMap { $0.isEmpty ? nil : $0 } ?? "unknown"
                records.append(
                    TestRecord(
                        classname: classname, name: item.name ?? "", file: FilePath.normalize(item.file),
                        time: item.runTime ?? 0, outcome: outcome, source: source, suite: classname,
                        details: details, inputIndex: inputIndex))
            }
            seenOnEarlierPages.formUnion(onThisPage)
        }
        var warnings: [String] = []
        for (value, count) in unknownResults.sorted(by: { $0.key < $1.key }) {
            warnings.append(
                "\(count) test(s) have the unknown result \(String(reflecting: value)); counted as failed")
        }
        if let first = badTimes.first {
            warnings.append(
                "\(badTimes.count) run_time value(s) are not a number of seconds (first: "
                    + "\(String(reflecting: first))); counted as 0 s")
        }
        if repeated > 0 {
            warnings.append("\(repeated) item(s) repeated on a later page were counted once")
        }
        return (records, warnings)
    }
}

private struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

private struct V1TestsBody: Decodable {
    var tests: [CircleCITestItem]
}

private struct V2PageBody: Decodable {
    var items: [CircleCITestItem]
    var nextPageToken: String?
    enum CodingKeys: String, CodingKey {
        case items
        case nextPageToken = "next_page_token"
    }
}

private struct DocumentBox: Decodable {
    var document: CircleCIDocument

    init(from decoder: any Decoder) throws {
        guard let keyed = try? decoder.container(keyedBy: AnyKey.self) else {
            throw IngestError.unrecognizedJSON(keys: [])
        }
        let keys = Set(keyed.allKeys.map(\.stringValue))
        if keys.contains("tests") {
            let body = try V1TestsBody(from: decoder)
            document = .v1Tests(body.tests.map(CircleCITestItemValue.init))
        } else if keys.contains("items") {
            let body = try V2PageBody(from: decoder)
            document = .v2TestsPage(body.items.map(CircleCITestItemValue.init), nextPageToken: body.nextPageToken)
        } else if keys.contains("build_num") {
            document = .v1Job(try V1Job(from: decoder).summary)
        } else if keys.contains("number"), !keys.isDisjoint(with: ["web_url", "parallel_runs", "executor", "pipeline"])
        {
            document = .v2Job(try V2Job(from: decoder).summary)
        } else {
            throw IngestError.unrecognizedJSON(keys: keys.sorted())
        }
    }
}

extension V1Job {
    var summary: JobSummary {
        let steps = (self.steps ?? []).map { step -> StepSummary in
            let actions = step.actions ?? []
            let failedContainers = actions.enumerated().compactMap { offset, action -> Int? in
                let failed =
                    action.failed == true
                    || ["failed", "timedout", "infrastructure_fail"].contains(action.status ?? "")
                return failed ? (action.index ?? offset) : nil
            }
            let statuses = actions.compactMap(\.status)
            let status =
                !failedContainers.isEmpty
                ? "failed" : (statuses.first { $0 != "success" } ?? statuses.first ?? "unknown")
            return StepSummary(
                name: step.name ?? "", time: (actions.compactMap(\.runTimeMillis).max() ?? 0) / 1000, status: status,
                failed: !failedContainers.isEmpty, containers: actions.count, failedContainers: failedContainers)
        }
        // The same slug form as v2's `project.slug`: gh/ORG/REPO, bb/ORG/REPO.
        let vcs: String? =
            switch vcsType {
            case "github"?: "gh"
            case "bitbucket"?: "bb"
            default: vcsType
            }
        let project =
            username != nil && reponame != nil
            ? [vcs, username, reponame].compactMap { $0 }.joined(separator: "/") : ""
        return JobSummary(
            api: "v1.1", number: buildNum, name: jobName ?? workflows?.jobName,
            project: project.isEmpty ? nil : project,
            branch: branch, revision: vcsRevision, subject: subject, url: buildURL, status: status, outcome: outcome,
            duration: buildTimeMillis.map { $0 / 1000 }, parallelism: parallel, steps: steps)
    }
}

extension V2Job {
    var summary: JobSummary {
        JobSummary(
            api: "v2", number: number, name: name, project: project?.slug, url: webURL, status: status,
            duration: duration.map { $0 / 1000 }, parallelism: parallelism)
    }
}
