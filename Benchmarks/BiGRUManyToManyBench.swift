import ArgumentParser
import Kestrel

/// W4 bigru-many-to-many: x (32, 64, 32) and targets (32, 64, 8) ~ N(0, 1);
/// Bidirectional(GRU(64, returnSequences), concat) → TimeDistributed(Dense(8)), MSE;
/// train 3 warm-up / 8 steps × 5 repeats, infer 3 / 25 × 5.
struct BiGRUManyToManyBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bigru-many-to-many", abstract: "W4: bidirectional GRU(64) sequence regression over 64 steps (samples/s).")

    @OptionGroup var options: ModelBenchOptions

    func run() throws {
        let (batch, steps, features, outputs) = (32, 64, 32, 8)
        let bench = ModelBench(
            workload: "bigru-many-to-many", batch: batch, options: options, makeModel: BenchModels.biGRUManyToMany,
            x: Tensor(shape: [batch, steps, features], scalars: BenchSupport.normalFloats(count: batch * steps * features, seed: 1)),
            y: Tensor(shape: [batch, steps, outputs], scalars: BenchSupport.normalFloats(count: batch * steps * outputs, seed: 2)))
        try bench.run(spec: ["train": (3, 8, 5), "infer": (3, 25, 5)])
    }
}
