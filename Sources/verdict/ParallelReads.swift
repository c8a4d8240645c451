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
        // At most `jobs` reads at a time; the caller blocks only on the one it needs next.
        let limit = DispatchSemaphore(value: jobs)
        let queue = DispatchQueue(label: "verdict.read", attributes: .concurrent)
        let slots = self.slots
        let order = eligible
        DispatchQueue.global().async {
            for index in order {
                guard let slot = slots[index] else { continue }
                limit.wait()
                queue.async {
                    slot.events = work(inputs[index], index)
                    slot.done.signal()
                    limit.signal()
                }
            }
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
