import Foundation
import Testing

/// The history commands end to end against the PostgreSQL server the suite was given
/// (VERDICT_TEST_POSTGRES; `.ci/run` starts one). Each test works in a schema of its own.
@Suite(
    "verdict history on PostgreSQL",
    .enabled(if: ProcessInfo.processInfo.environment["VERDICT_TEST_POSTGRES"].map { !$0.isEmpty } ?? false))
struct PostgresCLITests {
    /// The server URL in a fresh schema, with and without its password, and the password.
    static func fresh() throws -> (url: String, bare: String, password: String) {
        let base = try #require(ProcessInfo.processInfo.environment["VERDICT_TEST_POSTGRES"])
        var components = try #require(URLComponents(string: base))
        let schema = "cli_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(12)
        components.queryItems = (components.queryItems ?? []) + [URLQueryItem(name: "schema", value: schema)]
        let password = try #require(components.password)
        let url = try #require(components.string)
        components.password = nil
        return (url, try #require(components.string), password)
    }

    @Test("record, flaky, trends, report --db, split --db and copy to SQLite; the password is never printed")
    func wholeFlow() async throws {
        let (url, bare, password) = try Self.fresh()
        try await Workspace.with { ws in
            var printed = ""
            func run(_ arguments: [String], environment: [String: String] = [:]) async throws -> CLI.RunResult {
                let result = try await ws.verdict(arguments, environment: environment)
                printed += result.stdout + result.stderr
                #expect(result.status == 0, "\(arguments): \(result.stderr)")
                return result
            }
            let first = try await run([
                "history", "record", "SampleData", "--db", url, "--build", "1", "--revision", "a",
            ])
            #expect(first.stdout.hasPrefix("recorded build 1"), "\(first.stdout)")
            #expect(first.stdout.contains("tests in postgres://"), "\(first.stdout)")
            // The password from PGPASSWORD instead of the URL, the URL from VERDICT_DB instead of --db.
            let second = try await run(
                ["history", "record", "SampleData", "--build", "2", "--revision", "a"],
                environment: ["PGPASSWORD": password, "VERDICT_DB": bare])
            #expect(second.stdout.hasPrefix("recorded build 2"), "\(second.stdout)")
            let again = try await run([
                "history", "record", "SampleData", "--db", url, "--build", "2", "--revision", "a",
            ])
            #expect(again.stdout.hasPrefix("replaced build 2"), "\(again.stdout)")
            let runs = try await run(["history", "runs", "--db", url])
            #expect(runs.stdout.split(separator: "\n").count == 2, "\(runs.stdout)")
            let flaky = try await run(["flaky", "--db", url])
            #expect(flaky.stdout.hasPrefix("2 flaky test(s)"), "\(flaky.stdout)")
            _ = try await run(["flaky", "--db", url, "--json", ws.out("flaky-pg.json")])
            _ = try await run(["trends", "--db", url, "--json", ws.out("trends-pg.json")])
            _ = try await run(["report", "SampleData", "--db", url, "--json", ws.out("report.json")])
            let report = try String(contentsOfFile: ws.out("report.json"), encoding: .utf8)
            #expect(report.contains("\"history\""))
            let split = try await ws.verdict(
                ["split", "--db", url, "--by", "classname", "--total", "2", "--index", "0"],
                stdin: Data("Checkout\nSearch\n".utf8))
            printed += split.stdout + split.stderr
            #expect(split.status == 0, "\(split.stderr)")
            let sqlite = ws.out("copy.sqlite")
            let copy = try await run(["history", "copy", "--from", url, "--to", sqlite])
            #expect(copy.stdout.hasPrefix("copied 2 run(s), 194 result(s)"), "\(copy.stdout)")
            _ = try await run(["flaky", "--db", sqlite, "--json", ws.out("flaky-sqlite.json")])
            _ = try await run(["trends", "--db", sqlite, "--json", ws.out("trends-sqlite.json")])
            for name in ["flaky", "trends"] {
                let onPostgres = try Data(contentsOf: URL(fileURLWithPath: ws.out("\(name)-pg.json")))
                let onSQLite = try Data(contentsOf: URL(fileURLWithPath: ws.out("\(name)-sqlite.json")))
                #expect(onPostgres == onSQLite, "\(name) differs between the stores")
            }
            #expect(!printed.contains(password))
        }
    }

    @Test("a wrong password: exit 2, an authentication message, and neither password printed")
    func wrongPassword() async throws {
        let (url, _, password) = try Self.fresh()
        let wrong = "not-\(UUID().uuidString)"
        let bad = url.replacingOccurrences(of: ":\(password)@", with: ":\(wrong)@")
        try await Workspace.with { ws in
            let result = try await ws.verdict(["history", "runs", "--db", bad])
            #expect(result.status == 2)
            #expect(result.stderr.contains("authentication failed for user"), "\(result.stderr)")
            #expect(!(result.stdout + result.stderr).contains(wrong))
            #expect(!(result.stdout + result.stderr).contains(password))
        }
    }
}
