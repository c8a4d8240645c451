import Foundation
import Testing

@testable import VerdictCore
@testable import VerdictHistory

@Suite("History: files that are not our store are reported, never touched")
struct StoreSafetyTests {
    /// The names in `folder`, sorted.
    static func listing(_ folder: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
    }

    @Test("random bytes: notADatabase, and the file is unchanged")
    func corruptFile() async throws {
        try await TempFolder.with { folder in
            let path = folder.appendingPathComponent("history.sqlite").path
            var generator = SeededGenerator(seed: 42)
            let bytes = Data((0..<8192).map { _ in UInt8.random(in: 0...255, using: &generator) })
            try bytes.write(to: URL(fileURLWithPath: path))
            #expect(throws: HistoryError.notADatabase(path: path)) { _ = try SQLiteStore(path: path) }
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == bytes)
            #expect(try Self.listing(folder) == ["history.sqlite"])
        }
    }

    @Test("a text file: notADatabase, and the file is unchanged")
    func textFile() async throws {
        try await TempFolder.with { folder in
            let path = folder.appendingPathComponent("notes.txt").path
            let text = Data(String(repeating: "these are my notes, not a database\n", count: 40).utf8)
            try text.write(to: URL(fileURLWithPath: path))
            #expect(throws: HistoryError.notADatabase(path: path)) { _ = try SQLiteStore(path: path) }
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == text)
        }
    }

    @Test("a database of something else: foreignDatabase, and the file is unchanged", .enabled(if: SQLiteCLI.available))
    func foreignDatabase() async throws {
        try await TempFolder.with { folder in
            let path = folder.appendingPathComponent("other.sqlite").path
            try SQLiteCLI.run(path, "CREATE TABLE foo (x INTEGER); INSERT INTO foo VALUES (1), (2);")
            let before = try Data(contentsOf: URL(fileURLWithPath: path))
            #expect(throws: HistoryError.foreignDatabase(path: path, tables: ["foo"])) {
                _ = try SQLiteStore(path: path)
            }
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
            #expect(try SQLiteCLI.run(path, "PRAGMA journal_mode;") == "delete\n")
            #expect(try SQLiteCLI.run(path, "SELECT COUNT(*) FROM foo;") == "2\n")
        }
    }

    @Test("our tables beside someone else's: foreignDatabase", .enabled(if: SQLiteCLI.available))
    func ourStorePlusForeignTable() async throws {
        try await TempFolder.with { folder in
            let path = folder.appendingPathComponent("history.sqlite").path
            do {
                let store = try SQLiteStore(path: path)
                try await store.record(RunMetadata(build: "1", recordedAt: Clock.at(0)), [record("A", "a")])
            }
            try SQLiteCLI.run(path, "CREATE TABLE foo (x INTEGER);")
            do throws(HistoryError) {
                _ = try SQLiteStore(path: path)
                Issue.record("a store with a foreign table opened")
            } catch {
                guard case .foreignDatabase(_, let tables) = error else {
                    Issue.record("expected foreignDatabase, got \(error)")
                    return
                }
                #expect(tables.contains("foo"))
            }
        }
    }

    @Test(
        "a store with a migration this Verdict does not know: newerSchema, data kept", .enabled(if: SQLiteCLI.available)
    )
    func newerSchema() async throws {
        try await TempFolder.with { folder in
            let path = folder.appendingPathComponent("history.sqlite").path
            do {
                let store = try SQLiteStore(path: path)
                try await store.record(RunMetadata(build: "1", recordedAt: Clock.at(0)), [record("A", "a")])
            }
            try SQLiteCLI.run(path, "INSERT INTO grdb_migrations (identifier) VALUES ('v99');")
            let known = HistorySchema.identifiers
            let listed = (known + ["v99"]).sorted().map { $0 + "\n" }.joined()
            #expect(throws: HistoryError.newerSchema(path: path, migrations: (known + ["v99"]).sorted())) {
                _ = try SQLiteStore(path: path)
            }
            #expect(
                try SQLiteCLI.run(path, "SELECT identifier FROM grdb_migrations ORDER BY identifier;")
                    == listed)
            #expect(try SQLiteCLI.run(path, "SELECT build FROM runs;") == "1\n")
        }
    }

    @Test("an existing store opens again with its runs; a missing folder is created")
    func reopen() async throws {
        try await TempFolder.with { folder in
            let path = folder.appendingPathComponent("deep/er/history.sqlite").path
            do {
                let store = try SQLiteStore(path: path)
                try await store.record(RunMetadata(build: "1", recordedAt: Clock.at(0)), [record("A", "a")])
            }
            let again = try SQLiteStore(path: path)
            #expect(try await again.allRuns().map(\.build) == ["1"])
            if SQLiteCLI.available {
                #expect(try SQLiteCLI.run(path, "PRAGMA journal_mode;") == "wal\n")
            }
        }
    }
}
