import Foundation
public import VerdictHistory

/// Where a PostgreSQL store is: parsed from a `postgres://` URL with libpq's rules for what the URL
/// leaves out (PGHOST, PGPORT, PGUSER, PGDATABASE, PGPASSWORD, then `~/.pgpass`).
public struct PostgresLocation: Sendable, Hashable {
    public enum SSLMode: String, Sendable, CaseIterable {
        case disable, allow, prefer, require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    public var host: String
    public var port: Int
    public var user: String
    public var password: String?
    public var database: String
    public var sslMode: SSLMode
    public var sslRootCert: String?
    /// The schema Verdict's tables live in (created when missing).
    public var schema: String
    /// Seconds to wait for a connection.
    public var connectTimeout: Int
    /// Milliseconds the server may spend on one statement (0: no limit).
    public var statementTimeout: Int
    /// Where the password came from, for messages (never the password itself).
    public var passwordSource: String

    /// The query parameters understood; anything else is refused, as libpq does, so a typo is not ignored.
    static let parameters: Set<String> = [
        "sslmode", "sslrootcert", "schema", "connect_timeout", "statement_timeout", "application_name",
    ]

    public static func isURL(_ text: String) -> Bool {
        text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
    }

    public init(
        url text: String, environment: [String: String]? = nil, home: String? = nil
    ) throws(HistoryError) {
        let environment = environment ?? ProcessInfo.processInfo.environment
        guard Self.isURL(text), let components = URLComponents(string: text) else {
            throw .invalidArgument(
                "--db: \(Self.redacted(text)) is not a PostgreSQL URL (postgres://USER@HOST:PORT/DATABASE?sslmode=...)")
        }
        func env(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        var query: [String: String] = [:]
        for item in components.queryItems ?? [] {
            guard Self.parameters.contains(item.name) else {
                throw .invalidArgument(
                    "--db: unknown parameter \(String(reflecting: item.name)) in the PostgreSQL URL "
                        + "(known: \(Self.parameters.sorted().joined(separator: ", ")))")
            }
            query[item.name] = item.value ?? ""
        }
        host = components.host.flatMap { $0.isEmpty ? nil : $0 } ?? env("PGHOST") ?? "localhost"
        if host.hasPrefix("/") {
            throw .invalidArgument("--db: Unix-socket hosts are not supported; give a TCP host such as 127.0.0.1")
        }
        port = components.port ?? env("PGPORT").flatMap(Int.init) ?? 5432
        user = components.user.flatMap { $0.isEmpty ? nil : $0 } ?? env("PGUSER") ?? Self.currentUser(environment)
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        database = path.isEmpty ? (env("PGDATABASE") ?? user) : path
        let sslText = query["sslmode"] ?? env("PGSSLMODE") ?? "prefer"
        guard let sslMode = SSLMode(rawValue: sslText) else {
            throw .invalidArgument(
                "--db: sslmode=\(sslText) is not one of \(SSLMode.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self.sslMode = sslMode
        sslRootCert = query["sslrootcert"] ?? env("PGSSLROOTCERT")
        schema = query["schema"] ?? "verdict"
        guard Self.isIdentifier(schema) else {
            throw .invalidArgument(
                "--db: schema=\(schema) must be a plain name (letters, digits and _, not starting with a digit)")
        }
        guard let timeout = Int(query["connect_timeout"] ?? env("PGCONNECT_TIMEOUT") ?? "10"), timeout > 0 else {
            throw .invalidArgument("--db: connect_timeout must be a whole number of seconds above 0")
        }
        connectTimeout = timeout
        guard let statement = Int(query["statement_timeout"] ?? "0"), statement >= 0 else {
            throw .invalidArgument("--db: statement_timeout must be a whole number of milliseconds")
        }
        statementTimeout = statement
        if let password = components.password {
            self.password = password
            passwordSource = "the URL"
        } else if let password = env("PGPASSWORD") {
            self.password = password
            passwordSource = "PGPASSWORD"
        } else {
            let file =
                env("PGPASSFILE")
                ?? ((home ?? env("HOME") ?? NSHomeDirectory()) as NSString).appendingPathComponent(".pgpass")
            password = PGPass.lookup(file: file, host: host, port: port, database: database, user: user)
            passwordSource = password == nil ? "none given" : file
        }
    }

    /// The store's name in messages: the URL without its password.
    public var display: String {
        var text = "postgres://\(user)@\(host.contains(":") ? "[\(host)]" : host):\(port)/\(database)"
        if schema != "verdict" { text += "?schema=\(schema)" }
        return text
    }

    static func isIdentifier(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, text.utf8.count <= 63 else { return false }
        let letters = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_")
        let rest = letters.union(CharacterSet(charactersIn: "0123456789"))
        return letters.contains(first) && text.unicodeScalars.allSatisfy(rest.contains)
    }

    /// A URL as it may be printed: any password replaced by `***`.
    public static func redacted(_ text: String) -> String {
        guard var components = URLComponents(string: text), components.password != nil else { return text }
        components.password = "***"
        return components.string ?? "postgres://***"
    }

    private static func currentUser(_ environment: [String: String]) -> String {
        environment["USER"].flatMap { $0.isEmpty ? nil : $0 } ?? environment["LOGNAME"] ?? "postgres"
    }
}

/// libpq's password file: `host:port:database:user:password` lines, `*` matching anything, `\:` and `\\`
/// escaped. Like libpq, a file that others may read is ignored.
enum PGPass {
    static func lookup(file: String, host: String, port: Int, database: String, user: String) -> String? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: file),
            let permissions = attributes[.posixPermissions] as? Int, permissions & 0o077 == 0,
            let text = try? String(contentsOfFile: file, encoding: .utf8)
        else { return nil }
        for line in text.split(whereSeparator: \.isNewline) where !line.hasPrefix("#") {
            let fields = split(String(line))
            guard fields.count == 5 else { continue }
            let wanted = [host, String(port), database, user]
            if zip(fields.prefix(4), wanted).allSatisfy({ $0 == "*" || $0 == $1 }) { return fields[4] }
        }
        return nil
    }

    /// Splits on unescaped colons and removes the escapes.
    static func split(_ line: String) -> [String] {
        var fields: [String] = []
        var current = ""
        var escaped = false
        for character in line {
            if escaped {
                current.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == ":" && fields.count < 4 {
                fields.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        fields.append(current)
        return fields
    }
}
