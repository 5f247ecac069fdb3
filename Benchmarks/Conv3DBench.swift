import ArgumentParser
import Kestrel

/// A small volumetric classifier, Conv3D(8, 3, same, relu) → MaxPooling3D(2) →
/// Conv3D(16, 3, same, relu) → GlobalAveragePooling3D → Dense(10), on x (8, 12, 16, 16, 1)
/// uniform in [0, 1) with 10-class labels: the 3-D convolution forward and backward
/// (vol2col + SGEMM). Train 3 warm-up / 5 steps × 5 repeats, infer 3 / 10 × 5.
/// Benchmarks/reference/conv3d_block.py times the same model in torch and Keras.
struct Conv3DBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conv3d", abstract: "Two Conv3D layers over 12×16×16 volumes (samples/s).")

    @OptionGroup var options: ModelBenchOptions

    func run() throws {
        let (batch, depth, side) = (8, 12, 16)
        var g = RandomGenerator(seed: 1)
        let bench = ModelBench(
            workload: "conv3d", batch: batch, options: options,
            makeModel: {
                let model = try Sequential {
                    Input(shape: [depth, side, side, 1])
                    Conv3D(8, kernelSize: 3, padding: .same, activation: .relu)
                    MaxPooling3D(2)
                    Conv3D(16, kernelSize: 3, padding: .same, activation: .relu)
                    GlobalAveragePooling3D()
                    Dense(10)
                }
                try model.compile(optimizer: Adam(learningRate: 1e-3, epsilon: 1e-7), loss: SparseCategoricalCrossentropy(fromLogits: true))
                return model
            },
            x: Tensor.randomUniform([batch, depth, side, side, 1], min: 0, max: 1, generator: &g),
            y: Tensor(ModelBench.labels(count: batch, classes: 10, seed: 2)))
        try bench.run(spec: ["train": (3, 5, 5), "infer": (3, 10, 5)])
    }
}
