/// View models of `flaky.md` and `trends.md` (history answers), built from plain rows so the core
/// does not depend on the history store.
public enum HistoryContext {
    public struct FlakyRow: Sendable {
        public var classname: String
        public var name: String
        public var runs: Int
        public var passed: Int
        public var failed: Int
        public var flips: Int
        public var flipRate: Double
        public var sameRevision: Int
        public var markedFlaky: Int
        public var lastFailed: String?
        public var failedBuilds: [String]
        public var commonMessage: String?

        public init(
            classname: String, name: String, runs: Int, passed: Int, failed: Int, flips: Int, flipRate: Double,
            sameRevision: Int, markedFlaky: Int, lastFailed: String?, failedBuilds: [String], commonMessage: String?
        ) {
            (self.classname, self.name, self.runs, self.passed, self.failed, self.flips) =
                (classname, name, runs, passed, failed, flips)
            (self.flipRate, self.sameRevision, self.markedFlaky, self.lastFailed) =
                (flipRate, sameRevision, markedFlaky, lastFailed)
            (self.failedBuilds, self.commonMessage) = (failedBuilds, commonMessage)
        }
    }

    public struct TrendRow: Sendable {
        public var key: String?
        public var runs: Int
        public var p50: Double
        public var p95: Double
        public var previousP50: Double?
        public var change: Double?
        public var risingTest: String?
        public var risingBy: Double?

        public init(
            key: String?, runs: Int, p50: Double, p95: Double, previousP50: Double?, change: Double?,
            risingTest: String?, risingBy: Double?
        ) {
            (self.key, self.runs, self.p50, self.p95, self.previousP50) = (key, runs, p50, p95, previousP50)
            (self.change, self.risingTest, self.risingBy) = (change, risingTest, risingBy)
        }
    }

    public static func flaky(_ rows: [FlakyRow], window: Int, version: String) -> [String: Any] {
        [
            "version": version, "window": window, "count": rows.count, "hasFlaky": !rows.isEmpty,
            "nonce": Nonce.make("flaky", String(window), String(rows.count), version),
            "flaky": rows.map { row -> [String: Any] in
                var item: [String: Any] = [
                    "classname": row.classname, "name": row.name, "runs": row.runs, "passed": row.passed,
                    "failed": row.failed, "flips": row.flips, "flipRate": Format.percent(row.flipRate, of: 1),
                    "sameRevision": row.sameRevision, "markedFlaky": row.markedFlaky,
                    "failedBuilds": row.failedBuilds.prefix(10).joined(separator: ", "),
                ]
                item["lastFailed"] = row.lastFailed
                item["commonMessage"] = row.commonMessage.map { String($0.prefix(300)) }
                return item
            },
        ]
    }

    public static func trends(_ rows: [TrendRow], by: String, window: Int, version: String) -> [String: Any] {
        [
            "version": version, "by": by, "window": window, "hasGroups": !rows.isEmpty,
            "nonce": Nonce.make("trends", by, String(window), String(rows.count), version),
            "groups": rows.map { row -> [String: Any] in
                var item: [String: Any] = [
                    "key": row.key ?? "(no file)", "runs": row.runs, "p50": Format.duration(row.p50),
                    "p95": Format.duration(row.p95),
                ]
                item["previousP50"] = row.previousP50.map(Format.duration)
                item["change"] = row.change.map(Format.ratio)
                item["risingTest"] = row.risingTest
                item["risingBy"] = row.risingBy.map { "+" + Format.duration($0) }
                return item
            },
        ]
    }
}

extension ReportRenderer {
    public func flakyMarkdown(_ context: [String: Any]) throws(RenderError) -> String {
        try templates.render(context, "flaky.md")
    }

    public func trendsMarkdown(_ context: [String: Any]) throws(RenderError) -> String {
        try templates.render(context, "trends.md")
    }

    public func flakyHTML(_ context: [String: Any]) throws(RenderError) -> String {
        try templates.render(context, "flaky.html")
    }

    public func trendsHTML(_ context: [String: Any]) throws(RenderError) -> String {
        try templates.render(context, "trends.html")
    }
}
