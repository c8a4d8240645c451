import Foundation
import Testing

@testable import VerdictHistory
@testable import VerdictPostgres

@Suite("PostgreSQL URLs, environment and ~/.pgpass")
struct PostgresLocationTests {
    static let none: [String: String] = ["HOME": "/nonexistent"]

    @Test("every part of a full URL is read; the display form has no password")
    func fullURL() throws {
        let location = try PostgresLocation(
            url: "postgres://ci:s%40cret@db.internal:6543/history?sslmode=require&schema=team_a&connect_timeout=3",
            environment: Self.none)
        #expect(location.host == "db.internal")
        #expect(location.port == 6543)
        #expect(location.user == "ci")
        #expect(location.password == "s@cret")
        #expect(location.passwordSource == "the URL")
        #expect(location.database == "history")
        #expect(location.sslMode == .require)
        #expect(location.schema == "team_a")
        #expect(location.connectTimeout == 3)
        #expect(location.display == "postgres://ci@db.internal:6543/history?schema=team_a")
        #expect(!location.display.contains("cret"))
    }

    @Test("what the URL leaves out comes from PGHOST, PGPORT, PGUSER, PGDATABASE and PGPASSWORD; the URL wins")
    func environmentDefaults() throws {
        let environment = [
            "PGHOST": "envhost", "PGPORT": "7000", "PGUSER": "envuser", "PGDATABASE": "envdb",
            "PGPASSWORD": "envpw", "HOME": "/nonexistent",
        ]
        let bare = try PostgresLocation(url: "postgres://", environment: environment)
        #expect(bare.host == "envhost")
        #expect(bare.port == 7000)
        #expect(bare.user == "envuser")
        #expect(bare.database == "envdb")
        #expect(bare.password == "envpw")
        #expect(bare.passwordSource == "PGPASSWORD")
        #expect(bare.sslMode == .prefer)
        #expect(bare.schema == "verdict")
        let full = try PostgresLocation(url: "postgresql://u:p@h:1/d", environment: environment)
        #expect(full.host == "h")
        #expect(full.port == 1)
        #expect(full.user == "u")
        #expect(full.database == "d")
        #expect(full.password == "p")
    }

    @Test("~/.pgpass: wildcards and escapes match like libpq; a file others can read is ignored")
    func pgpass() async throws {
        try await TempFolder.with { folder in
            let file = folder.appendingPathComponent(".pgpass").path
            let lines = [
                "# comment",
                "otherhost:5432:*:ci:wrong",
                "db.internal:*:history:ci:pass\\:word\\\\1",
                "*:*:*:*:fallback",
            ]
            try lines.joined(separator: "\n").write(toFile: file, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file)
            let home = ["HOME": folder.path]
            let matched = try PostgresLocation(url: "postgres://ci@db.internal/history", environment: home)
            #expect(matched.password == "pass:word\\1")
            #expect(matched.passwordSource == file)
            let fallback = try PostgresLocation(url: "postgres://someone@elsewhere/x", environment: home)
            #expect(fallback.password == "fallback")
            let viaVariable = try PostgresLocation(
                url: "postgres://ci@db.internal/history", environment: ["PGPASSFILE": file, "HOME": "/nonexistent"])
            #expect(viaVariable.password == "pass:word\\1")
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file)
            let open = try PostgresLocation(url: "postgres://ci@db.internal/history", environment: home)
            #expect(open.password == nil)
            #expect(open.passwordSource == "none given")
        }
    }

    @Test(
        "refused with a message: unknown parameter, bad sslmode, bad schema, a Unix socket, not a URL",
        arguments: [
            ("postgres://h/d?sslmod=disable", "unknown parameter \"sslmod\""),
            ("postgres://h/d?sslmode=maybe", "sslmode=maybe is not one of"),
            ("postgres://h/d?schema=a-b", "schema=a-b must be a plain name"),
            ("postgres://h/d?schema=1abc", "must be a plain name"),
            ("postgres://h/d?connect_timeout=0", "connect_timeout"),
            ("postgres://%2Fvar%2Frun%2Fpostgresql/d", "Unix-socket hosts are not supported"),
            ("mysql://h/d", "is not a PostgreSQL URL"),
        ])
    func refusals(url: String, message: String) {
        do {
            _ = try PostgresLocation(url: url, environment: Self.none)
            Issue.record("\(url) was accepted")
        } catch {
            #expect(error.description.contains(message), "\(error.description)")
        }
    }

    @Test("a URL is printed without its password")
    func redaction() {
        #expect(
            PostgresLocation.redacted("postgres://ci:topsecret@h:5432/d?sslmode=require")
                == "postgres://ci:***@h:5432/d?sslmode=require")
        #expect(PostgresLocation.redacted("postgres://ci@h/d") == "postgres://ci@h/d")
    }
}
