import ArgumentParser
import Kestrel

/// W3 lstm-many-to-one: x (64, 100, 16) ~ N(0, 1), labels in 0..<5; LSTM(128) → Dense(5)
/// logits, sparse cross-entropy; train 3 warm-up / 5 steps × 5 repeats, infer 3 / 20 × 5.
struct LSTMManyToOneBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lstm-many-to-one", abstract: "W3: LSTM(128) classifier over 100 steps (samples/s).")

    @OptionGroup var options: ModelBenchOptions

    func run() throws {
        let (batch, steps, features) = (64, 100, 16)
        let bench = ModelBench(
            workload: "lstm-many-to-one", batch: batch, options: options, makeModel: BenchModels.lstmManyToOne,
            x: Tensor(shape: [batch, steps, features], scalars: BenchSupport.normalFloats(count: batch * steps * features, seed: 1)),
            y: Tensor(ModelBench.labels(count: batch, classes: 5, seed: 2)))
        try bench.run(spec: ["train": (3, 5, 5), "infer": (3, 20, 5)])
    }
}
