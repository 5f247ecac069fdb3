import ArgumentParser
import Foundation
import Kestrel

/// `kestrel diagram MODEL OUT.svg|OUT.dot`: draws a saved model's layers, connections and
/// shapes, like Keras's `plot_model(show_shapes=True)`.
struct DiagramCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diagram",
        abstract: "Draw a model's layers and shapes as SVG or Graphviz DOT (by OUT's extension).")

    @Argument(help: "A model file: Kestrel .safetensors, Keras .keras, or legacy Keras .h5.")
    var modelFile: String

    @Argument(help: "Where to write the picture: .svg, or .dot for Graphviz.")
    var destination: String

    func run() throws {
        do {
            let model = try Model.load(from: URL(fileURLWithPath: modelFile))
            try ModelDiagram(model).write(to: URL(fileURLWithPath: destination))
        } catch let error as KestrelError {
            FileHandle.standardError.write(Data("kestrel diagram: \(error.message)\n".utf8))
            throw ExitCode(1)
        }
    }
}
