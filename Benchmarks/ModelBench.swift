import Foundation
import Kestrel

/// Shared harness of the model workloads (WORKLOADS.md W2–W5): one fixed batch reused every
/// step, `warmup` untimed steps, then `repeats` noise-gated blocks of `steps` steps with the
/// placement probe (PlacedBench); train is `trainOnBatch`, infer `predictOnBatch`; samples/s
/// per block, median reported, one JSON line per mode.
struct ModelBench {
    let workload: String
    let batch: Int
    let options: ModelBenchOptions
    /// Builds the compiled model (BenchModels), after the thread count is set.
    let makeModel: () throws -> Model
    let x: Tensor
    let y: Tensor

    /// (warm-up steps, steps per repeat, repeats) per mode.
    func run(spec: [String: (warmup: Int, steps: Int, repeats: Int)]) throws {
        Threading.threadCount = options.threads
        GlobalRandom.setSeed(0)
        let model = try makeModel()
        for mode in options.modes {
            guard let s = spec[mode] else { continue }
            let step: () throws -> Void = mode == "train"
                ? { _ = try model.trainOnBatch(x: x, y: y) }
                : { _ = try model.predictOnBatch(x) }
            let r = try PlacedBench.measure(warmup: s.warmup, steps: s.steps, repeats: s.repeats, batch: batch,
                                            gate: !options.noGate, step)
            PlacedBench.emit(workload: workload, mode: mode, batch: batch, result: r, warmup: s.warmup, steps: s.steps,
                             params: model.parameterCount, threads: options.threads)
        }
    }

    /// Class ids uniform in 0..<classes from a fixed seed.
    static func labels(count: Int, classes: Int, seed: UInt64) -> [Float] {
        var g = RandomGenerator(seed: seed)
        return (0..<count).map { _ in Float(g.nextIndex(below: classes)) }
    }
}
