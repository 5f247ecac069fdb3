import ArgumentParser
import Kestrel

/// W5 conv-autoencoder, batch 64, target = input: train 5 warm-up + 5 × 30 steps; infer
/// 5 warm-up + 5 × 60 steps.
struct ConvAutoencoderBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "conv-autoencoder",
                                                    abstract: "W5: small convolutional autoencoder (samples/s).")

    @OptionGroup var options: ModelBenchOptions

    func run() throws {
        let (x, _) = PlacedBench.images(batch: 64, classes: 1)
        try ModelBench(workload: "conv-autoencoder", batch: 64, options: options, makeModel: BenchModels.convAutoencoder, x: x, y: x)
            .run(spec: ["train": (5, 30, 5), "infer": (5, 60, 5)])
    }
}
