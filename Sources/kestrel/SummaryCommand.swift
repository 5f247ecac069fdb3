import ArgumentParser
import Foundation
import Kestrel

/// `kestrel summary MODELFILE`: prints the Keras-style summary of a saved model.
struct SummaryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "summary",
        abstract: "Print the layer table of a model (Kestrel .safetensors, Keras .keras or legacy .h5).")

    @Argument(help: "A model file: Kestrel .safetensors, Keras .keras, or legacy Keras .h5.")
    var modelFile: String

    func run() throws {
        do {
            let model = try Model.load(from: URL(fileURLWithPath: modelFile))
            print(try model.summary())
        } catch let error as KestrelError {
            FileHandle.standardError.write(Data("kestrel summary: \(error.message)\n".utf8))
            throw ExitCode(1)
        }
    }
}
