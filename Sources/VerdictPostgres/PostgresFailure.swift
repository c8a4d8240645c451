import Foundation
import PostgresNIO
import VerdictHistory

/// What went wrong talking to PostgreSQL, said so that a user can act on it. Built only from the
/// server's message and the location's display form: never the password, never the driver's dump.
struct PostgresFailure {
    var historyError: HistoryError
    /// The connection could not be made or was lost: trying again on a new one may work.
    var isConnectionLevel: Bool
    /// SQLSTATE 40P01 (deadlock) or 40001 (serialization failure): the transaction may simply be run again.
    var isTransient: Bool

    init(_ error: any Error, location: PostgresLocation, operation: String, attempts: Int = 1) {
        var error = error
        if let transaction = error as? PostgresTransactionError {
            error = transaction.closureError ?? transaction.beginError ?? transaction.commitError ?? error
        }
        isConnectionLevel = false
        isTransient = false
        let place = "\(location.display)"
        guard let psql = error as? PSQLError else {
            if let history = error as? HistoryError {
                historyError = history
            } else {
                historyError = .failed(operation: operation, reason: Self.describe(error))
            }
            return
        }
        switch psql.code {
        case .server:
            let state = psql.serverInfo?[.sqlState] ?? ""
            let message = psql.serverInfo?[.message] ?? "no message"
            switch state {
            case "28P01", "28000":
                historyError = .unreachable(
                    location: place,
                    reason: "authentication failed for user \(location.user) (\(message)); the password came from "
                        + "\(location.passwordSource): check it, or PGPASSWORD / ~/.pgpass, and the server's pg_hba.conf"
                )
            case "3D000":
                historyError = .unreachable(
                    location: place,
                    reason: "the database \(location.database) does not exist: create it first (see README)")
            case "42501":
                historyError = .failed(
                    operation: operation,
                    reason:
                        "permission denied (\(message)): the role \(location.user) needs CREATE on the database, or "
                        + "an administrator runs `CREATE SCHEMA \(location.schema) AUTHORIZATION \(location.user)` (see README)"
                )
            case "57014":
                historyError = .failed(
                    operation: operation,
                    reason: "the server cancelled the statement (\(message)): statement_timeout is "
                        + "\(location.statementTimeout) ms")
            case "53300", "57P01", "57P02", "57P03":
                isConnectionLevel = true
                historyError = .unreachable(location: place, reason: "\(message) (SQLSTATE \(state))")
            default:
                isTransient = state == "40P01" || state == "40001"
                historyError = .failed(operation: operation, reason: "\(message) (SQLSTATE \(state))")
            }
        case .authMechanismRequiresPassword:
            historyError = .unreachable(
                location: place,
                reason: "the server asks for a password and none was given: put it in the URL, PGPASSWORD or ~/.pgpass")
        case .sslUnsupported:
            historyError = .unreachable(
                location: place,
                reason: "the server does not offer TLS, and sslmode=\(location.sslMode.rawValue) requires it")
        case .connectionError:
            isConnectionLevel = true
            var underlying = psql.underlying.map(Self.describe) ?? "unknown reason"
            if underlying.lowercased().contains("timeout") || underlying.contains("timed out") {
                underlying = "no answer within \(location.connectTimeout) s (connect_timeout)"
            }
            if attempts > 1 { underlying += ", \(attempts) attempts" }
            historyError = .unreachable(
                location: place,
                reason: "could not connect to \(location.host):\(location.port): \(underlying); is PostgreSQL running "
                    + "and accepting TCP connections there?")
        case .serverClosedConnection, .clientClosedConnection, .uncleanShutdown:
            isConnectionLevel = true
            historyError = .unreachable(location: place, reason: "the connection was closed while \(operation)")
        case .unsupportedAuthMechanism:
            historyError = .unreachable(
                location: place,
                reason: "the server asks for an authentication method Verdict does not support; "
                    + "use scram-sha-256 or md5 in pg_hba.conf")
        case .saslError:
            historyError = .unreachable(
                location: place, reason: "authentication failed for user \(location.user) (SCRAM): check the password")
        case .failedToAddSSLHandler:
            historyError = .unreachable(
                location: place, reason: "TLS setup failed: \(psql.underlying.map(Self.describe) ?? "-")")
        default:
            historyError = .failed(operation: operation, reason: "\(psql.code)")
        }
    }

    /// A driver error in words, without the driver's generic "Database error" text.
    static func describe(_ error: any Error) -> String {
        if let io = error as? IOError { return Self.errno(io.errnoCode) }
        let text = String(describing: error)
        if text.contains("connectTimeout") || text.contains("ConnectTimeout") { return "timed out" }
        if text.contains("Connection refused") { return "connection refused" }
        if let error = error as? NIOConnectionError, let first = error.connectionErrors.first {
            return describe(first.error)
        }
        return text
    }

    private static func errno(_ code: Int32) -> String {
        switch code {
        case ECONNREFUSED: "connection refused"
        case ETIMEDOUT: "timed out"
        case EHOSTUNREACH: "host unreachable"
        case ENETUNREACH: "network unreachable"
        default: String(cString: strerror(code))
        }
    }
}
