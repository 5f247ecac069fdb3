import CKestrelKernels
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Global compute-thread setting for Kestrel's kernels (GEMM, element-wise maps, and any
/// layer that uses `Parallel.forEach`). Defaults to `KESTREL_NUM_THREADS` if set, else the
/// number of active cores. 1 means everything runs inline on the calling thread.
public enum Threading {
    private static let _count = Atomic<Int>(Threading.defaultThreadCount())

    /// Number of threads (including the caller) that parallel kernels may use; >= 1.
    public static var threadCount: Int {
        get { _count.load(ordering: .relaxed) }
        set { _count.store(max(1, newValue), ordering: .relaxed) }
    }

    package static func defaultThreadCount() -> Int {
        if let s = ProcessInfo.processInfo.environment["KESTREL_NUM_THREADS"],
           let v = Int(s.trimmingCharacters(in: .whitespaces)), v >= 1 {
            return v
        }
        return max(1, ProcessInfo.processInfo.activeProcessorCount)
    }
}

/// Fork/join parallel-for over a persistent thread pool.
package enum Parallel {
    /// Runs `body(i)` for every i in 0..<count, on up to `threads` threads (the caller is one of
    /// them). Items are handed out dynamically (atomic counter). count <= 1 or threads <= 1 runs
    /// inline without any synchronisation. Nested or concurrent calls (while the pool is busy)
    /// also run inline. Returns when all items are done.
    @inline(__always)
    package static func forEach(_ count: Int, threads: Int = Threading.threadCount, _ body: (Int) -> Void) {
        if count <= 0 { return }
        let t = min(count, threads)
        if t <= 1 {
            for i in 0..<count { body(i) }
            return
        }
        ThreadPool.shared.run(count: count, threads: t, body)
    }

    /// How many blocks of `size` items `forEachBlock` makes of `count` items.
    package static func blockCount(_ count: Int, size: Int) -> Int {
        (count + Swift.max(size, 1) - 1) / Swift.max(size, 1)
    }

    /// Runs `body(block, items)` over consecutive blocks of `size` items of 0..<count. The
    /// blocks do not depend on the thread count, so per-block partial sums added in block
    /// order give the same bits at any thread count.
    @inline(__always)
    package static func forEachBlock(_ count: Int, size: Int, _ body: (Int, Range<Int>) -> Void) {
        let size = Swift.max(size, 1)
        forEach(blockCount(count, size: size)) { b in body(b, (b * size)..<Swift.min(count, (b + 1) * size)) }
    }
}

