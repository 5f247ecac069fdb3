import ArgumentParser
import Kestrel

/// W2 cnn-mnist, batch 128: train (`trainOnBatch`: forward, loss, backward, Adam) 5 warm-up
/// + 5 × 10 steps; infer (`predictOnBatch`) 5 warm-up + 5 × 25 steps.
struct CNNMnistBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cnn-mnist", abstract: "W2: small CNN on 28×28 images (samples/s).")

    @OptionGroup var options: ModelBenchOptions

    func run() throws {
        Threading.threadCount = options.threads
        let model = try BenchModels.cnnMNIST()
        let (x, y) = PlacedBench.images(batch: 128, classes: 10)
        for mode in options.modes {
            let (warmup, steps) = mode == "train" ? (5, 10) : (5, 25)
            let r = try PlacedBench.measure(warmup: warmup, steps: steps, repeats: 5, batch: 128, gate: !options.noGate) {
                if mode == "train" { try model.trainOnBatch(x: x, y: y) } else { _ = try model.predictOnBatch(x) }
            }
            PlacedBench.emit(workload: "cnn-mnist", mode: mode, batch: 128, result: r, warmup: warmup, steps: steps,
                            params: model.parameterCount, threads: options.threads)
        }
    }
}
