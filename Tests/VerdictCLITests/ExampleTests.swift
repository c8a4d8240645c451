import Foundation
import Testing

/// The CI examples in examples/: each is valid YAML, every `verdict` command they run is a real command
/// whose flags appear in that command's own `--help` (with an allowed value where the help lists values),
/// and each has the pieces the examples exist to show.
///
/// No closure is written inside an `#expect` or `#require` argument here: values are worked out first.
/// (With Swift 6.3, closures inside macro arguments were seen to run another closure's body: the
/// checks below gave different answers depending on unrelated lines around them.)
@Suite("CI examples")
struct ExampleTests {
    static let circleCIPath = "examples/circleci/config.yml"
    static let gitHubPath = "examples/github-actions/verdict.yml"

    @Test(
        "every verdict command in the example is a real command with real flags",
        arguments: [circleCIPath, gitHubPath])
    func commandsAreReal(_ path: String) async throws {
        try await Workspace.with { ws in
            let document = try CIExample.loadYAML(path, scratch: ws.capture)
            let scripts = CIExample.scripts(in: document)
            #expect(!scripts.isEmpty, "\(path): no run/command scripts found")
            var book = HelpBook()
            var invocations = 0
            for script in scripts {
                for command in Shell.commands(in: script.text) {
                    guard let arguments = Shell.verdictArguments(command) else { continue }
                    invocations += 1
                    let problems = try await book.problems(arguments, ws: ws)
                    for problem in problems {
                        let line = arguments.joined(separator: " ")
                        Issue.record("\(path) \(script.location): `verdict \(line)`: \(problem)")
                    }
                }
            }
            #expect(invocations >= 5, "\(path): only \(invocations) verdict command(s) found; is the parser lost?")
        }
    }

