import ArgumentParser
import Kestrel

/// W2 cnn-mnist, batch 128: train (`trainOnBatch`: forward, loss, backward, Adam) 5 warm-up
/// + 5 × 10 steps; infer (`predictOnBatch`) 5 warm-up + 5 × 25 steps.
struct CNNMnistBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cnn-mnist", abstract: "W2: small CNN on 28×28 images (samples/s).")

    @OptionGroup var options: ModelBenchOptions

    @Flag(help: "Build the model with the functional API instead of Sequential (workload cnn-mnist-functional).")
    var functional = false

    func run() throws {
        let (x, y) = PlacedBench.images(batch: 128, classes: 10)
        let makeModel: () throws -> Model = functional ? BenchModels.cnnMNISTFunctional : BenchModels.cnnMNIST
        try ModelBench(workload: functional ? "cnn-mnist-functional" : "cnn-mnist", batch: 128, options: options,
                       makeModel: makeModel, x: x, y: y)
            .run(spec: ["train": (5, 10, 5), "infer": (5, 25, 5)])
    }
}
