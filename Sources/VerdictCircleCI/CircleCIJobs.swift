public import Foundation

/// What `job trigger` and `pipeline trigger` send.
public struct TriggerOptions: Sendable, Hashable {
    public var branch: String?
    public var revision: String?
    public var tag: String?
    public var job: String?
    public var parallel: Int?
    public var parameters: [String: String]

    public init(
        branch: String? = nil, revision: String? = nil, tag: String? = nil, job: String? = nil, parallel: Int? = nil,
        parameters: [String: String] = [:]
    ) {
        self.branch = branch
        self.revision = revision
        self.tag = tag
        self.job = job
        self.parallel = parallel
        self.parameters = parameters
    }

    func validate() throws(CircleCIError) {
        if revision != nil && tag != nil {
            throw .invalidRequest("--revision and --tag cannot be used together (the API refuses both)")
        }
    }
}

/// The Jobs endpoints of API v1.1 and the v2 endpoints that replace them.
public struct CircleCIJobs: Sendable {
    public let client: CircleCIClient

    public init(client: CircleCIClient) {
        self.client = client
    }

    private func v1(_ project: ProjectSlug) throws(CircleCIError) -> String {
        "/api/v1.1/project/" + (try project.v1Path())
    }

    private func v2(_ project: ProjectSlug) -> String {
        "/api/v2/project/" + project.v2Path
    }

    /// Job details: v1.1 (with steps) or v2.
    public func details(_ job: JobReference, api: APIVersion) async throws(CircleCIError) -> Data {
        switch api {
        case .v1: try await client.get(try v1(job.project) + "/\(job.number)")
        case .v2: try await client.get(v2(job.project) + "/job/\(job.number)")
        }
    }

    /// Test metadata: one v1.1 response, or every v2 page.
    public func tests(
        _ job: JobReference, api: APIVersion
    ) async throws(CircleCIError) -> (
        pages: [Data], warning: String?
    ) {
        switch api {
        case .v1: ([try await client.get(try v1(job.project) + "/\(job.number)/tests")], nil)
        case .v2: try await client.getPages(v2(job.project) + "/\(job.number)/tests")
        }
    }

    /// v1.1: `POST .../retry` (or `/ssh`), answering the new job. v2 has no per-job retry: the job's
    /// workflow is rerun with just this job (`POST /workflow/ID/rerun`).
    public func retry(_ job: JobReference, ssh: Bool, api: APIVersion) async throws(CircleCIError) -> Data {
        switch api {
        case .v1:
            return try await client.post(try v1(job.project) + "/\(job.number)/" + (ssh ? "ssh" : "retry"))
        case .v2:
            let details = try await client.get(v2(job.project) + "/job/\(job.number)")
            guard let object = try? JSONSerialization.jsonObject(with: details) as? [String: Any],
                let workflow = (object["latest_workflow"] as? [String: Any])?["id"] as? String
            else { throw .unexpectedResponse(path: "job \(job.number)", reason: "no latest_workflow.id") }
            let workflowPath = "/api/v2/workflow/" + PathSegment.encode(workflow)
            let (pages, _) = try await client.getPages(workflowPath + "/job")
            let jobID = pages.lazy.compactMap { page -> String? in
                guard let object = try? JSONSerialization.jsonObject(with: page) as? [String: Any],
                    let items = object["items"] as? [[String: Any]]
                else { return nil }
                return items.first { ($0["job_number"] as? Int) == job.number }?["id"] as? String
            }.first
            guard let jobID else {
                throw .unexpectedResponse(
                    path: workflowPath, reason: "job \(job.number) is not in workflow \(workflow)")
            }
            var body: [String: any Sendable] = ["jobs": [jobID]]
            if ssh { body["enable_ssh"] = true }
            return try await client.post(workflowPath + "/rerun", json: body)
        }
    }

    /// `POST .../cancel` (v1.1 answers the job; v2 answers a message).
    public func cancel(_ job: JobReference, api: APIVersion) async throws(CircleCIError) -> Data {
        switch api {
        case .v1: try await client.post(try v1(job.project) + "/\(job.number)/cancel")
        case .v2: try await client.post(v2(job.project) + "/job/\(job.number)/cancel")
        }
    }

    /// v1.1 new job: `POST /project/...` or `/project/.../tree/BRANCH`, body `job`, `revision` or
    /// `tag`, `parallel`, `build_parameters` (the job name also as `CIRCLE_JOB`).
    public func trigger(_ project: ProjectSlug, _ options: TriggerOptions) async throws(CircleCIError) -> Data {
        try options.validate()
        var path = try v1(project)
        if let branch = options.branch { path += "/tree/" + PathSegment.encode(branch) }
        var body: [String: any Sendable] = [:]
        var parameters = options.parameters
        if let job = options.job {
            body["job"] = job
            parameters["CIRCLE_JOB"] = job
        }
        if let revision = options.revision { body["revision"] = revision }
        if let tag = options.tag { body["tag"] = tag }
        if let parallel = options.parallel { body["parallel"] = parallel }
        if !parameters.isEmpty { body["build_parameters"] = parameters }
        return try await client.post(path, json: body)
    }

    /// A pipeline: v1.1 `POST /project/.../build` (`branch`, `revision` or `tag`), or v2
    /// `POST /project/SLUG/pipeline` (`branch` or `tag`, `parameters`).
    public func triggerPipeline(
        _ project: ProjectSlug, _ options: TriggerOptions, api: APIVersion
    )
        async throws(CircleCIError) -> Data
    {
        try options.validate()
        switch api {
        case .v1:
            var body: [String: any Sendable] = [:]
            if let branch = options.branch { body["branch"] = branch }
            if let revision = options.revision { body["revision"] = revision }
            if let tag = options.tag { body["tag"] = tag }
            return try await client.post(try v1(project) + "/build", json: body)
        case .v2:
            if options.revision != nil {
                throw .invalidRequest("API v2 triggers a pipeline by --branch or --tag, not --revision")
            }
            var body: [String: any Sendable] = [:]
            if let branch = options.branch { body["branch"] = branch }
            if let tag = options.tag { body["tag"] = tag }
            if !options.parameters.isEmpty { body["parameters"] = options.parameters }
            return try await client.post(v2(project) + "/pipeline", json: body)
        }
    }
}
