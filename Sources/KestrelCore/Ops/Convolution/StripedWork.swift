/// Splits items 0..<count over workers in a fixed pattern: worker w takes items w,
/// w + workers, w + 2·workers, … in order. Used where each worker keeps its own partial sums
/// (weight gradients): with a fixed partition and the partials added in worker order, the
/// same inputs give bit-identical gradients on every run at a given thread count.
package enum StripedWork {
    /// Runs `body(worker, item)` for every item on up to `threads` workers; returns the
    /// number of workers used (worker ids are 0..<that).
    @discardableResult
    package static func run(items: Int, threads: Int = Threading.threadCount, _ body: (Int, Int) -> Void) -> Int {
        let workers = Swift.max(1, Swift.min(items, threads))
        Parallel.forEach(workers, threads: workers) { w in
            for i in stride(from: w, to: items, by: workers) { body(w, i) }
        }
        return workers
    }
}
