import Foundation
import VerdictCore

/// Reads one large input on a thread of its own while the caller handles what it has read so far:
/// parsing on one core, counting and rendering on the other. Events reach the caller in batches, in
/// the order they were read, so every output is the same as reading on the calling thread.
enum PipelinedRead {
    /// Events per batch: large enough that handing a batch over costs nothing measurable, small
    /// enough that the batches in flight stay a few MB.
    static let batchSize = 1024
    /// A batch is also handed over once its records hold this many bytes of text (failure texts
    /// and output), so the batches in flight stay small whatever the records carry.
    static let batchTextBytes = 1 << 20
    /// Batches in flight at most; the reader waits when the caller falls behind.
    static let depth = 16

    static func run(
        _ read: @escaping @Sendable (_ emit: @escaping (InputLoader.Event) -> Void) -> Void,
        deliver: (InputLoader.Event) -> Void
    ) {
        let channel = Channel(depth: depth)
        let thread = Thread {
            var batch: [InputLoader.Event] = []
            var textBytes = 0
            batch.reserveCapacity(batchSize)
            read { event in
                batch.append(event)
                if case .record(let record) = event { textBytes += record.textBytes }
                if batch.count >= batchSize || textBytes >= batchTextBytes {
                    channel.put(batch)
                    batch.removeAll(keepingCapacity: true)
                    textBytes = 0
                }
            }
            if !batch.isEmpty { channel.put(batch) }
            channel.close()
        }
        thread.stackSize = 8 << 20
        thread.start()
        while let batch = channel.take() {
            for event in batch { deliver(event) }
        }
    }

    /// A bounded first-in first-out queue of batches between one reader and one caller.
    private final class Channel: @unchecked Sendable {
        private let condition = NSCondition()
        /// At most `depth` batches, so taking from the front costs nothing worth counting.
        private var batches: [[InputLoader.Event]] = []
        private var closed = false
        private let depth: Int

        init(depth: Int) { self.depth = depth }

        func put(_ batch: [InputLoader.Event]) {
            condition.lock()
            while batches.count >= depth { condition.wait() }
            batches.append(batch)
            condition.broadcast()
            condition.unlock()
        }

        func close() {
            condition.lock()
            closed = true
            condition.broadcast()
            condition.unlock()
        }

        /// The next batch, waiting for it; nil once the reader has finished and everything was taken.
        func take() -> [InputLoader.Event]? {
            condition.lock()
            defer { condition.unlock() }
            while batches.isEmpty && !closed { condition.wait() }
            guard !batches.isEmpty else { return nil }
            condition.broadcast()
            return batches.removeFirst()
        }
    }
}

extension TestRecord {
    /// The bytes of the record's longer texts (result elements and output).
    fileprivate var textBytes: Int {
        var total = (systemOut?.utf8.count ?? 0) + (systemErr?.utf8.count ?? 0)
        for detail in details { total += (detail.text?.utf8.count ?? 0) + (detail.message?.utf8.count ?? 0) }
        return total
    }
}
