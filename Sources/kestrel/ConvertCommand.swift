import ArgumentParser
import Foundation
import Kestrel

/// `kestrel convert IN OUT`: rewrites a model in the format OUT's extension names — Kestrel's
/// `.safetensors`, Keras 3 `.keras` or legacy Keras `.h5` — from any of them.
struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert a model between Kestrel .safetensors, Keras 3 .keras and legacy Keras .h5 (by OUT's extension).")

    @Argument(help: "The model file (.safetensors, .keras or .h5).")
    var source: String

    @Argument(help: "Where to write it: .keras or .h5 for Keras, anything else for Kestrel's format.")
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
