import Foundation
import Testing

@testable import VerdictCore
@testable import VerdictHistory
@testable import VerdictPostgres

@Suite("PostgreSQL store: schema, refusals and failures", .enabled(if: Backend.postgresURL != nil))
struct PostgresStoreTests {
    /// The test server's URL with one part changed.
    static func url(password: String? = nil, port: Int? = nil, schema: String? = nil) throws -> String {
        let base = try #require(Backend.postgresURL)
        var components = try #require(URLComponents(string: base))
        if let password { components.password = password }
        if let port { components.port = port }
        if let schema {
            components.queryItems =
                (components.queryItems ?? []).filter { $0.name != "schema" } + [
                    URLQueryItem(name: "schema", value: schema)
                ]
        }
        return try #require(components.string)
    }

    static func error(_ body: () async throws -> Void) async -> HistoryError? {
        do {
            try await body()
            return nil
        } catch let error as HistoryError {
            return error
        } catch {
            Issue.record("unexpected error \(error)")
            return nil
        }
    }

    @Test("runners starting at once on a new schema all succeed; each migration is applied once")
    func concurrentMigrations() async throws {
        try await TempFolder.withLocation(.postgres) { location in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<8 { group.addTask { _ = try await location.open() } }
                try await group.waitForAll()
            }
            let applied = try await PostgresAdmin.execute(
                location.location, "SELECT identifier FROM verdict_migrations ORDER BY identifier")
            let appliedList = applied.compactMap { $0.string("identifier") }
            #expect(appliedList == HistorySchema.identifiers.sorted())
        }
    }

    @Test("a schema with a migration this Verdict does not know is refused, and its data kept")
    func newerSchema() async throws {
        try await TempFolder.withLocation(.postgres) { location in
            let store = try await location.open()
            try await store.record(RunMetadata(build: "1", recordedAt: Clock.at(0)), [record("A", "a")])
            try await PostgresAdmin.execute(
                location.location, "INSERT INTO verdict_migrations (identifier) VALUES ('v99')")
            let display = try PostgresLocation(url: location.location).display
            let refused = await Self.error { _ = try await location.open() }
            #expect(refused == .newerSchema(path: display, migrations: (HistorySchema.identifiers + ["v99"]).sorted()))
            let runs = try await PostgresAdmin.execute(location.location, "SELECT build FROM runs")
            let runsList = runs.compactMap { $0.string("build") }
            #expect(runsList == ["1"])
        }
    }

    @Test("a schema holding other tables is refused and left alone")
    func foreignSchema() async throws {
        try await TempFolder.withLocation(.postgres) { location in
            let parsed = try PostgresLocation(url: location.location)
            try await PostgresAdmin.execute(location.location, "CREATE SCHEMA \(parsed.schema)")
            try await PostgresAdmin.execute(location.location, "CREATE TABLE foo (a INTEGER)")
            try await PostgresAdmin.execute(location.location, "INSERT INTO foo VALUES (1), (2)")
            let refused = await Self.error { _ = try await location.open() }
            #expect(refused == .foreignDatabase(path: "\(parsed.display) (schema \(parsed.schema))", tables: ["foo"]))
            let tables = try await PostgresAdmin.execute(
                location.location, "SELECT tablename FROM pg_tables WHERE schemaname = '\(parsed.schema)'")
            let tablesList = tables.compactMap { $0.string("tablename") }
            #expect(tablesList == ["foo"])
        }
    }

    @Test("reading a database without a store says so and creates nothing")
    func readingCreatesNothing() async throws {
        try await TempFolder.withLocation(.postgres) { location in
            let refused = await Self.error { _ = try await location.open(reading: true) }
            #expect(refused?.description.contains("no history store in") == true)
            let parsed = try PostgresLocation(url: location.location)
            let schemas = try await PostgresAdmin.execute(
                location.location, "SELECT nspname FROM pg_namespace WHERE nspname = '\(parsed.schema)'")
            #expect(schemas.isEmpty)
        }
    }

    @Test("a wrong password: an authentication message that does not contain the password")
    func wrongPassword() async throws {
        let secret = "wrong-\(UUID().uuidString)"
        let url = try Self.url(password: secret)
        let refused = await Self.error { _ = try await PostgresStore.open(PostgresLocation(url: url)) }
        let message = refused?.description ?? ""
        #expect(message.contains("authentication failed for user"))
        #expect(message.contains("the password came from the URL"))
        #expect(!message.contains(secret))
    }

    @Test("nothing listening: connection refused, tried three times")
    func refused() async throws {
        let url = try Self.url(port: 1)
        let refused = await Self.error { _ = try await PostgresStore.open(PostgresLocation(url: url)) }
        let message = refused?.description ?? ""
        #expect(message.contains("could not connect to"))
        #expect(message.contains("connection refused"))
        #expect(message.contains("3 attempts"))
    }

    @Test("a recording cut short by the server leaves no run, no test and no result behind")
    func failedRecordingLeavesNothing() async throws {
        try await TempFolder.withLocation(.postgres) { location in
            _ = try await location.open()
            let impatient = StoreLocation(backend: .postgres, location: location.location + "&statement_timeout=1")
            let records = (0..<50_000).map { record("Big.C\($0 % 10)", "test \($0)") }
            let refused = await Self.error {
                try await impatient.open().record(RunMetadata(build: "cut", recordedAt: Clock.at(0)), records)
            }
            #expect(refused?.description.contains("statement_timeout") == true, "\(String(describing: refused))")
            for table in ["runs", "tests", "results"] {
                let count = try await PostgresAdmin.execute(location.location, "SELECT COUNT(*) AS n FROM \(table)")
                #expect(count.first?.int("n") == 0, "\(table)")
            }
        }
    }
}

@Suite("The history suite runs against PostgreSQL in CI")
struct BackendCoverageTests {
    @Test("in CI (CI=true), VERDICT_TEST_POSTGRES is set, so no PostgreSQL test is skipped")
    func postgresInCI() {
        let inCI = ["true", "1"].contains(ProcessInfo.processInfo.environment["CI"]?.lowercased() ?? "")
        if inCI {
            #expect(
                Backend.postgresURL != nil,
                "CI must start PostgreSQL (scripts/pg-test-server) and set VERDICT_TEST_POSTGRES")
        }
        #expect(Backend.all.first == .sqlite)
    }
}
