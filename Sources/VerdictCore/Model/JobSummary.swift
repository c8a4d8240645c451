/// A CircleCI job's header for the report: which build, and where its time went.
public struct JobSummary: Sendable, Hashable, Codable {
    public var api: String
    public var number: Int?
    public var name: String?
    public var project: String?
    public var branch: String?
    public var revision: String?
    public var subject: String?
    public var url: String?
    public var status: String?
    public var outcome: String?
    /// Seconds, when the input says.
    public var duration: Double?
    public var parallelism: Int?
    public var steps: [StepSummary]

    public init(
        api: String, number: Int? = nil, name: String? = nil, project: String? = nil, branch: String? = nil,
        revision: String? = nil, subject: String? = nil, url: String? = nil, status: String? = nil,
        outcome: String? = nil, duration: Double? = nil, parallelism: Int? = nil, steps: [StepSummary] = []
    ) {
        self.api = api
        self.number = number
        self.name = name
        self.project = project
        self.branch = branch
        self.revision = revision
        self.subject = subject
        self.url = url
        self.status = status
        self.outcome = outcome
        self.duration = duration
        self.parallelism = parallelism
        self.steps = steps
    }
}

/// One step of a job: its longest container time, and whether any container failed it.
public struct StepSummary: Sendable, Hashable, Codable {
    public var name: String
    /// Seconds: the slowest of the step's parallel actions.
    public var time: Double
    public var status: String
    public var failed: Bool
    public var containers: Int
    /// Containers (action indexes) on which the step failed.
    public var failedContainers: [Int]
}
