/// `run_time`: a number, a numeric string, or null.
struct FlexibleSeconds: Decodable, Sendable {
    var value: Double?
    var raw: String?

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            value = 0
        } else if let number = try? container.decode(Double.self) {
            value = number.isFinite && number >= 0 ? number : nil
            raw = value == nil ? String(number) : nil
        } else if let text = try? container.decode(String.self) {
            if case .seconds(let seconds) = TimeValue.parse(text) {
                value = seconds
            } else if case .missing = TimeValue.parse(text) {
                value = 0
            } else {
                raw = text
            }
        } else {
            raw = "(not a number)"
        }
    }
}

/// One `/tests` item (v1.1 `tests[]`, v2 `items[]`); every field may be missing or null.
struct CircleCITestItem: Decodable, Sendable, Hashable {
    var classname: String?
    var file: String?
    var name: String?
    var result: String?
    var runTime: Double?
    var runTimeRaw: String?
    var message: String?
    var source: String?

    enum CodingKeys: String, CodingKey {
        case classname, file, name, result, message, source
        case runTime = "run_time"
    }

    /// An item with every field absent (`run_time` absent is 0 s).
    init() {
        runTime = 0
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        classname = try? c.decodeIfPresent(String.self, forKey: .classname)
        file = try? c.decodeIfPresent(String.self, forKey: .file)
        name = try? c.decodeIfPresent(String.self, forKey: .name)
        result = try? c.decodeIfPresent(String.self, forKey: .result)
        message = try? c.decodeIfPresent(String.self, forKey: .message)
        source = try? c.decodeIfPresent(String.self, forKey: .source)
        let seconds = try c.decodeIfPresent(FlexibleSeconds.self, forKey: .runTime)
        runTime = seconds == nil ? 0 : seconds?.value
        runTimeRaw = seconds?.raw
    }
}

struct V1Action: Decodable, Sendable {
    var index: Int?
    var status: String?
    var failed: Bool?
    var runTimeMillis: Double?
    var exitCode: Int?

    enum CodingKeys: String, CodingKey {
        case index, status, failed
        case runTimeMillis = "run_time_millis"
        case exitCode = "exit_code"
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        index = try? c.decodeIfPresent(Int.self, forKey: .index)
        status = try? c.decodeIfPresent(String.self, forKey: .status)
        failed = try? c.decodeIfPresent(Bool.self, forKey: .failed)
        runTimeMillis = try? c.decodeIfPresent(Double.self, forKey: .runTimeMillis)
        exitCode = try? c.decodeIfPresent(Int.self, forKey: .exitCode)
    }
}

struct V1Step: Decodable, Sendable {
    var name: String?
    var actions: [V1Action]?
}

struct V1Workflow: Decodable, Sendable {
    var jobName: String?
    enum CodingKeys: String, CodingKey { case jobName = "job_name" }
}

struct V1Job: Decodable, Sendable {
    var buildNum: Int?
    var branch: String?
    var vcsRevision: String?
    var subject: String?
    var buildURL: String?
    var status: String?
    var outcome: String?
    var buildTimeMillis: Double?
    var parallel: Int?
    var username: String?
    var reponame: String?
    var vcsType: String?
    var jobName: String?
    var workflows: V1Workflow?
    var steps: [V1Step]?

    enum CodingKeys: String, CodingKey {
        case branch, subject, status, outcome, parallel, username, reponame, workflows, steps
        case buildNum = "build_num"
        case vcsRevision = "vcs_revision"
        case buildURL = "build_url"
        case buildTimeMillis = "build_time_millis"
        case jobName = "job_name"
        case vcsType = "vcs_type"
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        vcsType = try? c.decodeIfPresent(String.self, forKey: .vcsType)
        buildNum = try? c.decodeIfPresent(Int.self, forKey: .buildNum)
        branch = try? c.decodeIfPresent(String.self, forKey: .branch)
        vcsRevision = try? c.decodeIfPresent(String.self, forKey: .vcsRevision)
        subject = try? c.decodeIfPresent(String.self, forKey: .subject)
        buildURL = try? c.decodeIfPresent(String.self, forKey: .buildURL)
        status = try? c.decodeIfPresent(String.self, forKey: .status)
        outcome = try? c.decodeIfPresent(String.self, forKey: .outcome)
        buildTimeMillis = try? c.decodeIfPresent(Double.self, forKey: .buildTimeMillis)
        parallel = try? c.decodeIfPresent(Int.self, forKey: .parallel)
        username = try? c.decodeIfPresent(String.self, forKey: .username)
        reponame = try? c.decodeIfPresent(String.self, forKey: .reponame)
        jobName = try? c.decodeIfPresent(String.self, forKey: .jobName)
        workflows = try? c.decodeIfPresent(V1Workflow.self, forKey: .workflows)
        steps = try? c.decodeIfPresent([V1Step].self, forKey: .steps)
    }
}

struct V2Project: Decodable, Sendable {
    var slug: String?
}

struct V2Job: Decodable, Sendable {
    var number: Int?
    var name: String?
    var status: String?
    var webURL: String?
    var duration: Double?
    var parallelism: Int?
    var project: V2Project?

    enum CodingKeys: String, CodingKey {
        case number, name, status, duration, parallelism, project
        case webURL = "web_url"
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        number = try? c.decodeIfPresent(Int.self, forKey: .number)
        name = try? c.decodeIfPresent(String.self, forKey: .name)
        status = try? c.decodeIfPresent(String.self, forKey: .status)
        webURL = try? c.decodeIfPresent(String.self, forKey: .webURL)
        duration = try? c.decodeIfPresent(Double.self, forKey: .duration)
        parallelism = try? c.decodeIfPresent(Int.self, forKey: .parallelism)
        project = try? c.decodeIfPresent(V2Project.self, forKey: .project)
    }
}
