/// The view model the `report.html` and `report.md` templates render: plain dictionaries and
/// arrays of display-ready values (templates are logic-less). Documented in README.md.
public struct ReportContext {
    /// Rows per group table in HTML; Markdown shows fewer.
    public var groupLimit = 500
    public var markdownGroupLimit = 15
    /// Failures shown with their message and output in HTML; later ones get one line each, so a
    /// report with 30,000 failures stays a page a browser opens quickly (the JSON has everything).
    public var htmlFailureLimit = 500
    /// Failures listed at all in HTML (one line each past `htmlFailureLimit`); the rest are counted.
    public var htmlFailureListLimit = 5000
    /// Failures shown in full in Markdown (a PR comment holds 65,536 characters).
    public var markdownFailureLimit = 30
    /// Inputs listed in Markdown: those with warnings first choice, the rest in input order.
    public var markdownInputLimit = 20
    public var version: String

    public init(version: String) {
        self.version = version
    }

    /// Indexes of the inputs a Markdown report lists, in input order: every input with a warning
    /// first (up to `limit`), then the others in order until `limit` are chosen.
    static func markdownInputs(_ inputs: [InputReport], limit: Int) -> [Int] {
        guard inputs.count > limit else { return Array(inputs.indices) }
        var chosen = Set(inputs.indices.filter { !inputs[$0].warnings.isEmpty }.prefix(limit))
        for index in inputs.indices where chosen.count < limit { chosen.insert(index) }
        return chosen.sorted()
    }

