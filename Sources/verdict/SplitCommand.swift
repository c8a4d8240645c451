import ArgumentParser
import Foundation
import VerdictCore
import VerdictHistory

enum SplitBy: String, ExpressibleByArgument, CaseIterable {
    case file, classname, name

    var groupKey: GroupKey {
        switch self {
        case .file: .file
        case .classname: .classname
        case .name: .name
        }
    }
}

struct SplitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "split",
        abstract: "Print the items of container I of N, with the containers' summed times as even as possible.",
        discussion: """
            Items come from the arguments or from standard input (one per line). Times come from test results
            (--timings, as for `verdict report`) or the history store (--db: the mean per-run time over the last
            --window runs). Like `circleci tests split --split-by=timings --timings-type=filename|classname|testname`.

            Examples:
              circleci tests glob "spec/**/*_spec.rb" | verdict split --total "$CIRCLE_NODE_TOTAL" \\
                --index "$CIRCLE_NODE_INDEX" --timings test-results/
              verdict split --total 4 --index 0 --by classname --db .verdict/history.sqlite < classes.txt
            """)

    @Option(help: "Number of containers.") var total: Int
    @Option(help: "This container's index (0-based).") var index: Int
    @Option(help: "What the items are: file, classname or name.") var by: SplitBy = .file
    @Option(parsing: .upToNextOption, help: "Test results to take times from.") var timings: [String] = []
    @Option(help: ArgumentHelp("History store to take times from.", valueName: "path")) var db: String?
    @Option(help: "Runs of history to average (with --db).") var window: Int = 10
    @Option(help: "Time for items without one (default: the mean of the known times).") var defaultTime: Double?
    @Flag(help: "Print each container's items and total time on standard error.") var verbose = false
    @Argument(help: "Items (else read from standard input, one per line).") var items: [String] = []

    func validate() throws {
        if total < 1 { throw ValidationError("--total must be at least 1") }
        if index < 0 || index >= total { throw ValidationError("--index must be from 0 to \(total - 1)") }
        if !timings.isEmpty && db != nil { throw ValidationError("use --timings or --db, not both") }
        if let defaultTime, defaultTime < 0 { throw ValidationError("--default-time must be 0 or more") }
        if window < 1 { throw ValidationError("--window must be at least 1") }
    }

    func run() async throws {
        var names = items
        if names.isEmpty {
            while let line = readLine() {
                let item = line.trimmingCharacters(in: .whitespaces)
                if !item.isEmpty { names.append(item) }
            }
        }
        let known = try await loadTimings()
        let keys = names.map { by == .file ? (FilePath.normalize($0) ?? $0) : $0 }
        let plan = Splitter.split(
            names: keys, times: keys.map { known[$0] }, total: total, defaultTime: defaultTime)
        if plan.untimed > 0 {
            StandardError().print(
                "note: \(plan.untimed) of \(names.count) item(s) have no timing; each counted as "
                    + "\(Format.duration(plan.defaultTime))")
        }
        if verbose {
            for (container, members) in plan.containers.enumerated() {
                StandardError().print(
                    "container \(container): \(members.count) items, \(Format.duration(plan.loads[container]))")
            }
        }
        for member in plan.containers[index] { print(names[member]) }
    }

    private func loadTimings() async throws -> [String: Double] {
        if let db {
            var timings: [String: Double] = [:]
            try await runHistory { () throws(HistoryError) in
                timings = try await StoreOptions.open(db, reading: true).timings(by: by.groupKey, window: window)
            }
            return timings
        }
        guard !timings.isEmpty else { return [:] }
        let collector = RecordCollector()
        let key = by
        collector.timingKey = { record in
            switch key {
            case .file: record.file
            case .classname: record.classname
            case .name: record.name
            }
        }
        let (inputs, problems) = InputDiscovery().discover(timings)
        for problem in problems { StandardError().print("warning: timings: \(problem)") }
        let rejected = InputLoader().load(inputs, into: collector)
        for input in rejected { StandardError().print("warning: timings: \(input.path): \(input.message)") }
        return collector.timings
    }
}

extension StoreOptions {
    init(db: String?) {
        self.init()
        self.db = db
    }
}