/// Persistent worker pool behind `Parallel.forEach`. Workers spin (PAUSE) for a short while
/// after each job so that back-to-back small jobs (one per RNN time step) see a fork/join cost
/// of about a microsecond, then sleep on a condition variable so idle threads cost nothing.
/// Items are claimed with a CAS on (sequence, next index) and the submitter waits only for
/// completed items, never for a particular worker: if a worker is descheduled (the machine
/// is busy) the submitter runs its items itself instead of waiting for it to wake up.
package final class ThreadPool: @unchecked Sendable {
    package static let shared = ThreadPool()

    /// Spin iterations (PAUSE, ~10-40 ns each) before an idle worker goes to sleep.
    package static let spinLimit = 20_000

    // Wake-up word: (sequence << 16) | participating helpers. Written last when posting a job.
    private let generation = Atomic<Int>(0)
    // Claim word: (sequence << 32) | next item index.
    private let claim = Atomic<Int>(0)
    private let completed = Atomic<Int>(0)
    private let sleepers = Atomic<Int>(0)
    private var jobBody: ((Int) -> Void)? = nil
    private let jobCount = Atomic<Int>(0)
    private var sequence = 0
    private var workerCount = 0                 // guarded by submitLock

    private let submitLock: UnsafeMutablePointer<pthread_mutex_t>
    private let sleepMutex: UnsafeMutablePointer<pthread_mutex_t>
    private let sleepCond: UnsafeMutablePointer<pthread_cond_t>

    private init() {
        submitLock = .allocate(capacity: 1)
        sleepMutex = .allocate(capacity: 1)
        sleepCond = .allocate(capacity: 1)
        pthread_mutex_init(submitLock, nil)
        pthread_mutex_init(sleepMutex, nil)
        pthread_cond_init(sleepCond, nil)
    }

    package func run(count: Int, threads: Int, _ body: (Int) -> Void) {
        if count >= 1 << 31 || pthread_mutex_trylock(submitLock) != 0 {
            // Pool busy (nested call from a worker, or another thread's job): run inline.
            for i in 0..<count { body(i) }
            return
        }
        defer { pthread_mutex_unlock(submitLock) }
        let helpers = min(threads - 1, 0xFFFF)
        if workerCount < helpers {
            // New workers start from the current generation so they take part in this job.
            let current = generation.load(ordering: .relaxed)
            while workerCount < helpers { spawnWorker(index: workerCount, seen: current); workerCount += 1 }
        }
        withoutActuallyEscaping(body) { esc in
            sequence = (sequence + 1) & 0x7FFF_FFFF
            let seq = sequence
            jobBody = esc
            jobCount.store(count, ordering: .relaxed)
            completed.store(0, ordering: .relaxed)
            claim.store(seq << 32, ordering: .releasing)
            generation.store((seq << 16) | helpers, ordering: .sequentiallyConsistent)
            if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
                pthread_mutex_lock(sleepMutex)
                pthread_cond_broadcast(sleepCond)
                pthread_mutex_unlock(sleepMutex)
            }
            work(seq: seq, body: esc)
            var spins = 0
            while completed.load(ordering: .acquiring) < count {
                spins += 1
                if spins < 1 << 16 { kst_cpu_relax() } else { sched_yield() }
            }
            jobBody = nil
        }
    }

    /// Claims and runs items of job `seq` until none are left (or the job is over).
    @inline(__always)
    private func work(seq: Int, body: ((Int) -> Void)?) {
        var s = claim.load(ordering: .relaxed)
        while true {
            if s >> 32 != seq { return }
            let idx = s & 0xFFFF_FFFF
            if idx >= jobCount.load(ordering: .relaxed) { return }
            let (exchanged, original) = claim.compareExchange(expected: s, desired: s + 1,
                                                              ordering: .acquiringAndReleasing)
            if !exchanged { s = original; continue }
            // Item idx of job seq is ours: the job cannot finish (nor its fields change)
            // before we count it as completed.
            if let body { body(idx) } else { runPublished(idx) }
            completed.wrappingAdd(1, ordering: .releasing)
            s = claim.load(ordering: .relaxed)
        }
    }

    /// Runs item idx of the published job. Not inlined so that the worker's reference to the
    /// closure is released before the item is counted as completed (the submitter's
    /// `withoutActuallyEscaping` checks that nobody holds it afterwards).
    @inline(never)
    private func runPublished(_ idx: Int) {
        jobBody.unsafelyUnwrapped(idx)
    }

    private func spawnWorker(index: Int, seen: Int) {
        let t = Thread { [unowned self] in self.workerLoop(index: index, seen: seen) }
        t.name = "kestrel-worker-\(index + 1)"
        t.stackSize = 1 << 20
        t.start()
    }

    private func workerLoop(index: Int, seen initial: Int) {
        var seen = initial
        while true {
            var g = generation.load(ordering: .acquiring)
            var spins = 0
            while g == seen {
                if spins < ThreadPool.spinLimit {
                    kst_cpu_relax()
                    spins += 1
                } else {
                    pthread_mutex_lock(sleepMutex)
                    sleepers.wrappingAdd(1, ordering: .sequentiallyConsistent)
                    while generation.load(ordering: .sequentiallyConsistent) == seen {
                        pthread_cond_wait(sleepCond, sleepMutex)
                    }
                    sleepers.wrappingSubtract(1, ordering: .sequentiallyConsistent)
                    pthread_mutex_unlock(sleepMutex)
                }
                g = generation.load(ordering: .acquiring)
            }
            seen = g
            if index < g & 0xFFFF { work(seq: g >> 16, body: nil) }
        }
    }
}
