/// Runs items 0..<count in a fixed number of contiguous groups (four per thread). Workers
/// claim whole groups as they become free (`Parallel.forEach` hands them out), so a
/// descheduled worker does not hold up the others, and each group's items run in order on
/// one thread. Callers keep one partial sum
/// per group (weight gradients) and add the groups' partials in group order, so the same
/// inputs give bit-identical results on every run at a given thread count, whichever thread
/// ran which group.
package enum GroupedWork {
    /// How many groups `run` makes of `items` at `threads` threads (the partial slots needed).
    package static func groups(items: Int, threads: Int = Threading.threadCount) -> Int {
        Swift.max(1, Swift.min(items, 4 * threads))
    }

    /// Runs `body(group, item)` for every item; `group` is in 0..<groups(items:threads:) and
    /// no two threads run items of the same group at once.
    package static func run(items: Int, threads: Int = Threading.threadCount, _ body: (_ group: Int, _ item: Int) -> Void) {
        let groups = groups(items: items, threads: threads)
        Parallel.forEach(groups, threads: threads) { group in
            for item in (items * group / groups)..<(items * (group + 1) / groups) { body(group, item) }
        }
    }
}
