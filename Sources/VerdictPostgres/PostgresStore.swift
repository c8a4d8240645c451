import Foundation
import Logging
import PostgresNIO
public import VerdictCore
public import VerdictHistory

/// The team store: the shared schema and SQL on PostgreSQL. Each operation opens its own connection
/// and closes it, reads run in one read-only snapshot and are retried when the connection drops, and a
/// run is recorded in one transaction (see `PostgresStore+Record.swift`).
public final class PostgresStore: HistoryStore, Sendable {
    public let location: PostgresLocation
    public var displayName: String { location.display }
    let logger = Logger(label: "verdict.postgres", factory: { _ in SwiftLogNoOpLogHandler() })

    private init(location: PostgresLocation) {
        self.location = location
    }

    /// Connects and brings the schema up to date (several runners may do this at once: an advisory lock
    /// lets one migrate while the others wait). `reading` refuses a database without a store instead of
    /// creating one.
    public static func open(
        _ location: PostgresLocation, reading: Bool = false
    ) async throws(HistoryError)
        -> PostgresStore
    {
        let store = PostgresStore(location: location)
        try await store.prepare(reading: reading)
        return store
    }

    /// Runs one statement on the location's database without opening the store (for tests and
    /// maintenance: dropping a test schema, inspecting tables).
    static func execute(_ location: PostgresLocation, _ sql: String) async throws(HistoryError) -> [SQLRow] {
        let store = PostgresStore(location: location)
        return try await store.withConnection("running \(sql.prefix(40))") { connection in
            try await PostgresSession(connection: connection, logger: store.logger).rows(sql, [])
        }
    }

    // MARK: Connections

    private func configuration() throws(HistoryError) -> PostgresConnection.Configuration {
        func context(_ verification: CertificateVerification) throws(HistoryError) -> NIOSSLContext {
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.certificateVerification = verification
            if let root = location.sslRootCert { tls.trustRoots = .file(root) }
            do {
                return try NIOSSLContext(configuration: tls)
            } catch {
                throw .invalidArgument("--db: cannot set up TLS (sslrootcert \(location.sslRootCert ?? "-")): \(error)")
            }
        }
        let tls: PostgresConnection.Configuration.TLS
        switch location.sslMode {
        case .disable: tls = .disable
        case .allow, .prefer: tls = .prefer(try context(.none))
        // libpq: with a root certificate given, `require` checks the chain as `verify-ca` does.
        case .require: tls = .require(try context(location.sslRootCert == nil ? .none : .noHostnameVerification))
        case .verifyCA: tls = .require(try context(.noHostnameVerification))
        case .verifyFull: tls = .require(try context(.fullVerification))
        }
        var configuration = PostgresConnection.Configuration(
            host: location.host, port: location.port, username: location.user, password: location.password,
            database: location.database, tls: tls)
        configuration.options.connectTimeout = .seconds(Int64(location.connectTimeout))
        return configuration
    }

    /// A connection with the store's schema first on the search path. Refused connections and timeouts are
    /// tried three times (a server restarting); authentication and other refusals are not.
    private func connect() async throws(HistoryError) -> PostgresConnection {
        let configuration = try configuration()
        var attempt = 0
        while true {
            attempt += 1
            do {
                let connection = try await PostgresConnection.connect(
                    configuration: configuration, id: attempt, logger: logger)
                do {
                    try await connection.query(
                        PostgresQuery(unsafeSQL: "SET search_path TO \"\(location.schema)\""), logger: logger)
                    if location.statementTimeout > 0 {
                        try await connection.query(
                            PostgresQuery(unsafeSQL: "SET statement_timeout = \(location.statementTimeout)"),
                            logger: logger)
                    }
                } catch {
                    try? await connection.close()
                    throw error
                }
                return connection
            } catch {
                let failure = PostgresFailure(error, location: location, operation: "connecting", attempts: attempt)
                guard failure.isConnectionLevel, attempt < 3 else { throw failure.historyError }
                try? await Task.sleep(for: .milliseconds(250 * attempt))
            }
        }
    }

    /// Runs `body` on a new connection and closes it afterwards, whatever happens. When `body` fails and
    /// `retry` says the failure may pass (a dropped connection, a deadlock), it runs again on a new
    /// connection, up to `attempts` times in all. Failing to connect is not retried here: `connect` has
    /// its own rule, and an authentication failure is never tried again.
    func withConnection<T>(
        _ operation: String, attempts: Int = 1, retry: (PostgresFailure) -> Bool = { _ in false },
        _ body: (PostgresConnection) async throws -> T
    ) async throws(HistoryError) -> T {
        var attempt = 0
        while true {
            attempt += 1
            let connection = try await connect()
            do {
                let value = try await body(connection)
                try? await connection.close()
                return value
            } catch {
                try? await connection.close()
                if let error = error as? HistoryError { throw error }
                let failure = PostgresFailure(error, location: location, operation: operation)
                guard attempt < attempts, retry(failure) else { throw failure.historyError }
                try? await Task.sleep(for: .milliseconds(Int.random(in: 50...250) * attempt))
            }
        }
    }

    /// A read: one read-only snapshot, run again on a new connection when the connection drops.
    func reading<T>(
        _ operation: String, _ body: (PostgresSession) async throws -> T
    ) async throws(HistoryError) -> T {
        try await withConnection(operation, attempts: 3, retry: \.isConnectionLevel) { connection in
            let session = PostgresSession(connection: connection, logger: logger)
            try await session.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            let value = try await body(session)
            try await session.execute("COMMIT")
            return value
        }
    }

    // MARK: Schema

    private var knownMigrations: [String] { HistorySchema.identifiers }

