import ArgumentParser
import Foundation
import Kestrel
import KestrelDemos

/// `kestrel demo [NAME]`: trains a model on real data and prints its test score last.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Train a demo model on real data (default: the best available demo).",
        discussion: "Demos: \(DemoCommand.demos.map(\.name).joined(separator: ", ")).")

    /// Every demo, best first (`kestrel demo` with no name runs the first).
    static let demos: [(name: String, run: () throws -> String)] = DemoCatalog.all

    @Argument(help: "Which demo to run.")
    var name: String?

    func run() throws {
        let chosen = name ?? DemoCommand.demos[0].name
        guard let demo = DemoCommand.demos.first(where: { $0.name == chosen }) else {
            throw ValidationError("unknown demo \"\(chosen)\"; available: \(DemoCommand.demos.map(\.name).joined(separator: ", "))")
        }
        let result = try demo.run()
        print(result)
    }
}