    @Test("CircleCI: split, tests, report when: always, normalised JUnit, HTML artifact, cached history store")
    func circleCI() async throws {
        try await Workspace.with { ws in
            let config = try CIExample.loadYAML(Self.circleCIPath, scratch: ws.capture)
            let version = "\(config["version"] ?? "")"
            #expect(version == "2.1", "a CircleCI 2.1 config")
            let jobs = config["jobs"] as? [String: Any] ?? [:]
            let test = try #require(jobs["test"] as? [String: Any], "a `test` job")
            let parallelism = test["parallelism"] as? Int
            #expect(parallelism == 4, "the test job runs on 4 containers")
            let testSteps = CIExample.circleCISteps(test, config: config)

            // verdict split: this container's share, from the same store the cache keeps.
            let splits = CIExample.invocations(in: testSteps, named: ["split"])
            let split = try #require(splits.first(where: Self.splitsByHistory), "`verdict split --db` in the test job")
            #expect(split.value(of: "--total") == "$CIRCLE_NODE_TOTAL")
            #expect(split.value(of: "--index") == "$CIRCLE_NODE_INDEX")
            #expect(split.value(of: "--by") == "file")
            let globs = CIExample.commands(in: testSteps, startingWith: ["circleci", "tests", "glob"])
            #expect(!globs.isEmpty, "the items to split come from `circleci tests glob`")

            // The report runs when: always and writes the normalised JUnit, HTML, Markdown and JSON.
            var alwaysReports: [Invocation] = []
            for step in testSteps where CIExample.runWhen(step) == "always" {
                alwaysReports += CIExample.verdictCommands(in: step, named: ["report"])
            }
            let report = try #require(alwaysReports.first, "a `verdict report` step with `when: always`")
            let junit = try #require(report.value(of: "--junit"), "the report writes the normalised JUnit")
            let html = try #require(report.value(of: "--html"), "the report writes HTML")
            #expect(report.value(of: "--markdown") != nil, "the report writes Markdown")
            #expect(report.value(of: "--json") != nil, "the report writes JSON")
            var book = HelpBook()
            let inputs = report.positionals(try await book.page(["report"], ws: ws))
            let junitInsideInput = CIExample.isInside(junit, anyOf: inputs)
            #expect(
                !junitInsideInput,
                """
                the merged JUnit \(junit) must not land inside an input of the same report (\(inputs)): \
                a later read would count every test twice
                """)

            // store_test_results on the normalised JUnit, store_artifacts on the HTML.
            let testResults = CIExample.stepPaths(testSteps, kind: "store_test_results")
            let junitStored = CIExample.isInside(junit, anyOf: testResults)
            #expect(junitStored, "store_test_results \(testResults) holds the normalised JUnit \(junit)")
            let artifacts = CIExample.stepPaths(testSteps, kind: "store_artifacts")
            let htmlStored = CIExample.isInside(html, anyOf: artifacts)
            #expect(htmlStored, "store_artifacts \(artifacts) holds the HTML report \(html)")

            // The history store: restored, recorded into, saved under a key the restore finds.
            var allSteps: [Any] = []
            for name in jobs.keys.sorted() {
                allSteps += CIExample.circleCISteps(jobs[name] as? [String: Any] ?? [:], config: config)
            }
            let saveKeys = CIExample.cacheKeys(allSteps, kind: "save_cache", holding: ".verdict/history.sqlite")
            let saveKey = try #require(saveKeys.first, "save_cache keeps .verdict/history.sqlite")
            let restoreKeys = CIExample.cacheKeys(allSteps, kind: "restore_cache", holding: nil)
            let restoreFindsSave = restoreKeys.contains(where: saveKey.hasPrefix)
            #expect(restoreFindsSave, "a restore_cache key (\(restoreKeys)) is a prefix of the saved key \(saveKey)")
            let records = CIExample.invocations(in: allSteps, named: ["history", "record"])
            #expect(!records.isEmpty, "`verdict history record` keeps each run")
            let recordDatabases = records.map { $0.value(of: "--db") }
            let allToStore = recordDatabases.allSatisfy(Self.isHistoryStore)
            #expect(allToStore, "records go to the cached store: \(recordDatabases)")

            // The job that records runs after failing tests too (requires: - test: [success, failed]).
            var recorders: [String] = []
            for name in jobs.keys.sorted() {
                let steps = CIExample.circleCISteps(jobs[name] as? [String: Any] ?? [:], config: config)
                if !CIExample.invocations(in: steps, named: ["history", "record"]).isEmpty { recorders.append(name) }
            }
            let recorder = try #require(recorders.first, "a job records the history")
            let statuses = CIExample.requiredStatuses(config, job: recorder, requires: "test")
            #expect(
                statuses.contains("failed"),
                "`\(recorder)` records the history after the test job failed too (requires: \(statuses))")
        }
    }

    @Test("GitHub Actions: 4 shards, split, step summary, PR comment, HTML artifact, cached history store")
    func gitHubActions() async throws {
        try await Workspace.with { ws in
            let workflow = try CIExample.loadYAML(Self.gitHubPath, scratch: ws.capture)
            // YAML 1.1 (PyYAML) reads the key `on` as true.
            let triggers = (workflow["on"] ?? workflow["true"]) as? [String: Any] ?? [:]
            #expect(triggers["pull_request"] != nil, "runs on pull requests (for the PR comment)")
            let jobs = workflow["jobs"] as? [String: Any] ?? [:]
            var steps: [Any] = []
            var sharded: [String: Any]?
            for name in jobs.keys.sorted() {
                let job = jobs[name] as? [String: Any] ?? [:]
                steps += job["steps"] as? [Any] ?? []
                let matrix = (job["strategy"] as? [String: Any])?["matrix"] as? [String: Any] ?? [:]
                for value in matrix.values where (value as? [Any])?.count == 4 { sharded = job }
            }

            // A matrix of 4 shards that splits with verdict.
            let shardJob = try #require(sharded, "a job with a matrix of 4 shards")
            let shardSteps = shardJob["steps"] as? [Any] ?? []
            let splits = CIExample.invocations(in: shardSteps, named: ["split"])
            let split = try #require(splits.first(where: Self.splitsByHistory), "`verdict split --db` in the shards")
            #expect(split.value(of: "--total") != nil, "split --total")
            #expect(split.value(of: "--index") != nil, "split --index")

            // The Markdown goes to the step summary, from a step that runs also after failed tests.
            var summaryConditions: [String] = []
            for step in steps {
                for report in CIExample.verdictCommands(in: step, named: ["report"])
                where report.value(of: "--markdown") == "-" && report.redirects(to: "$GITHUB_STEP_SUMMARY") {
                    summaryConditions.append((step as? [String: Any])?["if"] as? String ?? "")
                }
            }
            #expect(
                !summaryConditions.isEmpty, "`verdict report ... --markdown - >> \"$GITHUB_STEP_SUMMARY\"`")
            let alwaysSummary = summaryConditions.contains("always()")
            #expect(alwaysSummary, "a step summary written with if: always() (\(summaryConditions))")

            // The PR comment: the Markdown of a verdict report that fits a comment.
            let comments = CIExample.commands(in: steps, startingWith: ["gh", "pr", "comment"])
            let comment = try #require(comments.first, "a step posts the report as a PR comment (gh pr comment)")
            let bodyFile = try #require(comment.value(after: "--body-file"), "gh pr comment --body-file FILE")
            let reports = CIExample.invocations(in: steps, named: ["report"])
            var limits: [Int?] = []
            for report in reports where report.value(of: "--markdown") == bodyFile {
                limits.append(report.value(of: "--markdown-limit").flatMap(Int.init))
            }
            let limit = try #require(limits.first, "a verdict report writes the comment body \(bodyFile)")
            #expect((limit ?? Int.max) <= 65536, "--markdown-limit keeps the comment within 65,536 characters")

            // The HTML report uploaded as an artifact.
            let htmlOutputs = reports.compactMap(Self.htmlOutput)
            let html = try #require(htmlOutputs.first, "a verdict report writes HTML")
            let uploads = CIExample.actionPaths(steps, action: "actions/upload-artifact@")
            let htmlUploaded = CIExample.isInside(html, anyOf: uploads)
            #expect(htmlUploaded, "an upload-artifact step (\(uploads)) holds \(html)")

            // actions/cache keeps .verdict/history.sqlite: restored and saved.
            let both = CIExample.actionPaths(steps, action: "actions/cache@")
            let restored = CIExample.actionPaths(steps, action: "actions/cache/restore@")
            let saved = CIExample.actionPaths(steps, action: "actions/cache/save@")
            let store = [".verdict/history.sqlite"]
            let cached =
                CIExample.isInside(store[0], anyOf: both)
                || (CIExample.isInside(store[0], anyOf: restored) && CIExample.isInside(store[0], anyOf: saved))
            #expect(cached, "actions/cache restores and saves .verdict/history.sqlite")
            let records = CIExample.invocations(in: steps, named: ["history", "record"])
            #expect(!records.isEmpty, "`verdict history record` keeps each run")
        }
    }

    @Test("the checker catches an unknown flag, an unknown subcommand, a bad value and a missing value")
    func checkerCatchesMistakes() async throws {
        try await Workspace.with { ws in
            var book = HelpBook()
            func problems(_ script: String) async throws -> String {
                var all: [String] = []
                for command in Shell.commands(in: script) {
                    guard let arguments = Shell.verdictArguments(command) else { continue }
                    all += try await book.problems(arguments, ws: ws)
                }
                return all.joined(separator: "\n")
            }
            let good = try await problems(
                """
                mkdir -p reports # verdict --not-a-command in a comment
                bin/verdict report test-results --html reports/r.html \\
                  --markdown - --fail-on failed >> "$GITHUB_STEP_SUMMARY"
                circleci tests glob "spec/**/*_spec.rb" | ./verdict split --total "$CIRCLE_NODE_TOTAL" --index=0
                if [ -f x ]; then verdict history record x --db .verdict/history.sqlite; fi
                echo "verdict report --nope" && swift run verdict flaky --window 5 2>&1
                bin/verdict --version
                """)
            #expect(good.isEmpty, "\(good)")
            let bogusFlag = try await problems("verdict report test-results \\\n  --html r.html --bogus-flag x")
            #expect(bogusFlag.contains("`--bogus-flag` is not an option of `verdict report`"), "\(bogusFlag)")
            let bogusSubcommand = try await problems("cat list | verdict histroy record results")
            #expect(bogusSubcommand.contains("`histroy` is not a subcommand of `verdict`"), "\(bogusSubcommand)")
            let badValue = try await problems("verdict report results --fail-on sometimes")
            #expect(badValue.contains("`--fail-on sometimes`"), "\(badValue)")
            let missingValue = try await problems("verdict split --total 4 --index")
            #expect(missingValue.contains("`--index` needs a value"), "\(missingValue)")
            let noSubcommand = try await problems("verdict history --db x")
            #expect(noSubcommand.contains("needs a subcommand"), "\(noSubcommand)")
        }
    }

    fileprivate static func isHistoryStore(_ path: String?) -> Bool { path == ".verdict/history.sqlite" }

    fileprivate static func splitsByHistory(_ split: Invocation) -> Bool { isHistoryStore(split.value(of: "--db")) }

    fileprivate static func htmlOutput(_ report: Invocation) -> String? { report.value(of: "--html") }
}

