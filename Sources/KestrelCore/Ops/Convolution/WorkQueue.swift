import Synchronization

/// Hands out the items 0..<count one at a time to whichever worker asks next, so a worker
/// that is descheduled on a busy machine does not hold up the others. Used where each
/// worker keeps its own partial sums (weight gradients) and items must not be bound to a
/// fixed thread.
package final class WorkQueue: Sendable {
    private let next = Atomic<Int>(0)
    package let count: Int

    package init(count: Int) { self.count = count }

    /// The next unclaimed item, or nil when all are taken.
    @inline(__always)
    package func claim() -> Int? {
        let i = next.wrappingAdd(1, ordering: .relaxed).oldValue
        return i < count ? i : nil
    }

    /// Runs `body(worker, item)` for every item on up to `threads` workers; returns the
    /// number of workers used (worker ids are 0..<that).
    @discardableResult
    package static func run(items: Int, threads: Int = Threading.threadCount, _ body: (Int, Int) -> Void) -> Int {
        let workers = Swift.max(1, Swift.min(items, threads))
        let queue = WorkQueue(count: items)
        Parallel.forEach(workers, threads: workers) { w in
            while let i = queue.claim() { body(w, i) }
        }
        return workers
    }
}
