import ArgumentParser
import Kestrel

/// ConvLSTM2D(16, 3×3, same) over 10 frames of 16×16×1 (SequenceBlockModels.convLSTM):
/// x (16, 10, 16, 16, 1) uniform in [0, 1) and 10-class labels; train 3 warm-up /
/// 5 steps × 5 repeats, infer 3 / 10 × 5.
struct ConvLSTMBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convlstm2d", abstract: "ConvLSTM2D(16, 3×3, same) over 10 frames of 16×16 (samples/s).")

    @OptionGroup var options: ModelBenchOptions

    func run() throws {
        let (batch, steps, side) = (16, 10, 16)
        var g = RandomGenerator(seed: 1)
        let bench = ModelBench(
            workload: "convlstm2d", batch: batch, options: options,
            makeModel: { try SequenceBlockModels.convLSTM(steps: steps, side: side, filters: 16, classes: 10) },
            x: Tensor.randomUniform([batch, steps, side, side, 1], min: 0, max: 1, generator: &g),
            y: Tensor(ModelBench.labels(count: batch, classes: 10, seed: 2)))
        try bench.run(spec: ["train": (3, 5, 5), "infer": (3, 10, 5)])
    }
}