// MARK: - Reading the examples

fileprivate enum CIExample {
    struct LoadError: Error, CustomStringConvertible {
        var description: String
    }

    /// Parses YAML with PyYAML (duplicate keys refused) and returns the document as JSON values.
    static func loadYAML(_ relativePath: String, scratch: URL) throws -> [String: Any] {
        let file = CLI.packageRoot.appendingPathComponent(relativePath).path
        guard FileManager.default.fileExists(atPath: file) else {
            throw LoadError(description: "\(relativePath) does not exist")
        }
        guard let python = CLI.which("python3") else {
            throw LoadError(
                description: "python3 is needed to read the YAML examples (apt-get install python3 python3-yaml)")
        }
        let script = """
            import sys, json
            try:
                import yaml
            except ImportError:
                sys.exit("PyYAML is missing: apt-get install python3-yaml (or pip install pyyaml)")
            class Loader(yaml.SafeLoader):
                pass
            def mapping(loader, node, deep=False):
                seen = set()
                for key_node, _ in node.value:
                    key = loader.construct_object(key_node, deep=deep)
                    if key in seen:
                        raise yaml.constructor.ConstructorError(
                            None, None, "duplicate key %r" % (key,), key_node.start_mark)
                    seen.add(key)
                return yaml.SafeLoader.construct_mapping(loader, node, deep)
            Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, mapping)
            with open(sys.argv[1], encoding="utf-8") as f:
                json.dump(yaml.load(f, Loader=Loader), sys.stdout, default=str)
            """
        let result = try CLI.runTool(python, ["-c", script, file], captureFolder: scratch)
        guard result.status == 0 else {
            throw LoadError(description: "\(relativePath) could not be read as YAML: \(result.stderr)")
        }
        guard let document = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        else {
            throw LoadError(description: "\(relativePath) is not a YAML mapping")
        }
        return document
    }

    struct Script {
        var location: String
        var text: String
    }

    /// Every shell script: the string values of `run:` (GitHub, CircleCI's short form) and `command:`
    /// (CircleCI's run step), anywhere in the document.
    static func scripts(in value: Any, at location: String = "") -> [Script] {
        if let dictionary = value as? [String: Any] {
            return dictionary.keys.sorted().flatMap { key -> [Script] in
                let child = dictionary[key] as Any
                let here = location.isEmpty ? key : "\(location).\(key)"
                if key == "run" || key == "command", let text = child as? String {
                    return [Script(location: here, text: text)]
                }
                return scripts(in: child, at: here)
            }
        }
        if let array = value as? [Any] {
            return array.enumerated().flatMap { scripts(in: $1, at: "\(location)[\($0)]") }
        }
        return []
    }

    /// A CircleCI job's steps, with steps of reusable commands (`commands:`) put in place.
    static func circleCISteps(_ job: [String: Any], config: [String: Any]) -> [Any] {
        let commands = config["commands"] as? [String: Any] ?? [:]
        func expand(_ steps: [Any], depth: Int) -> [Any] {
            steps.flatMap { step -> [Any] in
                let name = (step as? String) ?? ((step as? [String: Any])?.keys.first)
                if depth < 5, let name, let command = commands[name] as? [String: Any],
                    let inner = command["steps"] as? [Any]
                {
                    return expand(inner, depth: depth + 1)
                }
                return [step]
            }
        }
        return expand(job["steps"] as? [Any] ?? [], depth: 0)
    }

    /// The body of a step of the given kind (`- store_test_results: {path: ...}`), else nil.
    static func stepBody(_ step: Any, _ kind: String) -> [String: Any]? {
        (step as? [String: Any])?[kind] as? [String: Any]
    }

    /// The shell script of a step: GitHub's `run:`, CircleCI's `run: TEXT` or `run: {command: TEXT}`.
    static func runScript(_ step: Any) -> String? {
        guard let dictionary = step as? [String: Any] else { return nil }
        if let text = dictionary["run"] as? String { return text }
        return (dictionary["run"] as? [String: Any])?["command"] as? String
    }

    /// CircleCI's `when:` of a run step.
    static func runWhen(_ step: Any) -> String? {
        ((step as? [String: Any])?["run"] as? [String: Any])?["when"] as? String
    }

    /// The verdict invocations of a step whose subcommand path starts with `path`.
    static func verdictCommands(in step: Any, named path: [String]) -> [Invocation] {
        guard let script = runScript(step) else { return [] }
        return Shell.commands(in: script).compactMap { command in
            guard let arguments = Shell.verdictArguments(command), arguments.starts(with: path) else { return nil }
            return Invocation(arguments: arguments, redirects: command.redirects, subcommandCount: path.count)
        }
    }

    /// The verdict invocations of all `steps` whose subcommand path starts with `path`.
    static func invocations(in steps: [Any], named path: [String]) -> [Invocation] {
        steps.flatMap { verdictCommands(in: $0, named: path) }
    }

    /// The shell commands of all `steps` whose words start with `words` (`gh pr comment`, ...).
    static func commands(in steps: [Any], startingWith words: [String]) -> [Shell.Command] {
        steps.compactMap(runScript).flatMap(Shell.commands).filter { $0.words.starts(with: words) }
    }

    /// The `path` of every step of a kind (`store_test_results`, `store_artifacts`).
    static func stepPaths(_ steps: [Any], kind: String) -> [String] {
        steps.compactMap { stepBody($0, kind)?["path"] as? String }
    }

    /// The keys of CircleCI cache steps (`key`, and `keys` of restore_cache); with `holding`, only of
    /// steps whose `paths` include it.
    static func cacheKeys(_ steps: [Any], kind: String, holding path: String?) -> [String] {
        steps.compactMap { stepBody($0, kind) }.filter { body in
            path.map { (body["paths"] as? [String] ?? []).contains($0) } ?? true
        }.flatMap { body in
            (body["keys"] as? [String] ?? []) + [body["key"] as? String].compactMap { $0 }
        }
    }

    /// The statuses a workflow job requires of `requires` (`- test: [success, failed]`; a bare
    /// `- test` is `success`).
    static func requiredStatuses(_ config: [String: Any], job: String, requires: String) -> [String] {
        let workflows = config["workflows"] as? [String: Any] ?? [:]
        var statuses: [String] = []
        for workflow in workflows.values {
            for entry in (workflow as? [String: Any])?["jobs"] as? [Any] ?? [] {
                let settings = (entry as? [String: Any])?[job] as? [String: Any] ?? [:]
                for requirement in settings["requires"] as? [Any] ?? [] {
                    if requirement as? String == requires { statuses.append("success") }
                    let value = (requirement as? [String: Any])?[requires]
                    if let status = value as? String { statuses.append(status) }
                    statuses += value as? [String] ?? []
                }
            }
        }
        return statuses
    }

    /// The paths (one per line) of every `uses: ACTION...` step.
    static func actionPaths(_ steps: [Any], action: String) -> [String] {
        steps.compactMap { $0 as? [String: Any] }.filter { ($0["uses"] as? String)?.hasPrefix(action) == true }
            .compactMap { ($0["with"] as? [String: Any])?["path"] as? String }
            .flatMap { $0.split(separator: "\n").map(String.init) }
    }

    /// Whether `path` is inside (or is) one of `folders`.
    static func isInside(_ path: String, anyOf folders: [String]) -> Bool {
        folders.contains { isInside(path, folder: $0) }
    }

    /// Whether `path` is `folder` or inside it (both relative, `./` and trailing `/` ignored).
    static func isInside(_ path: String, folder: String) -> Bool {
        func clean(_ text: String) -> [Substring] {
            text.split(separator: "/").filter { $0 != "." && !$0.isEmpty }
        }
        let folderParts = clean(folder)
        return !folderParts.isEmpty && clean(path).starts(with: folderParts)
    }
}

