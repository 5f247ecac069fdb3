import ArgumentParser
import Foundation
import Kestrel

/// `kestrel convert model.keras model.safetensors`: rewrites a Keras model (`.keras` or
/// legacy `.h5`) in Kestrel's own format.
struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert a Keras .keras or .h5 model into a Kestrel .safetensors model.")

    @Argument(help: "The Keras model file.")
    var source: String

    @Argument(help: "Where to write the Kestrel model.")
    var destination: String

    func run() throws {
        do {
            let model = try Model.load(from: URL(fileURLWithPath: source))
            try model.save(to: URL(fileURLWithPath: destination))
            print("\(source) → \(destination): \(model.layers.count) layers, \(model.parameterCount) parameters")
        } catch let error as KestrelError {
            FileHandle.standardError.write(Data("kestrel convert: \(error.message)\n".utf8))
            throw ExitCode(1)
        }
    }
}
