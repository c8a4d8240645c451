import Foundation

/// Two independent pieces of work at once: the first on a thread of its own, the second on the
/// caller's. Both results are the same as running them one after the other; with one core they are.
public enum Concurrently {
    public static func both<A: Sendable, B>(
        parallel: Bool = true, _ first: @escaping @Sendable () -> A, _ second: () -> B
    ) -> (A, B) {
        guard parallel, ProcessInfo.processInfo.activeProcessorCount > 1 else { return (first(), second()) }
        let result = Handoff<A>()
        let thread = Thread { result.set(first()) }
        thread.stackSize = 8 << 20
        thread.start()
        let other = second()
        return (result.wait(), other)
    }

    /// The first piece's result, handed from its thread to the caller.
    private final class Handoff<Value: Sendable>: @unchecked Sendable {
        private let done = DispatchSemaphore(value: 0)
        private var value: Value?

        func set(_ value: Value) {
            self.value = value
            done.signal()
        }

        func wait() -> Value {
            done.wait()
            guard let value else { preconditionFailure("the worker signalled without a value") }
            return value
        }
    }
}