/// One `verdict` command line: its arguments after `verdict`, and the shell's redirections.
fileprivate struct Invocation {
    var arguments: [String]
    var redirects: [(op: String, target: String)]
    var subcommandCount: Int

    /// Whether standard output is appended or written to `target` (`>> "$GITHUB_STEP_SUMMARY"`).
    func redirects(to target: String) -> Bool {
        redirects.contains { ($0.op == ">>" || $0.op == ">") && $0.target == target }
    }

    /// The value of `--flag VALUE` or `--flag=VALUE`.
    func value(of flag: String) -> String? {
        for (index, argument) in arguments.enumerated() {
            if argument == flag { return index + 1 < arguments.count ? arguments[index + 1] : nil }
            if argument.hasPrefix(flag + "=") { return String(argument.dropFirst(flag.count + 1)) }
        }
        return nil
    }

    /// Arguments that are neither the subcommand, a flag nor a flag's value, by the command's help.
    func positionals(_ page: HelpPage) -> [String] {
        var result: [String] = []
        var index = subcommandCount
        while index < arguments.count {
            let argument = arguments[index]
            if argument.hasPrefix("-"), argument != "-" {
                let takesNext = !argument.contains("=") && page.options[argument]?.takesValue == true
                index += takesNext ? 2 : 1
                continue
            }
            result.append(argument)
            index += 1
        }
        return result
    }
}

