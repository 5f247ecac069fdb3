import Foundation
import Kestrel

/// Shared harness of the model workloads (WORKLOADS.md W2–W5): Adam(1e-3, ε 1e-7), one
/// fixed batch reused every step, `warmup` untimed steps, then `repeats` noise-gated blocks
/// of `steps` steps; samples/s per block, median reported, one JSON line per mode.
struct ModelBench {
    let workload: String
    let batch: Int
    let threads: Int
    let gate: Bool
    let makeModel: () -> Sequential
    let loss: any Loss
    let x: Tensor
    let y: Tensor

    /// (warm-up steps, steps per repeat, repeats) per mode.
    func run(modes: [String], spec: [String: (warmup: Int, steps: Int, repeats: Int)]) throws {
        Threading.threadCount = threads
        GlobalRandom.setSeed(0)
        let model = makeModel()
        try model.compile(optimizer: Adam(learningRate: 1e-3, epsilon: 1e-7), loss: loss)
        for mode in modes {
            guard let s = spec[mode] else { continue }
            let step: () throws -> Void = mode == "train"
                ? { _ = try model.trainOnBatch(x: x, y: y) }
                : { _ = try model.predict(x, batchSize: batch) }
            for _ in 0..<s.warmup { try step() }
            var failure: Error?
            let r = BenchSupport.timedRepeats(repeats: s.repeats, units: Double(s.steps * batch), gate: gate) {
                do { for _ in 0..<s.steps { try step() } } catch { failure = error }
            }
            if let failure { throw failure }
            BenchSupport.emit([
                ("framework", "kestrel"), ("workload", workload), ("mode", mode), ("batch", batch),
                ("samples_per_s", BenchSupport.round2(BenchSupport.median(r.rates))),
                ("min", BenchSupport.round2(r.rates.min() ?? .nan)), ("max", BenchSupport.round2(r.rates.max() ?? .nan)),
                ("repeats", r.rates.map(BenchSupport.round2)), ("foreign_cpu", r.foreign.map(BenchSupport.round3)),
                ("clean", r.clean), ("attempts", r.attempts), ("discarded", r.discarded),
                ("waited_s", (r.waited * 10).rounded() / 10), ("params", model.parameterCount),
                ("threads", threads), ("isa", CPUFeatures.isaName),
            ])
        }
    }

    /// Class ids uniform in 0..<classes from a fixed seed.
    static func labels(count: Int, classes: Int, seed: UInt64) -> [Float] {
        var g = RandomGenerator(seed: seed)
        return (0..<count).map { _ in Float(g.nextIndex(below: classes)) }
    }
}
