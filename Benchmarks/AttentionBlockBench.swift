import ArgumentParser
import Kestrel

/// A MultiHeadAttention block (SequenceBlockModels.attentionBlock): x (32, 64, 128) ~ N(0, 1)
/// and 10-class labels; train 3 warm-up / 5 steps × 5 repeats, infer 3 / 20 × 5.
struct AttentionBlockBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mha-block", abstract: "MultiHeadAttention(8×16) + Add + LayerNormalization over 64 steps of 128 (samples/s).")

    @OptionGroup var options: ModelBenchOptions

    func run() throws {
        let (batch, steps, features) = (32, 64, 128)
        let bench = ModelBench(
            workload: "mha-block", batch: batch, options: options,
            makeModel: { try SequenceBlockModels.attentionBlock(steps: steps, features: features, heads: 8, classes: 10) },
            x: Tensor(shape: [batch, steps, features], scalars: BenchSupport.normalFloats(count: batch * steps * features, seed: 1)),
            y: Tensor(ModelBench.labels(count: batch, classes: 10, seed: 2)))
        try bench.run(spec: ["train": (3, 5, 5), "infer": (3, 20, 5)])
    }
}