// MARK: - Shell

/// Just enough of a POSIX shell's word splitting to find commands: quotes, backslash escapes and line
/// continuations, comments, `$(...)`, `${...}`, command separators (`;`, `&&`, `||`, `|`, `&`, newline,
/// parentheses) and redirections (`>`, `>>`, `<`, `2>&1`, ...).
fileprivate enum Shell {
    struct Command {
        var words: [String] = []
        var redirects: [(op: String, target: String)] = []

        /// The word after `flag`.
        func value(after flag: String) -> String? {
            guard let index = words.firstIndex(of: flag), index + 1 < words.count else { return nil }
            return words[index + 1]
        }
    }

    static func commands(in script: String) -> [Command] {
        var commands: [Command] = []
        var current = Command()
        var word = ""
        var inWord = false
        var pendingRedirect: String?
        let characters = Array(script)
        var index = 0

        func endWord() {
            guard inWord else { return }
            if let op = pendingRedirect {
                current.redirects.append((op, word))
                pendingRedirect = nil
            } else {
                current.words.append(word)
            }
            word = ""
            inWord = false
        }
        func endCommand() {
            endWord()
            if !current.words.isEmpty || !current.redirects.isEmpty { commands.append(current) }
            current = Command()
            pendingRedirect = nil
        }
        func peek(_ offset: Int) -> Character? {
            index + offset < characters.count ? characters[index + offset] : nil
        }

        while index < characters.count {
            let character = characters[index]
            switch character {
            case "\\":
                if peek(1) == "\n" {
                    index += 2
                    continue
                }
                if let next = peek(1) {
                    word.append(next)
                    inWord = true
                }
                index += 2
            case "'":
                inWord = true
                index += 1
                while index < characters.count, characters[index] != "'" {
                    word.append(characters[index])
                    index += 1
                }
                index += 1
            case "\"":
                inWord = true
                index += 1
                while index < characters.count, characters[index] != "\"" {
                    if characters[index] == "\\", let next = peek(1), "\"\\$`\n".contains(next) {
                        if next != "\n" { word.append(next) }
                        index += 2
                        continue
                    }
                    word.append(characters[index])
                    index += 1
                }
                index += 1
            case "#" where !inWord:
                while index < characters.count, characters[index] != "\n" { index += 1 }
            case " ", "\t":
                endWord()
                index += 1
            case "\n", ";", "(", ")":
                endCommand()
                index += 1
            case "|", "&":
                if character == "&", peek(1) == ">" {
                    // &> and &>>: both streams to a file.
                    endWord()
                    let op = peek(2) == ">" ? "&>>" : "&>"
                    pendingRedirect = op
                    index += op.count
                    continue
                }
                endCommand()
                index += (peek(1) == character) ? 2 : 1
            case ">", "<":
                // A word of digits right before is the file descriptor (2>&1).
                if inWord, !word.isEmpty, word.allSatisfy(\.isNumber) {
                    word = ""
                    inWord = false
                } else {
                    endWord()
                }
                var op = String(character)
                index += 1
                if let next = peek(0), next == character || next == "&" || (character == ">" && next == "|") {
                    op.append(next)
                    index += 1
                }
                if op.hasSuffix("&") {
                    // >&2, 2>&1: a descriptor, not a file.
                    var target = ""
                    while let next = peek(0), next.isNumber || next == "-" {
                        target.append(next)
                        index += 1
                    }
                    current.redirects.append((op, target))
                } else {
                    pendingRedirect = op
                }
            case "$" where peek(1) == "(":
                // Command substitution: a command of its own.
                endCommand()
                index += 2
            case "$" where peek(1) == "{":
                inWord = true
                while index < characters.count {
                    word.append(characters[index])
                    index += 1
                    if characters[index - 1] == "}" { break }
                }
            default:
                word.append(character)
                inWord = true
                index += 1
            }
        }
        endCommand()
        return commands
    }

    static let keywords: Set<String> = [
        "if", "then", "else", "elif", "do", "while", "until", "!", "{", "time", "exec", "command", "sudo", "env",
        "nice",
    ]

    /// The arguments after `verdict` when the command runs Verdict (`verdict`, `bin/verdict`, `./verdict`,
    /// `swift run verdict`), after any keywords, wrappers and `NAME=value` assignments; else nil.
    static func verdictArguments(_ command: Command) -> [String]? {
        var words = command.words[...]
        while let first = words.first,
            keywords.contains(first) || first.range(of: "^[A-Za-z_][A-Za-z0-9_]*=", options: .regularExpression) != nil
        {
            words = words.dropFirst()
        }
        if words.starts(with: ["swift", "run"]) { words = words.dropFirst(2) }
        guard let program = words.first, program == "verdict" || program.hasSuffix("/verdict") else { return nil }
        return Array(words.dropFirst())
    }
}

