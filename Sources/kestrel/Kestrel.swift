import ArgumentParser

/// The `kestrel` command-line tool: demos on real data, the Keras conformance runner and
/// model inspection.
@main
struct KestrelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kestrel",
        abstract: "Kestrel: Keras-style deep learning in Swift.",
        subcommands: [DemoCommand.self, ConformanceCommand.self, SummaryCommand.self, PredictCommand.self, EvaluateCommand.self,
                      ConvertCommand.self, DiagramCommand.self])
}