    public func make(_ summary: ReportSummary) -> [String: Any] {
        let totals = summary.totals
        let failing = totals.failed + totals.errored
        var context: [String: Any] = [
            "title": summary.title,
            "version": version,
            "headline": summary.headline,
            "nonce": Nonce.make(summary.title, summary.headline, version),
            "passed": failing == 0,
            "incomplete": summary.incomplete,
            "totals": [
                "tests": totals.tests, "passed": totals.passed, "failed": totals.failed,
                "errored": totals.errored, "skipped": totals.skipped, "flaky": totals.flaky,
                "failing": failing, "time": Format.duration(totals.time),
                "seconds": Format.decimalSeconds(totals.time),
                "passedPercent": Format.percent(Double(totals.passed), of: Double(totals.tests)),
            ] as [String: Any],
        ]
        let failures = summary.failures.prefix(htmlFailureListLimit).enumerated().map {
            failure($0.element, index: $0.offset)
        }
        context["failures"] = failures
        if summary.failures.count > htmlFailureLimit {
            context["failuresShortened"] = true
            context["htmlFailureLimit"] = htmlFailureLimit
            context["oneLineFailures"] = min(summary.failures.count, htmlFailureListLimit) - htmlFailureLimit
            if summary.failures.count > htmlFailureListLimit {
                context["unlistedFailures"] = summary.failures.count - htmlFailureListLimit
            }
        }
        context["hasFailures"] = !failures.isEmpty
        context["failureCount"] = failures.count
        context["markdownFailures"] = Array(failures.prefix(markdownFailureLimit))
        if failures.count > markdownFailureLimit {
            context["markdownFailuresOmitted"] = failures.count - markdownFailureLimit
        }

        context["flaky"] = summary.flaky.map { item -> [String: Any] in
            [
                "classname": item.classname, "name": item.name, "passed": item.passed, "failed": item.failed,
                "markedFlaky": item.markedFlaky,
            ]
        }
        context["hasFlaky"] = !summary.flaky.isEmpty

        context["slowest"] = summary.slowest.map { item -> [String: Any] in
            var row: [String: Any] = [
                "classname": item.classname, "name": item.name, "source": item.source,
                "time": Format.duration(item.time), "seconds": Format.decimalSeconds(item.time),
                "outcome": item.outcome.rawValue,
            ]
            row["file"] = item.file
            return row
        }
        context["hasSlowest"] = !summary.slowest.isEmpty

        context["groups"] = [
            "classname": groupTable(summary.groups.classname, total: totals.time, label: "Classname"),
            "file": groupTable(summary.groups.file, total: totals.time, label: "File"),
            "source": groupTable(summary.groups.source, total: totals.time, label: "Source"),
        ]
        context["groupTables"] = [
            groupTable(summary.groups.source, total: totals.time, label: "Source"),
            groupTable(summary.groups.classname, total: totals.time, label: "Classname"),
            groupTable(summary.groups.file, total: totals.time, label: "File"),
        ]

        let inputs = summary.inputs.map { input -> [String: Any] in
            [
                "path": input.path, "kind": input.kind.rawValue, "tests": input.tests, "warnings": input.warnings,
                "hasWarnings": !input.warnings.isEmpty, "incomplete": input.incomplete,
            ]
        }
        context["inputs"] = inputs
        context["inputCount"] = inputs.count
        let shown = Self.markdownInputs(summary.inputs, limit: markdownInputLimit)
        context["markdownInputs"] = shown.map { inputs[$0] }
        if shown.count < inputs.count {
            context["markdownInputsOmitted"] = inputs.count - shown.count
            let listed = Set(shown)
            context["markdownInputsOmittedTests"] = inputs.indices.reduce(0) { total, index in
                listed.contains(index) ? total : total + summary.inputs[index].tests
            }
        }
        let warningCount = summary.inputs.reduce(0) { $0 + $1.warnings.count }
        context["warningCount"] = warningCount
        context["hasWarnings"] = warningCount > 0

        context["jobs"] = summary.jobs.map(job)
        context["hasJobs"] = !summary.jobs.isEmpty
        context["timeChart"] = TimeChart.bars(
            summary.groups.source.isEmpty ? [] : summary.groups.source, total: totals.time)
        context["classnameChart"] = TimeChart.bars(summary.groups.classname, total: totals.time)

        if let history = summary.history {
            func strip(_ classname: String, _ name: String, _ file: String?) -> [[String: Any]] {
                (history.outcomes[ReportHistory.key(classname: classname, name: name, file: file)] ?? []).map {
                    ["outcome": $0.rawValue, "symbol": Self.symbol($0)]
                }
            }
            context["failures"] = zip(summary.failures, failures).map { item, row in
                var row = row
                let outcomes = strip(item.classname, item.name, item.file)
                row["strip"] = outcomes
                row["hasStrip"] = !outcomes.isEmpty
                return row
            }
            context["markdownFailures"] = Array(
                (context["failures"] as? [[String: Any]] ?? []).prefix(markdownFailureLimit))
            context["slowest"] = zip(summary.slowest, context["slowest"] as? [[String: Any]] ?? []).map { item, row in
                var row = row
                row["strip"] = strip(item.classname, item.name, item.file)
                return row
            }
            context["trends"] = history.classnameSeries.map { series -> [String: Any] in
                [
                    "key": series.key, "points": Self.sparkline(series.times), "runs": series.times.count,
                    "last": Format.duration(series.times.last ?? 0), "max": Format.duration(series.times.max() ?? 0),
                ]
            }
            context["hasTrends"] = !history.classnameSeries.isEmpty
            context["hasHistory"] = true
        }
        let rows = context["failures"] as? [[String: Any]] ?? []
        context["failureGroups"] = summary.failureGroups.map { group -> [String: Any] in
            var row: [String: Any] = [
                "signature": group.signature, "example": group.example, "count": group.count,
                "multiple": group.count > 1,
                "failures": group.failures.compactMap { $0 < rows.count ? rows[$0] : nil },
                "tests": group.failures.prefix(3).compactMap { $0 < rows.count ? rows[$0]["identity"] : nil },
            ]
            if group.count > 3 { row["moreTests"] = group.count - 3 }
            let listed = group.failures.filter { $0 < rows.count }.count
            if listed < group.count { row["unlisted"] = group.count - listed }
            row["type"] = group.type
            return row
        }
        context["groupCount"] = summary.failureGroups.count
        context["markdownGroups"] = Array(
            (context["failureGroups"] as? [[String: Any]] ?? []).prefix(markdownGroupLimit * 2))
        if summary.failureGroups.count > markdownGroupLimit * 2 {
            context["markdownGroupsOmitted"] = summary.failureGroups.count - markdownGroupLimit * 2
        }
        return context
    }

    static func symbol(_ outcome: Outcome) -> String {
        switch outcome {
        case .passed: "✅"
        case .failed: "❌"
        case .errored: "💥"
        case .skipped: "⏭"
        }
    }

