import ArgumentParser
import Foundation
import Kestrel

/// `kestrel predict MODEL --input x.npy --output y.npy`: runs a saved model on data from
/// files (.npy, IDX, or CSV with numeric columns) and writes the predictions as .npy. Repeat
/// `--input` / `--output` for models with several, in the model's input and output order.
struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Run a saved model on input data and write its predictions as .npy.")

    @Argument(help: "A model file written by Model.save(to:).")
    var model: String

    @Option(help: "Input samples: .npy, an IDX file (optionally gzipped), or a CSV with a header row. Repeat for several inputs.")
    var input: [String]

    @Option(help: "Where to write the predictions (.npy, float32). Repeat for several outputs.")
    var output: [String]

    @Option(help: "Samples per inference batch.")
    var batchSize = 128

    func run() throws {
        do {
            let model = try Model.load(from: URL(fileURLWithPath: self.model))
            let x = try input.map { try PredictCommand.readInput(URL(fileURLWithPath: $0)) }
            let y = try model.predict(x, batchSize: batchSize)
            guard y.count == output.count else {
                throw KestrelError(.invalidArgument, "the model has \(y.count) output\(y.count == 1 ? "" : "s") but \(output.count) --output path\(output.count == 1 ? " was" : "s were") given")
            }
            for (tensor, path) in zip(y, output) { try NumPyFile.write(tensor, to: URL(fileURLWithPath: path)) }
        } catch let error as KestrelError {
            FileHandle.standardError.write(Data("kestrel predict: \(error.message)\n".utf8))
            throw ExitCode(1)
        }
    }

    static func readInput(_ url: URL) throws -> Tensor {
        switch url.pathExtension.lowercased() {
        case "npy": return try NumPyFile.readTensor(contentsOf: url)
        case "csv": return try CSVFile.read(contentsOf: url).values
        default: return try IDXFile.readTensor(contentsOf: url)
        }
    }
}
