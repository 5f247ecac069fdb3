import ArgumentParser
import Kestrel

/// `kestrel-bench suite MODEL`: one model of the broader suite (SuiteModels), trained and run
/// on one fixed batch like W2–W5; train 3 warm-up / 5 steps × 5 repeats, infer 3 / 20 × 5.
struct SuiteBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "suite",
        abstract: "The broader suite: \(SuiteModels.entries.keys.sorted().joined(separator: ", ")) (samples/s).")

    @Argument(help: "The model.") var model: String
    @OptionGroup var options: ModelBenchOptions

    func validate() throws {
        guard SuiteModels.entries[model] != nil else {
            throw ValidationError("unknown suite model \(model); known: \(SuiteModels.entries.keys.sorted().joined(separator: ", "))")
        }
    }

    func run() throws {
        let entry = SuiteModels.entries[model]!
        let count = entry.batch * entry.input.reduce(1, *)
        var g = RandomGenerator(seed: 1)
        let x = entry.vocabulary > 0
            ? Tensor(shape: [entry.batch] + entry.input, scalars: (0..<count).map { _ in Float(g.nextIndex(below: entry.vocabulary)) })
            : Tensor.randomUniform([entry.batch] + entry.input, min: 0, max: 1, generator: &g)
        let bench = ModelBench(
            workload: model, batch: entry.batch, options: options,
            makeModel: {
                let m = try entry.build()
                try m.compile(optimizer: Adam(learningRate: 1e-3, epsilon: 1e-7), loss: SparseCategoricalCrossentropy(fromLogits: true))
                return m
            },
            x: x, y: Tensor(ModelBench.labels(count: entry.batch, classes: entry.classes, seed: 2)))
        try bench.run(spec: ["train": (3, 5, 5), "infer": (3, 20, 5)])
    }
}
