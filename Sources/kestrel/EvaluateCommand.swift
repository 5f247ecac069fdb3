import ArgumentParser
import Foundation
import Kestrel

/// `kestrel evaluate MODEL --input X --target Y [--sample-weight W]`: the loss and compiled
/// metrics of a saved model on data from files, as Keras's `model.evaluate` reports them for
/// the same model file, one `name=value` line each, the loss first. The model's own compile
/// configuration is used (a compiled `.keras` file or a Kestrel model saved after
/// `compile`); `--loss` and `--metric` give or replace it.
struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Print the loss and metrics of a saved model on input and target files.")

    @Argument(help: "A model file: Kestrel .safetensors, Keras .keras, or legacy Keras .h5.")
    var model: String

    @Option(help: "Input samples (.npy, IDX, or CSV). Repeat for several inputs, in the model's order.")
    var input: [String]

    @Option(help: "Targets (.npy, IDX, or CSV). Repeat for several outputs, in the model's order.")
    var target: [String]

    @Option(help: "Sample weights (.npy): one per sample, or one per position of sequence targets. Repeat per output.")
    var sampleWeight: [String] = []

    @Option(help: "Samples per batch, as Keras's evaluate batch_size.")
    var batchSize = 32

    @Option(help: "The loss to use instead of the file's compile configuration (a Keras name such as mse).")
    var loss: String?

    @Option(help: "With --loss: a metric to report (a Keras name such as accuracy). Repeat for several.")
    var metric: [String] = []

    func run() throws {
        do {
            let loaded = try Model.load(from: URL(fileURLWithPath: model))
            if let loss {
                try loaded.compile(optimizer: try SGD(), loss: loss, metrics: metric)
            } else if loaded.losses.isEmpty {
                throw KestrelError(.invalidArgument, "\(model) carries no compile configuration Kestrel can use (a Keras .keras file saved after compile with a built-in loss, or a Kestrel model saved after compile); pass --loss NAME and any --metric NAME")
            }
            let x = try input.map { try PredictCommand.readInput(URL(fileURLWithPath: $0)) }
            let y = try target.map { try PredictCommand.readInput(URL(fileURLWithPath: $0)) }
            guard sampleWeight.isEmpty || sampleWeight.count == y.count else {
                throw KestrelError(.invalidArgument, "\(sampleWeight.count) --sample-weight files for \(y.count) --target files; give one per target, or none")
            }
            let weights: [Tensor?]? = sampleWeight.isEmpty ? nil
                : try sampleWeight.map { Optional(try NumPyFile.readTensor(contentsOf: URL(fileURLWithPath: $0))) }
            let logs = try loaded.evaluate(x: x, y: y, sampleWeight: weights, batchSize: batchSize)
            for key in ["loss"] + logs.keys.filter({ $0 != "loss" }).sorted() {
                if let value = logs[key] { print("\(key)=\(value)") }
            }
        } catch let error as KestrelError {
            FileHandle.standardError.write(Data("kestrel evaluate: \(error.message)\n".utf8))
            throw ExitCode(1)
        }
    }
}
