import ArgumentParser
import Foundation
import Kestrel

/// W1 gemm: C = A * B, square n x n float32, C preallocated; per size 2 warm-up calls, then
/// `repeats` timed blocks of `calls` calls; GFLOP/s = calls * 2n^3 / elapsed / 1e9 per block,
/// median reported (WORKLOADS.md, bench_common.GEMM_SIZES).
struct GemmBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gemm", abstract: "W1: square SGEMM throughput (GFLOP/s).")

    /// (calls per repeat, repeats) per size, as in bench_common.GEMM_SIZES.
    static let spec: [Int: (calls: Int, repeats: Int)] = [256: (400, 7), 512: (100, 7), 1024: (20, 7), 2048: (4, 7)]
    static let warmup = 2

    @Option(help: "Compute threads.")
    var threads: Int = 2

    @Option(help: "Comma-separated matrix sizes.")
    var sizes: String = "256,512,1024,2048"

    @Option(help: "Override calls per repeat (default: per-size spec).")
    var calls: Int?

    @Option(help: "Override the number of repeats (default 7).")
    var repeats: Int?

    @Flag(help: "Disable the noise gate (waiting for a quiet machine, discarding disturbed repeats).")
    var noGate = false

    @Option(help: "Noise gate: max seconds to wait for quiet before a repeat (bench_common: 30).")
    var quietWait: Double = 30

    @Option(help: "Noise gate: max seconds of waiting per size (bench_common: 120).")
    var waitBudget: Double = 120

    func run() throws {
        Threading.threadCount = threads
        BenchSupport.quietWaitS = quietWait
        BenchSupport.waitBudgetS = waitBudget
        let list = sizes.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        for n in list {
            let s = GemmBench.spec[n] ?? (calls: max(1, Int(4e9 / (2 * pow(Double(n), 3)))), repeats: 7)
            let nCalls = calls ?? s.calls, nRepeats = repeats ?? s.repeats
            let a = BenchSupport.normalFloats(count: n * n, seed: 1)
            let b = BenchSupport.normalFloats(count: n * n, seed: 2)
            let c = UnsafeMutablePointer<Float>.allocate(capacity: n * n)
            c.initialize(repeating: 0, count: n * n)
            defer { c.deallocate() }
            var r = BenchSupport.Repeats(rates: [], foreign: [], clean: true, attempts: 0, discarded: 0, waited: 0)
            a.withUnsafeBufferPointer { ap in
                b.withUnsafeBufferPointer { bp in
                    let pa = ap.baseAddress!, pb = bp.baseAddress!
                    func call() {
                        Gemm.sgemm(transA: false, transB: false, m: n, n: n, k: n, alpha: 1,
                                   a: pa, lda: n, b: pb, ldb: n, beta: 0, c: c, ldc: n)
                    }
                    for _ in 0..<GemmBench.warmup { call() }
                    r = BenchSupport.timedRepeats(repeats: nRepeats, units: Double(nCalls) * 2 * pow(Double(n), 3) / 1e9,
                                                  gate: !noGate) {
                        for _ in 0..<nCalls { call() }
                    }
                }
            }
            let rates = r.rates
            BenchSupport.emit([
                ("framework", "kestrel"), ("workload", "gemm"), ("n", n),
                ("gflops", BenchSupport.round2(BenchSupport.median(rates))),
                ("min", BenchSupport.round2(rates.min() ?? .nan)),
                ("max", BenchSupport.round2(rates.max() ?? .nan)),
                ("repeats", rates.map(BenchSupport.round2)),
                ("foreign_cpu", r.foreign.map(BenchSupport.round3)), ("clean", r.clean),
                ("attempts", r.attempts), ("discarded", r.discarded), ("waited_s", (r.waited * 10).rounded() / 10),
                ("calls_per_repeat", nCalls), ("threads", threads), ("isa", CPUFeatures.isaName),
            ])
        }
    }
}