    /// SVG polyline points for a 120×24 sparkline.
    static func sparkline(_ values: [Double]) -> String {
        guard let high = values.max(), values.count > 1 else { return "0,12 120,12" }
        let step = 120.0 / Double(values.count - 1)
        return values.enumerated().map { index, value in
            let x = (Double(index) * step * 10).rounded() / 10
            let y = high > 0 ? ((22 - value / high * 20) * 10).rounded() / 10 : 22
            return "\(x),\(y)"
        }.joined(separator: " ")
    }

    private func failure(_ item: FailureItem, index: Int) -> [String: Any] {
        if index >= htmlFailureLimit {
            var row: [String: Any] = [
                "anchor": "test-\(index + 1)", "compact": true, "outcome": item.outcome.rawValue,
                "source": item.source, "classname": item.classname, "name": item.name,
                "identity": item.classname.isEmpty ? item.name : "\(item.classname) › \(item.name)",
            ]
            row["firstLine"] = FailureGrouping.firstLine(item.message ?? item.text).map { String($0.prefix(200)) }
            row["location"] = item.file.map { file in item.line.map { "\(file):\($0)" } ?? file }
            return row
        }
        var row: [String: Any] = [
            "anchor": "test-\(index + 1)",
            "classname": item.classname, "name": item.name, "source": item.source,
            "identity": item.classname.isEmpty ? item.name : "\(item.classname) › \(item.name)",
            "time": Format.duration(item.time), "outcome": item.outcome.rawValue,
            "isError": item.outcome == .errored, "input": item.input,
        ]
        row["file"] = item.file
        row["line"] = item.line
        if let file = item.file {
            row["location"] = item.line.map { "\(file):\($0)" } ?? file
        }
        row["message"] = item.message
        row["type"] = item.type
        row["text"] = item.text
        row["systemOut"] = item.systemOut
        row["systemErr"] = item.systemErr
        row["hasOutput"] = item.systemOut != nil || item.systemErr != nil
        return row
    }

    private func groupTable(_ groups: [GroupStats], total: Double, label: String) -> [String: Any] {
        func rows(_ limit: Int) -> [[String: Any]] {
            groups.prefix(limit).map { group in
                [
                    "key": group.key ?? "(no file)", "isNull": group.key == nil, "tests": group.tests,
                    "passed": group.passed, "failed": group.failed, "errored": group.errored,
                    "skipped": group.skipped, "time": Format.duration(group.time),
                    "seconds": Format.decimalSeconds(group.time), "mean": Format.duration(group.mean),
                    "p50": Format.duration(group.p50), "p95": Format.duration(group.p95),
                    "max": Format.duration(group.max), "share": Format.percent(group.time, of: total),
                ]
            }
        }
        var table: [String: Any] = [
            "label": label, "id": label.lowercased(), "count": groups.count, "isSource": label == "Source",
            "rows": rows(groupLimit), "markdownRows": rows(markdownGroupLimit),
        ]
        if groups.count > groupLimit { table["omitted"] = groups.count - groupLimit }
        if groups.count > markdownGroupLimit { table["markdownOmitted"] = groups.count - markdownGroupLimit }
        return table
    }

    private func job(_ job: JobSummary) -> [String: Any] {
        var row: [String: Any] = ["api": job.api]
        row["number"] = job.number
        row["name"] = job.name
        row["project"] = job.project
        row["branch"] = job.branch
        row["revision"] = job.revision
        row["revisionShort"] = job.revision.map { String($0.prefix(12)) }
        row["subject"] = job.subject
        row["url"] = Format.safeURL(job.url)
        row["status"] = job.status
        row["outcome"] = job.outcome
        row["failed"] = ["failed", "timedout", "infrastructure_fail"].contains(job.outcome ?? job.status ?? "")
        row["duration"] = job.duration.map(Format.duration)
        row["parallelism"] = job.parallelism
        let steps = job.steps.sorted { $0.time > $1.time }
        let total = job.steps.reduce(0) { $0 + $1.time }
        row["steps"] = steps.map { step -> [String: Any] in
            [
                "name": step.name, "time": Format.duration(step.time), "status": step.status, "failed": step.failed,
                "containers": step.containers, "share": Format.percent(step.time, of: total),
                "failedContainers": step.failedContainers.map(String.init).joined(separator: ", "),
            ]
        }
        row["hasSteps"] = !steps.isEmpty
        return row
    }
}
