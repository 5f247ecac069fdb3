import ArgumentParser
import Foundation
import Kestrel

/// Timing of whole-model workloads (W2–W5) under bench_common.py's rules: `warmup`
/// untimed steps, then `repeats` timed blocks of `steps` steps, the noise gate (wait for a
/// quiet machine, discard and redo blocks with > 0.2 cores of foreign CPU), and the vCPU
/// placement probe (`Probes/xcore_latency.c`) before each block and
/// after the last. Emits the reference scripts' JSON line.
enum PlacedBench {
    /// The built placement probe, or nil when it cannot be built.
    static let probe: String? = {
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Probes/xcore_latency.c").path
        let exe = NSTemporaryDirectory() + "xcore_latency_\(getuid())"
        let fm = FileManager.default
        if !fm.fileExists(atPath: exe) {
            guard fm.fileExists(atPath: source), run(["/usr/bin/gcc", "-O2", "-pthread", source, "-o", exe]) != nil else { return nil }
        }
        return exe
    }()

    /// Runs a program and returns its standard output, or nil if it fails.
    static func run(_ arguments: [String]) -> String? {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: arguments[0])
        p.arguments = Array(arguments.dropFirst())
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = FileHandle.nullDevice
        do { try p.run() } catch { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return p.terminationStatus == 0 ? String(decoding: data, as: UTF8.self) : nil
    }

    /// One-way CPU0↔CPU1 cache-line latency in ns.
    static func crossCoreNanoseconds() -> Double? {
        guard let probe, let out = run([probe]) else { return nil }
        return Double(out.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    static func placement(_ ns: Double?) -> String {
        guard let ns else { return "unknown" }
        return ns < 60 ? "same-L3" : ns < 130 ? "near" : "far"
    }

    struct Result {
        var rates: [Double] = [], foreign: [Double] = [], xcore: [Double?] = []
        var clean = true, attempts = 0, discarded = 0, waited = 0.0
    }

    /// Warm-up, then timed blocks with the noise gate and placement probe.
    static func measure(warmup: Int, steps: Int, repeats: Int, batch: Int, gate: Bool, _ step: () throws -> Void) rethrows -> Result {
        for _ in 0..<warmup { try step() }
        var waited = gate ? BenchSupport.waitQuiet() : 0
        var attempts: [(rate: Double, foreign: Double, xcore: Double?)] = []
        var clean = 0
        let maxAttempts = gate ? repeats * BenchSupport.maxAttemptsFactor : repeats
        var before = crossCoreNanoseconds()
        while attempts.count < maxAttempts {
            if gate && attempts.count - clean >= maxAttempts - repeats { break }
            let s0 = BenchSupport.snap()
            for _ in 0..<steps { try step() }
            let s1 = BenchSupport.snap()
            let fr = BenchSupport.foreign(s0, s1)
            let after = crossCoreNanoseconds()
            let xc = before.flatMap { b in after.map { Swift.max(b, $0) } }
            before = after
            attempts.append((Double(steps * batch) / (s1.wall - s0.wall), fr, xc))
            if !gate || fr <= BenchSupport.foreignMax {
                clean += 1
                if clean >= repeats { break }
            } else if waited < BenchSupport.waitBudgetS {
                waited += BenchSupport.waitQuiet(maxWait: Swift.min(BenchSupport.quietWaitS, BenchSupport.waitBudgetS - waited))
            }
        }
        let good = attempts.filter { !gate || $0.foreign <= BenchSupport.foreignMax }
        let kept = good.count >= repeats ? Array(good.prefix(repeats)) : Array(attempts.sorted { $0.foreign < $1.foreign }.prefix(repeats))
        return Result(rates: kept.map(\.rate), foreign: kept.map(\.foreign), xcore: kept.map(\.xcore),
                      clean: good.count >= repeats, attempts: attempts.count, discarded: attempts.count - kept.count, waited: waited)
    }

    /// The reference scripts' JSON line for one (workload, mode) measurement.
    static func emit(workload: String, mode: String, batch: Int, result r: Result, warmup: Int, steps: Int,
                     params: Int, threads: Int) {
        BenchSupport.emit([
            ("framework", "kestrel"), ("workload", workload), ("mode", mode), ("batch", batch),
            ("samples_per_s", BenchSupport.round2(BenchSupport.median(r.rates))),
            ("min", BenchSupport.round2(r.rates.min() ?? .nan)), ("max", BenchSupport.round2(r.rates.max() ?? .nan)),
            ("repeats", r.rates.map(BenchSupport.round2)), ("foreign_cpu", r.foreign.map(BenchSupport.round3)),
            ("clean", r.clean), ("attempts", r.attempts), ("discarded", r.discarded),
            ("waited_s", (r.waited * 10).rounded() / 10),
            ("xcore_ns", r.xcore.map { $0.map { ($0 * 10).rounded() / 10 } ?? .nan }),
            ("placement", r.xcore.map(placement).joined(separator: ",")),
            ("warmup", warmup), ("steps_per_repeat", steps), ("params", params), ("threads", threads),
            ("isa", CPUFeatures.isaName),
        ])
    }

    /// Uniform [0, 1) images (batch, 28, 28, 1) and class ids in 0..<classes, seed 0
    /// (the spec's synthetic data; values do not affect the timing).
    static func images(batch: Int, classes: Int) -> (x: Tensor, labels: Tensor) {
        var g = RandomGenerator(seed: 0)
        let x = Tensor.randomUniform([batch, 28, 28, 1], min: 0, max: 1, generator: &g)
        let labels = Tensor((0..<batch).map { _ in Float(Int.random(in: 0..<classes, using: &g)) })
        return (x, labels)
    }
}

/// What each model benchmark shares: which modes to run, threads and the noise gate.
struct ModelBenchOptions: ParsableArguments {
    @Option(help: "train, infer or both.")
    var mode = "both"

    @Option(help: "Compute threads.")
    var threads = 2

    @Flag(help: "Disable the noise gate (waiting for a quiet machine, discarding disturbed repeats).")
    var noGate = false

    var modes: [String] { mode == "both" ? ["train", "infer"] : [mode] }
}