// MARK: - The CLI's own definitions

/// What `verdict [SUBCOMMAND...] --help` says: the subcommands, and each option with whether it takes a
/// value and which values it allows.
fileprivate struct HelpPage {
    struct Option {
        var takesValue: Bool
        var values: [String]?
    }

    var subcommands: Set<String> = []
    var options: [String: Option] = [:]

    init(_ text: String) {
        let lines = text.components(separatedBy: "\n")
        var section = ""
        var index = 0
        while index < lines.count {
            let line = lines[index]
            if !line.hasPrefix(" "), line.hasSuffix(":") {
                section = line
                index += 1
                continue
            }
            if section == "SUBCOMMANDS:",
                let match = line.range(of: "^  [a-z][a-z0-9-]*", options: .regularExpression)
            {
                subcommands.insert(line[match].trimmingCharacters(in: .whitespaces))
            }
            // In an option section (OPTIONS:, CIRCLECI (WITH --CIRCLECI):, ...): two spaces, then
            // `-x, --name <value>`, `--name <value>` or `--name`, the description beside or below.
            let optionSection = section == section.uppercased() && !["SUBCOMMANDS:", "ARGUMENTS:"].contains(section)
            if optionSection, line.range(of: "^  --?[A-Za-z]", options: .regularExpression) != nil {
                var block = line
                var next = index + 1
                while next < lines.count, lines[next].hasPrefix("   ") {
                    block += " " + lines[next].trimmingCharacters(in: .whitespaces)
                    next += 1
                }
                let flat = block.split(whereSeparator: \.isWhitespace).joined(separator: " ")
                let head = line.trimmingCharacters(in: .whitespaces).components(separatedBy: "  ")[0]
                let names = head.split(separator: " ").map {
                    $0.trimmingCharacters(in: CharacterSet(charactersIn: ","))
                }
                .filter { $0.hasPrefix("-") }
                let takesValue = head.contains("<")
                var values: [String]?
                if let range = flat.range(of: "\\(values: [^;)]*", options: .regularExpression) {
                    values = flat[range].dropFirst("(values: ".count).components(separatedBy: ", ")
                        .map { $0.trimmingCharacters(in: .whitespaces) }
                }
                for name in names { options[name] = Option(takesValue: takesValue, values: values) }
            }
            index += 1
        }
    }
}

