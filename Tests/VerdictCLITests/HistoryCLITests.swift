import Foundation
import Testing

@Suite("verdict history, flaky, trends, slowest, split")
struct HistoryCLITests {
    /// A JUnit file of `shop.Cart`: `adds` passes, `flaky` passes or fails.
    static func junit(flakyFails: Bool, addsTime: Double = 0.5) -> String {
        let flaky =
            flakyFails
            ? "<testcase classname=\"shop.Cart\" name=\"flaky\" file=\"spec/cart_spec.rb\" time=\"0.2\">"
                + "<failure message=\"boom\">trace</failure></testcase>"
            : "<testcase classname=\"shop.Cart\" name=\"flaky\" file=\"spec/cart_spec.rb\" time=\"0.2\"/>"
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <testsuite name="shop" tests="2">
            <testcase classname="shop.Cart" name="adds" file="spec/cart_spec.rb" time="\(addsTime)"/>
            \(flaky)
            </testsuite>
            """
    }

    /// Parses JSON output into a dictionary (the test fails when it is not one).
    static func object(_ data: Data) throws -> [String: Any] {
        try #require(
            try JSONSerialization.jsonObject(with: data) as? [String: Any], "\(String(decoding: data, as: UTF8.self))")
    }

    @Test("record SampleData, then again: the second replaces the first")
    func recordTwice() async throws {
        try await Workspace.with { ws in
            let db = ws.out("history.sqlite")
            let first = try await ws.verdict(["history", "record", "SampleData", "--db", db])
            #expect(first.status == 0, "stderr: \(first.stderr)")
            #expect(first.stdout.hasPrefix("recorded build "), "\(first.stdout)")
            let second = try await ws.verdict(["history", "record", "SampleData", "--db", db])
            #expect(second.status == 0, "stderr: \(second.stderr)")
            #expect(second.stdout.hasPrefix("replaced build "), "\(second.stdout)")
            let runs = try await ws.verdict(["history", "runs", "--db", db])
            #expect(runs.status == 0, "stderr: \(runs.stderr)")
            let lines = runs.stdout.split(separator: "\n")
            #expect(lines.count == 1, "\(runs.stdout)")
        }
    }

    @Test("flags set the run's metadata; VERDICT_DB and then .verdict/history.sqlite are the default store")
    func metadataAndDefaultStore() async throws {
        try await Workspace.with { ws in
            let rspec = CLI.sampleData.appendingPathComponent("rspec").path
            let envDB = ws.out("env.sqlite")
            let recorded = try await ws.verdict(
                [
                    "history", "record", rspec, "--build", "42", "--branch", "main", "--revision",
                    "0123456789abcdef", "--job", "unit", "--at", "2024-01-02T03:04:05Z",
                ], environment: ["VERDICT_DB": envDB])
            #expect(recorded.status == 0, "stderr: \(recorded.stderr)")
            #expect(recorded.stdout.hasPrefix("recorded build 42 (unit): "), "\(recorded.stdout)")
            #expect(FileManager.default.fileExists(atPath: envDB))
            let runs = try await ws.verdict(["history", "runs", "--db", envDB])
            #expect(runs.stdout.hasPrefix("2024-01-02T03:04:05Z  42 (unit)  main  0123456789ab  "), "\(runs.stdout)")

            let local = try await ws.verdict(
                ["history", "record", rspec, "--build", "1"], in: ws.input, removingEnvironment: ["VERDICT_DB"])
            #expect(local.status == 0, "stderr: \(local.stderr)")
            #expect(
                FileManager.default.fileExists(atPath: ws.input.appendingPathComponent(".verdict/history.sqlite").path))

            let badDate = try await ws.verdict(
                ["history", "record", rspec, "--db", ws.out("x.sqlite"), "--at", "yesterday"])
            #expect(badDate.status == 2)
            #expect(badDate.stderr.contains("ISO-8601"), "\(badDate.stderr)")
        }
    }

    @Test("two processes recording different builds into one store at once both succeed (four stores at once)")
    func concurrentRecorders() async throws {
        try await Workspace.with { ws in
            let stores = (0..<4).map { ws.out("store\($0).sqlite") }
            let results = try await withThrowingTaskGroup(of: (String, String, CLI.RunResult).self) { group in
                for db in stores {
                    for build in ["first", "second"] {
                        group.addTask {
                            let result = try await ws.verdict(
                                ["history", "record", "SampleData", "--db", db, "--build", build, "--job", "j"])
                            return (db, build, result)
                        }
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results.count == 8)
            for (db, build, result) in results {
                #expect(result.status == 0, "\(db) \(build): \(result.stderr)")
                #expect(result.stdout.hasPrefix("recorded build \(build) (j): "), "\(result.stdout)")
            }
            for db in stores {
                let runs = try await ws.verdict(["history", "runs", "--db", db])
                #expect(runs.status == 0, "stderr: \(runs.stderr)")
                let lines = runs.stdout.split(separator: "\n")
                #expect(lines.count == 2, "\(runs.stdout)")
                #expect(lines.contains { $0.contains("  first (j)  ") }, "\(runs.stdout)")
                #expect(lines.contains { $0.contains("  second (j)  ") }, "\(runs.stdout)")
            }
        }
    }

    @Test(
        "a new store another writer holds (mid-transaction) is waited for, not refused",
        .enabled(if: CLI.which("sqlite3") != nil))
    func newStoreHeldByAnotherWriter() async throws {
        try await Workspace.with { ws in
            let sqlite3 = try #require(CLI.which("sqlite3"))
            let db = ws.out("held.sqlite")
            let ready = ws.out("ready")
            // What a second `history record` creating the same new file does: hold a write lock a while.
            let holder = Process()
            holder.executableURL = URL(fileURLWithPath: sqlite3)
            holder.arguments = [db]
            let script = Pipe()
            holder.standardInput = script
            holder.standardOutput = FileHandle.nullDevice
            holder.standardError = FileHandle.nullDevice
            try holder.run()
            try script.fileHandleForWriting.write(
                contentsOf: Data("BEGIN IMMEDIATE;\n.shell touch '\(ready)'\n.shell sleep 3\nROLLBACK;\n".utf8))
            try script.fileHandleForWriting.close()
            let deadline = Date().addingTimeInterval(10)
            while !FileManager.default.fileExists(atPath: ready), Date() < deadline {
                try await Task.sleep(nanoseconds: 20_000_000)
            }
            #expect(FileManager.default.fileExists(atPath: ready), "sqlite3 never took the lock")
            let result = try await ws.verdict(["history", "record", "SampleData/rspec", "--db", db, "--build", "1"])
            holder.waitUntilExit()
            #expect(result.status == 0, "stderr: \(result.stderr)")
            #expect(result.stdout.hasPrefix("recorded build 1: "), "\(result.stdout)")
        }
    }

    @Test("flaky --json - and trends/slowest --json - answer JSON with schemaVersion 1")
    func jsonAnswers() async throws {
        try await Workspace.with { ws in
            let db = ws.out("history.sqlite")
            let passing = try ws.write(Self.junit(flakyFails: false), to: "pass/junit.xml")
            let failing = try ws.write(Self.junit(flakyFails: true, addsTime: 1.5), to: "fail/junit.xml")
            for (build, input, at) in [
                ("1", passing, "2024-01-01T00:00:00Z"), ("2", failing, "2024-01-02T00:00:00Z"),
                ("3", passing, "2024-01-03T00:00:00Z"), ("4", failing, "2024-01-04T00:00:00Z"),
            ] {
                let result = try await ws.verdict(
                    ["history", "record", input.path, "--db", db, "--build", build, "--revision", "abc", "--at", at])
                #expect(result.status == 0, "stderr: \(result.stderr)")
            }

            let flaky = try await ws.verdict(["flaky", "--db", db, "--json", "-"])
            #expect(flaky.status == 0, "stderr: \(flaky.stderr)")
            let flakyJSON = try Self.object(flaky.stdoutData)
            #expect(flakyJSON["schemaVersion"] as? Int == 1)
            #expect(flakyJSON["window"] as? Int == 30)
            let items = try #require(flakyJSON["flaky"] as? [[String: Any]])
            #expect(items.count == 1)
            let item = try #require(items.first)
            #expect(item["classname"] as? String == "shop.Cart")
            #expect(item["name"] as? String == "flaky")
            #expect(item["flips"] as? Int == 3)
            #expect(item["sameRevision"] as? Int == 1)
            #expect(item["failedBuilds"] as? [String] == ["4", "2"])
            #expect(item["commonMessage"] as? String == "boom")

            let trends = try await ws.verdict(["trends", "--db", db, "--window", "2", "--json", "-"])
            #expect(trends.status == 0, "stderr: \(trends.stderr)")
            let trendsJSON = try Self.object(trends.stdoutData)
            #expect(trendsJSON["schemaVersion"] as? Int == 1)
            #expect(trendsJSON["by"] as? String == "classname")
            let groups = try #require(trendsJSON["groups"] as? [[String: Any]])
            #expect(groups.map { $0["key"] as? String } == ["shop.Cart"])

            let slowest = try await ws.verdict(["slowest", "--db", db, "--by", "file", "--json", "-"])
            #expect(slowest.status == 0, "stderr: \(slowest.stderr)")
            let slowestJSON = try Self.object(slowest.stdoutData)
            #expect(slowestJSON["schemaVersion"] as? Int == 1)
            #expect(slowestJSON["by"] as? String == "file")
            let fileGroups = try #require(slowestJSON["groups"] as? [[String: Any]])
            #expect(fileGroups.map { $0["key"] as? String } == ["spec/cart_spec.rb"])

            // The same answers on the terminal and as Markdown.
            let terminal = try await ws.verdict(["flaky", "--db", db])
            #expect(terminal.stdout.hasPrefix("1 flaky test(s) in the last 30 runs"), "\(terminal.stdout)")
            let markdown = try await ws.verdict(["trends", "--db", db, "--markdown", "-"])
            #expect(markdown.status == 0, "stderr: \(markdown.stderr)")
            #expect(markdown.stdout.contains("shop.Cart"))
        }
    }

    @Test("split from standard input: across every index each item printed once; unknown items noted on stderr")
    func splitFromStdin() async throws {
        try await Workspace.with { ws in
            let items = [
                "spec/models/cart_spec.rb", "spec/services/tax_calculator_spec.rb", "spec/mailers/order_mailer_spec.rb",
                "spec/models/user_spec.rb", "spec/unknown/first_spec.rb", "spec/unknown/second_spec.rb",
                "./spec/unknown/third_spec.rb",
            ]
            let input = Data((items.joined(separator: "\n") + "\n").utf8)
            for total in [1, 3, 4] {
                var printed: [String] = []
                var outputs: [String] = []
                for index in 0..<total {
                    let result = try await ws.verdict(
                        ["split", "--total", "\(total)", "--index", "\(index)", "--timings", "SampleData"],
                        stdin: input)
                    #expect(result.status == 0, "stderr: \(result.stderr)")
                    #expect(result.stderr.contains("3 of 7 item(s) have no timing"), "\(result.stderr)")
                    printed += result.stdout.split(separator: "\n").map(String.init)
                    outputs.append(result.stdout)
                }
                #expect(printed.sorted() == items.sorted(), "total \(total): \(outputs)")
                // The same again: deterministic.
                let again = try await ws.verdict(
                    ["split", "--total", "\(total)", "--index", "0", "--timings", "SampleData"], stdin: input)
                #expect(again.stdout == outputs.first)
            }
            let arguments = try await ws.verdict(
                ["split", "--total", "2", "--index", "1", "--default-time", "0"] + items)
            #expect(arguments.status == 0, "stderr: \(arguments.stderr)")
            #expect(arguments.stderr.contains("no timing"))
        }
    }

    @Test("split --db takes times from the store")
    func splitFromStore() async throws {
        try await Workspace.with { ws in
            let db = ws.out("history.sqlite")
            let recorded = try await ws.verdict(["history", "record", "SampleData", "--db", db])
            #expect(recorded.status == 0, "stderr: \(recorded.stderr)")
            let items = [
                "spec/models/cart_spec.rb", "spec/services/tax_calculator_spec.rb", "spec/models/user_spec.rb",
            ]
            var printed: [String] = []
            for index in 0..<2 {
                let result = try await ws.verdict(
                    ["split", "--total", "2", "--index", "\(index)", "--db", db] + items)
                #expect(result.status == 0, "stderr: \(result.stderr)")
                #expect(!result.stderr.contains("no timing"), "\(result.stderr)")
                printed += result.stdout.split(separator: "\n").map(String.init)
            }
            #expect(printed.sorted() == items.sorted())
        }
    }

    @Test("--db naming a text file: exit 2, 'not a database', the file unchanged")
    func textFileAsStore() async throws {
        try await Workspace.with { ws in
            let text = "my notes\nnot a database at all\n" + String(repeating: "filler line\n", count: 50)
            let path = try ws.write(text, to: "notes.txt").path
            for arguments in [
                ["history", "runs", "--db", path], ["history", "record", "SampleData", "--db", path],
                ["history", "prune", "--keep-runs", "1", "--db", path], ["flaky", "--db", path],
                ["trends", "--db", path, "--json", "-"], ["split", "--total", "2", "--index", "0", "--db", path, "a"],
            ] {
                let result = try await ws.verdict(arguments)
                #expect(result.status == 2, "\(arguments): \(result.stderr)")
                #expect(result.stderr.contains("not a database"), "\(arguments): \(result.stderr)")
                #expect(try ws.read(path) == text, "\(arguments) changed the file")
            }
            #expect(try FileManager.default.contentsOfDirectory(atPath: ws.input.path) == ["notes.txt"])
        }
    }
}
