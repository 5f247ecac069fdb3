import ArgumentParser
import Kestrel

/// W5 conv-autoencoder, batch 64, target = input: train 5 warm-up + 5 × 30 steps; infer
/// 5 warm-up + 5 × 60 steps.
struct ConvAutoencoderBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "conv-autoencoder",
                                                    abstract: "W5: small convolutional autoencoder (samples/s).")

    @OptionGroup var options: ModelBenchOptions

    func run() throws {
        Threading.threadCount = options.threads
        let model = try BenchModels.convAutoencoder()
        let (x, _) = PlacedBench.images(batch: 64, classes: 1)
        for mode in options.modes {
            let (warmup, steps) = mode == "train" ? (5, 30) : (5, 60)
            let r = try PlacedBench.measure(warmup: warmup, steps: steps, repeats: 5, batch: 64, gate: !options.noGate) {
                if mode == "train" { try model.trainOnBatch(x: x, y: x) } else { _ = try model.predictOnBatch(x) }
            }
            PlacedBench.emit(workload: "conv-autoencoder", mode: mode, batch: 64, result: r, warmup: warmup, steps: steps,
                            params: model.parameterCount, threads: options.threads)
        }
    }
}
