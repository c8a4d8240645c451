import PostgresNIO
import VerdictHistory

/// The shared SQL on one PostgreSQL connection: `?` placeholders numbered, values bound by type, rows
/// read back as the store-neutral `SQLRow`.
struct PostgresSession: SQLSession {
    let connection: PostgresConnection
    let logger: Logger

    func execute(_ sql: String, _ arguments: [SQLValue] = []) async throws {
        try await connection.query(query(sql, arguments), logger: logger)
    }

    func rows(_ sql: String, _ arguments: [SQLValue]) async throws -> [SQLRow] {
        try await collect(try await connection.query(query(sql, arguments), logger: logger))
    }

    /// A query whose first parameters are text arrays (`$1::text[]`, ...), then `arguments`; `sql` is
    /// already numbered.
    func rows(_ sql: String, arrays: [[String]], _ arguments: [SQLValue]) async throws -> [SQLRow] {
        var binds = PostgresBindings()
        for array in arrays { binds.append(array) }
        bind(arguments, into: &binds)
        return try await collect(
            try await connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger))
    }

    private func query(_ sql: String, _ arguments: [SQLValue]) -> PostgresQuery {
        var binds = PostgresBindings(capacity: arguments.count)
        bind(arguments, into: &binds)
        return PostgresQuery(unsafeSQL: HistorySQL.numbered(sql), binds: binds)
    }

    private func bind(_ arguments: [SQLValue], into binds: inout PostgresBindings) {
        for argument in arguments {
            switch argument {
            case .null: binds.appendNull()
            case .int(let value): binds.append(value)
            case .double(let value): binds.append(value)
            case .text(let value): binds.append(value)
            }
        }
    }

    private func collect(_ sequence: PostgresRowSequence) async throws -> [SQLRow] {
        var rows: [SQLRow] = []
        for try await row in sequence {
            var columns: [String: SQLValue] = [:]
            for cell in row {
                columns[cell.columnName] = try Self.value(cell)
            }
            rows.append(SQLRow(columns))
        }
        return rows
    }

    private static func value(_ cell: PostgresCell) throws -> SQLValue {
        guard cell.bytes != nil else { return .null }
        switch cell.dataType {
        case .int2, .int4, .int8: return .int(try cell.decode(Int64.self))
        case .float4, .float8: return .double(try cell.decode(Double.self))
        case .bool: return .int(try cell.decode(Bool.self) ? 1 : 0)
        case .text, .varchar, .name, .bpchar: return .text(try cell.decode(String.self))
        default:
            return (try? cell.decode(String.self)).map(SQLValue.text) ?? .null
        }
    }
}
