import Foundation

/// When and how long to wait before trying a GET again. POSTs are never retried: a retried
/// "retry job" or "trigger" could start two jobs.
public struct RetryPolicy: Sendable, Hashable {
    /// Attempts after the first.
    public var maxRetries: Int
    /// First backoff delay, in seconds; doubles each time.
    public var baseDelay: Double
    /// No single wait is longer than this, whatever `Retry-After` asks.
    public var maxDelay: Double

    public init(maxRetries: Int = 4, baseDelay: Double = 1, maxDelay: Double = 60) {
        self.maxRetries = max(maxRetries, 0)
        self.baseDelay = max(baseDelay, 0)
        self.maxDelay = max(maxDelay, 0)
    }

    /// Statuses worth another try for an idempotent request.
    public static func isRetryable(status: Int) -> Bool { [429, 502, 503, 504].contains(status) }

    /// Seconds to wait before retry number `attempt` (1-based): `Retry-After` when given, else capped
    /// exponential backoff with "full jitter" (`random` in 0..<1 picks the point in the window).
    public func delay(attempt: Int, retryAfter: Double?, random: Double) -> Double {
        if let retryAfter { return min(max(retryAfter, 0), maxDelay) }
        let window = min(baseDelay * Double(1 << min(max(attempt - 1, 0), 30)), maxDelay)
        return window / 2 + window / 2 * min(max(random, 0), 1)
    }

    /// `Retry-After` as delta-seconds or an HTTP date, in seconds from `now`.
    public static func parseRetryAfter(_ value: String?, now: Double) -> Double? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        if let seconds = Double(value) { return max(seconds, 0) }
        guard let date = HTTPDate.parse(value) else { return nil }
        return max(date - now, 0)
    }
}
