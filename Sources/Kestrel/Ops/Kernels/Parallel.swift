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

    static func defaultThreadCount() -> Int {
        if let s = ProcessInfo.processInfo.environment["KESTREL_NUM_THREADS"],
           let v = Int(s.trimmingCharacters(in: .whitespaces)), v >= 1 {
            return v
        }
        return max(1, ProcessInfo.processInfo.activeProcessorCount)
    }
}

/// Fork/join parallel-for over a persistent thread pool.
enum Parallel {
    /// Runs `body(i)` for every i in 0..<count, on up to `threads` threads (the caller is one of
    /// them). Items are handed out dynamically (atomic counter). count <= 1 or threads <= 1 runs
    /// inline without any synchronisation. Nested or concurrent calls (while the pool is busy)
    /// also run inline. Returns when all items are done.
    @inline(__always)
    static func forEach(_ count: Int, threads: Int = Threading.threadCount, _ body: (Int) -> Void) {
        if count <= 0 { return }
        let t = min(count, threads)
        if t <= 1 {
            for i in 0..<count { body(i) }
            return
        }
        ThreadPool.shared.run(count: count, threads: t, body)
    }
}

/// Persistent worker pool behind `Parallel.forEach`. Workers spin (PAUSE) for a short while
/// after each job so that back-to-back small jobs (one per RNN time step) see a fork/join cost
/// of a few microseconds, then sleep on a condition variable so idle threads cost nothing.
final class ThreadPool: @unchecked Sendable {
    static let shared = ThreadPool()

    /// Spin iterations (~20-40 ns each) before a worker goes to sleep: ~0.2-0.5 ms.
    static let spinLimit = 12_000

    // Job publication: `generation` = (sequence << 16) | participants. Written by the submitter
    // after the job fields; workers read it with acquire ordering.
    private let generation = Atomic<Int>(0)
    private let nextIndex = Atomic<Int>(0)
    private let pending = Atomic<Int>(0)
    private let sleepers = Atomic<Int>(0)
    private var jobBody: ((Int) -> Void)? = nil
    private var jobCount = 0
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

    func run(count: Int, threads: Int, _ body: (Int) -> Void) {
        if pthread_mutex_trylock(submitLock) != 0 {
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
            jobBody = esc
            jobCount = count
            nextIndex.store(0, ordering: .relaxed)
            pending.store(helpers, ordering: .relaxed)
            sequence &+= 1
            generation.store((sequence << 16) | helpers, ordering: .sequentiallyConsistent)
            if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
                pthread_mutex_lock(sleepMutex)
                pthread_cond_broadcast(sleepCond)
                pthread_mutex_unlock(sleepMutex)
            }
            drain(esc)
            var spins = 0
            while pending.load(ordering: .acquiring) > 0 {
                spins += 1
                if spins < 1 << 20 { kst_cpu_relax() } else { sched_yield() }
            }
            jobBody = nil
        }
    }

    @inline(__always)
    private func drain(_ body: (Int) -> Void) {
        let n = jobCount
        while true {
            let i = nextIndex.wrappingAdd(1, ordering: .relaxed).oldValue
            if i >= n { break }
            body(i)
        }
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
            let participants = g & 0xFFFF
            if index < participants {
                if let body = jobBody { drain(body) }
                pending.wrappingSubtract(1, ordering: .releasing)
            }
        }
    }
}
