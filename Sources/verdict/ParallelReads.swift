import Foundation

/// Reads small inputs on worker threads ahead of the caller, who takes their results in input
/// order. Large inputs and standard input are left to the caller (streamed, never buffered whole).
final class ParallelReads: @unchecked Sendable {
    private final class Slot: @unchecked Sendable {
        let done = DispatchSemaphore(value: 0)
        var events: [InputLoader.Event] = []
    }

    private var slots: [Int: Slot] = [:]

    init(
        inputs: [InputSource], jobs: Int,
        work: @escaping @Sendable (InputSource, Int) -> [InputLoader.Event]
    ) {
        guard jobs > 1, inputs.count > 1 else { return }
        var eligible: [Int] = []
        for (index, input) in inputs.enumerated() {
            guard case .file(let path) = input.location,
                let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int,
                size <= InputLoader.parallelSizeLimit
            else { continue }
            eligible.append(index)
            slots[index] = Slot()
        }
        guard eligible.count > 1 else {
            slots = [:]
            return
        }
        // `jobs` threads of their own, taking inputs in order. Not Dispatch's global queues: the
        // caller blocks a Swift concurrency thread while it waits, and on a 2-core machine those
        // queues would then run one read at a time.
        let next = NextIndex(eligible)
        let slots = self.slots
        for _ in 0..<min(jobs, eligible.count) {
            let thread = Thread {
                while let index = next.take() {
                    guard let slot = slots[index] else { continue }
                    slot.events = work(inputs[index], index)
                    slot.done.signal()
                }
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    /// Hands out the eligible input indexes, in order, to whichever thread asks.
    private final class NextIndex: @unchecked Sendable {
        private let lock = NSLock()
        private var remaining: ArraySlice<Int>

        init(_ indexes: [Int]) { remaining = indexes[...] }

        func take() -> Int? {
            lock.withLock { remaining.popFirst() }
        }
    }

    /// The events of input `index` when a worker read it (waiting for it), else nil.
    func take(_ index: Int) -> [InputLoader.Event]? {
        guard let slot = slots[index] else { return nil }
        slot.done.wait()
        slots[index] = nil
        let events = slot.events
        slot.events = []
        return events
    }
}