/// Help pages, asked of the built binary once per subcommand path.
fileprivate struct HelpBook {
    private var pages: [[String]: HelpPage] = [:]

    mutating func page(_ path: [String], ws: Workspace) async throws -> HelpPage {
        if let page = pages[path] { return page }
        let result = try await ws.verdict(path + ["--help"])
        guard result.status == 0 else {
            throw CIExample.LoadError(
                description: "`verdict \((path + ["--help"]).joined(separator: " "))` exited \(result.status): "
                    + result.stderr)
        }
        let page = HelpPage(result.stdout)
        pages[path] = page
        return page
    }

    /// What is wrong with `verdict ARGUMENTS`, checked against the CLI's own help: the subcommand path,
    /// every flag, each value a flag needs, and values the help lists.
    mutating func problems(_ arguments: [String], ws: Workspace) async throws -> [String] {
        var path: [String] = []
        var page = try await self.page([], ws: ws)
        var index = 0
        while index < arguments.count, !page.subcommands.isEmpty, !arguments[index].hasPrefix("-") {
            let name = arguments[index]
            guard page.subcommands.contains(name) else {
                let parent = (["verdict"] + path).joined(separator: " ")
                let known = page.subcommands.sorted().joined(separator: ", ")
                return ["`\(name)` is not a subcommand of `\(parent)` (\(known))"]
            }
            path.append(name)
            page = try await self.page(path, ws: ws)
            index += 1
        }
        let command = (["verdict"] + path).joined(separator: " ")
        let rest = arguments[index...]
        if !page.subcommands.isEmpty {
            // `verdict --version`, `verdict history --help`: options of the command itself.
            if !rest.isEmpty, rest.allSatisfy({ page.options[$0]?.takesValue == false }) { return [] }
            return ["`\(command)` needs a subcommand (\(page.subcommands.sorted().joined(separator: ", ")))"]
        }
        var problems: [String] = []
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if argument == "--" { break }
            guard argument.hasPrefix("-"), argument != "-" else { continue }
            let parts = argument.split(separator: "=", maxSplits: 1).map(String.init)
            let name = parts[0]
            guard let option = page.options[name] else {
                let known = page.options.keys.sorted().joined(separator: " ")
                problems.append("`\(name)` is not an option of `\(command)` (its --help lists \(known))")
                continue
            }
            guard option.takesValue else {
                if parts.count > 1 { problems.append("`\(name)` takes no value") }
                continue
            }
            let value: String
            if parts.count > 1 {
                value = parts[1]
            } else if index < arguments.count, !arguments[index].hasPrefix("--") {
                value = arguments[index]
                index += 1
            } else {
                problems.append("`\(name)` needs a value")
                continue
            }
            if let values = option.values, !value.contains("$"), !values.contains(value) {
                problems.append("`\(name) \(value)`: the allowed values are \(values.joined(separator: ", "))")
            }
        }
        return problems
    }
}
