import ArgumentParser

/// `kestrel-bench`: Kestrel's reference-workload benchmarks (see WORKLOADS.md in the shared
/// bench folder). One subcommand per workload, each in its own file; add new ones to
/// `subcommands`.
@main
struct KestrelBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kestrel-bench",
        abstract: "Kestrel reference-workload benchmarks; prints one JSON line per measurement.",
        subcommands: [GemmBench.self, TapeOverheadBench.self, LSTMManyToOneBench.self, BiGRUManyToManyBench.self, CNNMnistBench.self, LayerTimesBench.self, ConvAutoencoderBench.self, AttentionBlockBench.self, ConvLSTMBench.self, Conv3DBench.self, SuiteBench.self, StartupBench.self, DataParallelBench.self])
}