    private func prepare(reading: Bool) async throws(HistoryError) {
        let applied = try await withConnection("reading the schema version") { connection in
            try await Self.appliedMigrations(PostgresSession(connection: connection, logger: logger))
        }
        if let applied {
            if !Set(applied).isSubset(of: knownMigrations) {
                throw .newerSchema(path: displayName, migrations: applied.sorted())
            }
            if applied.count == knownMigrations.count { return }
        } else if reading {
            throw .invalidArgument(
                "no history store in \(displayName) (schema \(location.schema)): record runs first "
                    + "(`verdict history record`), or check --db / VERDICT_DB")
        }
        try await migrate()
    }

    /// The migrations applied in the store's schema, or nil when it holds no store.
    private static func appliedMigrations(_ session: PostgresSession) async throws -> [String]? {
        let exists = try await session.rows("SELECT to_regclass('verdict_migrations') IS NOT NULL AS present", [])
        guard exists.first?.int("present") == 1 else { return nil }
        return try await session.rows("SELECT identifier FROM verdict_migrations", []).compactMap {
            $0.string("identifier")
        }
    }

    private func migrate() async throws(HistoryError) {
        let schema = location.schema
        let known = knownMigrations
        let display = displayName
        try await withConnection("creating the schema") { connection in
            let session = PostgresSession(connection: connection, logger: logger)
            try await session.execute("BEGIN")
            do {
                _ = try await session.rows(
                    "SELECT 1 AS locked FROM (SELECT pg_advisory_xact_lock(hashtext(?))) l",
                    [.text("verdict-schema:\(schema)")])
                let tables = try await session.rows(
                    "SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = ?", [.text(schema)]
                ).compactMap { $0.string("tablename") }
                if !tables.isEmpty && !tables.contains("verdict_migrations") {
                    throw HistoryError.foreignDatabase(path: "\(display) (schema \(schema))", tables: tables.sorted())
                }
                try await session.execute("CREATE SCHEMA IF NOT EXISTS \"\(schema)\"")
                try await session.execute(
                    """
                    CREATE TABLE IF NOT EXISTS verdict_migrations (
                        identifier TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())
                    """)
                let applied = try await Self.appliedMigrations(session) ?? []
                if !Set(applied).isSubset(of: known) {
                    throw HistoryError.newerSchema(path: display, migrations: applied.sorted())
                }
                for migration in HistorySchema.migrations where !applied.contains(migration.identifier) {
                    for statement in migration.statements(.postgres) { try await session.execute(statement) }
                    _ = try await session.rows(
                        "INSERT INTO verdict_migrations (identifier) VALUES (?) RETURNING identifier",
                        [.text(migration.identifier)])
                }
                try await session.execute("COMMIT")
            } catch {
                try? await session.execute("ROLLBACK")
                throw error
            }
        }
    }

    // MARK: Questions

    public func runs(limit: Int) async throws(HistoryError) -> [RunRow] {
        try await reading("listing runs") { try await HistoryQueries.runs($0, limit: limit) }
    }

    public func flaky(window: Int) async throws(HistoryError) -> [HistoricalFlaky] {
        try await reading("finding flaky tests") { try await HistoryQueries.flaky($0, window: window) }
    }

    public func trends(by key: GroupKey, window: Int) async throws(HistoryError) -> [GroupTrend] {
        try await reading("computing trends") { try await HistoryQueries.trends($0, by: key, window: window) }
    }

    /// One query for all identities: a report may ask about tens of thousands of failures.
    public func outcomes(
        of identities: [TestIdentity], limit: Int
    ) async throws(HistoryError) -> [TestIdentity: [Outcome]] {
        try await reading("reading outcomes") { session in
            var result = Dictionary(identities.map { ($0, [Outcome]()) }, uniquingKeysWith: { a, _ in a })
            guard !identities.isEmpty else { return result }
            let rows = try await session.rows(
                """
                WITH wanted AS (SELECT DISTINCT * FROM unnest($1::text[], $2::text[]) AS w (classname, name)),
                r AS (SELECT t.classname, t.name, res.outcome,
                             ROW_NUMBER() OVER (PARTITION BY res.test_id
                                                ORDER BY runs.recorded_at DESC, runs.id DESC, res.seq DESC) AS n
                      FROM wanted JOIN tests t ON t.classname = wanted.classname AND t.name = wanted.name
                      JOIN results res ON res.test_id = t.id JOIN runs ON runs.id = res.run_id)
                SELECT classname, name, outcome FROM r WHERE n <= $3 ORDER BY classname, name, n DESC
                """,
                arrays: [identities.map(\.classname), identities.map(\.name)], [.int(Int64(limit))])
            for row in rows {
                let identity = TestIdentity(classname: row.string("classname") ?? "", name: row.string("name") ?? "")
                result[identity, default: []].append(HistoryResult.outcome(code: row.int("outcome")))
            }
            return result
        }
    }

    public func classnameTimeSeries(limit: Int, top: Int) async throws(HistoryError) -> [(key: String, times: [Double])]
    {
        try await reading("reading time series") {
            try await HistoryQueries.classnameTimeSeries($0, limit: limit, top: top)
        }
    }

    public func timings(by key: GroupKey, window: Int) async throws(HistoryError) -> [String: Double] {
        try await reading("reading timings") { try await HistoryQueries.timings($0, by: key, window: window) }
    }

    public func exportRuns() async throws(HistoryError) -> [RunRow] {
        try await reading("listing runs") { try await HistoryQueries.exportRuns($0) }
    }

    public func results(ofRun id: Int64) async throws(HistoryError) -> [HistoryResult] {
        try await reading("reading run \(id)") { try await HistoryQueries.results($0, run: id) }
    }
}
