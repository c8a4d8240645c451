/// `VERDICT_*` environment variables as defaults for CI-relevant flags: set once in a pipeline's
/// environment, used by every call. A flag given on the command line wins.
enum EnvironmentDefaults {
    /// (subcommand, variable, flag)
    static let table: [(command: String, variable: String, flag: String)] = [
        ("report", "VERDICT_HTML", "--html"), ("report", "VERDICT_MARKDOWN", "--markdown"),
        ("report", "VERDICT_JUNIT", "--junit"), ("report", "VERDICT_JSON", "--json"),
        ("report", "VERDICT_TEMPLATES", "--templates"), ("report", "VERDICT_TITLE", "--title"),
        ("report", "VERDICT_FAIL_ON", "--fail-on"), ("report", "VERDICT_MARKDOWN_LIMIT", "--markdown-limit"),
        ("report", "VERDICT_JOBS", "--jobs"), ("report", "VERDICT_TOP", "--top"),
        ("report", "VERDICT_SOURCE", "--source"),
        ("compare", "VERDICT_COMPARE_FAIL_ON", "--fail-on"), ("compare", "VERDICT_SLOWER", "--slower"),
        ("compare", "VERDICT_MIN_TIME", "--min-time"), ("compare", "VERDICT_TEMPLATES", "--templates"),
        ("split", "VERDICT_DEFAULT_TIME", "--default-time"),
        ("fetch", "VERDICT_TIMEOUT", "--timeout"), ("fetch", "VERDICT_MAX_RETRIES", "--max-retries"),
        ("job", "VERDICT_TIMEOUT", "--timeout"), ("job", "VERDICT_MAX_RETRIES", "--max-retries"),
        ("pipeline", "VERDICT_TIMEOUT", "--timeout"), ("pipeline", "VERDICT_MAX_RETRIES", "--max-retries"),
    ]

    /// The arguments with each applicable default added after the subcommand's name (and its own
    /// subcommand, for `job` and `pipeline`), unless the flag is already there.
    static func apply(_ arguments: [String], environment: [String: String]) -> [String] {
        guard let command = arguments.first else { return arguments }
        var insertAt = 1
        if command == "job" || command == "pipeline", arguments.count > 1 { insertAt = 2 }
        var added: [String] = []
        for entry in table where entry.command == command {
            guard let value = environment[entry.variable], !value.isEmpty else { continue }
            let present = arguments.contains { $0 == entry.flag || $0.hasPrefix(entry.flag + "=") }
            if !present { added += [entry.flag, value] }
        }
        guard !added.isEmpty, insertAt <= arguments.count else { return arguments }
        var result = arguments
        result.insert(contentsOf: added, at: insertAt)
        return result
    }
}
