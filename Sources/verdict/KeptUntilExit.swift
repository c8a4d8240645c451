import Foundation

/// Large values a command is done with just before the process exits: freeing millions of
/// entries one by one takes longer than the exit, which hands all memory back at once. Kept only
/// by commands that exit right after (`compare`).
enum KeptUntilExit {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var values: [Any] = []

    static func keep(_ values: Any...) {
        lock.withLock { Self.values.append(contentsOf: values) }
    }
}
