import XCTest
@testable import KestrelCore
@testable import KestrelNN
@testable import KestrelFormats
@testable import KestrelConformance
import Kestrel

final class SaveLoadTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("kestrel-save-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: dir)
    }

    func trainedModel(dropout: Bool = true) throws -> (Sequential, Tensor, Tensor) {
        GlobalRandom.setSeed(11)
        var g = RandomGenerator(seed: 3)
        let x = Tensor.randomNormal([64, 5], generator: &g)
        let y = (x.sum(alongAxis: 1) .> 0)
        let model = Sequential {
            Input(shape: [5])
            Dense(8, activation: .tanh, kernelRegularizer: .l2(0.001))
            if dropout { Dropout(0.1) }
            Dense(2)
        }
        try model.compile(optimizer: Adam(learningRate: 0.01), loss: SparseCategoricalCrossentropy(fromLogits: true), metrics: ["accuracy"])
        try model.fit(x: x, y: y, batchSize: 16, epochs: 3, verbose: .silent)
        return (model, x, y)
    }

    func testSaveLoadGivesBitIdenticalPredictions() throws {
        let (model, x, _) = try trainedModel()
        let url = dir.appendingPathComponent("model.safetensors")
        try model.save(to: url)
        let loaded = try Model.load(from: url)
        XCTAssertEqual(try loaded.predict(x), try model.predict(x))
        XCTAssertEqual(loaded.layers.map(\.name), model.layers.map(\.name))
        XCTAssertEqual(try loaded.summary(), try model.summary())
    }

    func testResumedFitContinuesExactly() throws {
        let (model, x, y) = try trainedModel(dropout: false)
        let url = dir.appendingPathComponent("resume.safetensors")
        try model.save(to: url)
        let resumed = try Model.load(from: url)
        XCTAssertEqual(resumed.epochsCompleted, 3)
        XCTAssertEqual(resumed.optimizer?.iterations, model.optimizer?.iterations)
        // One more deterministic step on each (no dropout, so no random masks) must agree.
        try model.trainOnBatch(x: x, y: y)
        try resumed.trainOnBatch(x: x, y: y)
        XCTAssertEqual(try resumed.predict(x), try model.predict(x), "Adam moments and step count must carry over")
    }

    func testTruncatedCorruptAndForeignFilesThrowClearly() throws {
        let (model, _, _) = try trainedModel()
        let url = dir.appendingPathComponent("m.safetensors")
        try model.save(to: url)
        let bytes = try Data(contentsOf: url)
        let truncated = dir.appendingPathComponent("truncated.safetensors")
        try bytes.prefix(bytes.count / 2).write(to: truncated)
        assertThrowsMessage(["truncated"]) { _ = try Model.load(from: truncated) }
        let garbage = dir.appendingPathComponent("garbage.safetensors")
        try Data("hello, not a model".utf8).write(to: garbage)
        assertThrowsMessage(["not a valid safetensors"]) { _ = try Model.load(from: garbage) }
        let weightsOnly = dir.appendingPathComponent("weights.safetensors")
        try model.saveWeights(to: weightsOnly)
        assertThrowsMessage(["not a Kestrel model", "loadWeights"]) { _ = try Model.load(from: weightsOnly) }
        assertThrowsMessage(["cannot read"]) { _ = try Model.load(from: dir.appendingPathComponent("missing.safetensors")) }
        // Every prefix of the file fails cleanly.
        for cut in stride(from: 0, to: bytes.count, by: max(1, bytes.count / 97)) {
            XCTAssertThrowsError(try SafeTensors(data: bytes.prefix(cut)))
        }
    }

    func testWeightsRoundTripAndShapeCheck() throws {
        let (model, x, _) = try trainedModel()
        let url = dir.appendingPathComponent("w.safetensors")
        try model.saveWeights(to: url)
        let (other, _, _) = try trainedModel()
        for p in other.weights { p.value = Tensor.zeros(p.shape) }
        try other.loadWeights(from: url)
        XCTAssertEqual(try other.predict(x), try model.predict(x))
        let wrong = Sequential { Input(shape: [5]); Dense(3) }
        try wrong.ensureBuilt()
        assertThrowsMessage(["no weight"]) { try wrong.loadWeights(from: url) }
    }

    func testLoadWeightsBuildsAnUnbuiltModelFromTheSavedInputShape() throws {
        let (model, x, _) = try trainedModel()
        let url = dir.appendingPathComponent("w.safetensors")
        try model.saveWeights(to: url)
        let fresh = Sequential { Dense(8, activation: .tanh); Dropout(0.1); Dense(2) }
        try fresh.loadWeights(from: url)
        XCTAssertEqual(fresh.inputShape, [5])
        XCTAssertEqual(try fresh.predict(x), try model.predict(x))
    }

    func testLoadWeightsListsMissingUnexpectedAndMismatchedWeights() throws {
        let (model, _, _) = try trainedModel()
        let url = dir.appendingPathComponent("w.safetensors")
        try model.saveWeights(to: url)
        let kernel = model.layers[0].weights[0].path
        // Another architecture, unbuilt: built from the file's input shape, then refused.
        let other = Sequential { Dense(4); Dense(2) }
        assertThrowsKestrel(.invalidFile, ["w.safetensors", "do not fit model \(other.name)", "no weight in the file for \(other.layers[0].name)/kernel",
                                           "unexpected weights in the file: ", kernel, "nothing was loaded", "same architecture"]) {
            try other.loadWeights(from: url)
        }
        // Same paths, one shape differs.
        var file = try SafeTensors(contentsOf: url)
        file.tensors[kernel] = Tensor.zeros([5, 7])
        try file.write(to: url)
        let before = model.weights.map(\.value)
        assertThrowsKestrel(.shapeMismatch, ["\(kernel) has shape [5, 7] in the file, [5, 8] in the model", "nothing was loaded"]) {
            try model.loadWeights(from: url)
        }
        XCTAssertEqual(model.weights.map(\.value), before)
        // An unbuilt model and a file without the input shape: it cannot be built.
        file.metadata[Model.inputShapeKey] = nil
        try file.write(to: url)
        let unbuilt = Sequential { Dense(8); Dense(2) }
        assertThrowsKestrel(.invalidFile, ["unexpected weights", "not built", "Input(shape:)", "build(inputShape:)"]) {
            try unbuilt.loadWeights(from: url)
        }
    }

    func testAtomicWriteLeavesNoTemporaryFiles() throws {
        let (model, _, _) = try trainedModel()
        let url = dir.appendingPathComponent("atomic.safetensors")
        try model.save(to: url)
        try model.save(to: url)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["atomic.safetensors"])
        let unwritable = URL(fileURLWithPath: "/proc/kestrel-cannot-write/model.safetensors")
        assertThrowsMessage(["cannot write"]) { try model.save(to: unwritable) }
        // A temporary file left by a killed writer goes at the next save; a live writer's stays.
        let stale = ".atomic.safetensors.\(Int32.max).\(UUID().uuidString).tmp"
        let live = ".atomic.safetensors.\(getpid()).\(UUID().uuidString).tmp"
        for name in [stale, live] { try Data([1, 2, 3]).write(to: dir.appendingPathComponent(name)) }
        try model.save(to: url)
        XCTAssertEqual(Set(try FileManager.default.contentsOfDirectory(atPath: dir.path)), ["atomic.safetensors", live])
    }
}

/// The saved model, loaded by the `kestrel` tool in a separate process, predicts exactly
/// what the model that saved it predicts.
final class CrossProcessTests: XCTestCase {
    func testPredictionsInANewProcessAreBitIdentical() throws {
        let kestrel = try kestrelTool()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kestrel-xproc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }

        GlobalRandom.setSeed(5)
        var g = RandomGenerator(seed: 8)
        let x = Tensor.randomNormal([50, 4], generator: &g)
        let model = Sequential { Input(shape: [4]); Dense(16, activation: .gelu()); Dense(3, activation: .softmax) }
        try model.compile(optimizer: RMSprop(learningRate: 0.01), loss: SparseCategoricalCrossentropy())
        try model.fit(x: x, y: (x.sum(alongAxis: 1) .> 0) * 2, epochs: 2, verbose: .silent)
        let modelURL = dir.appendingPathComponent("model.safetensors")
        try model.save(to: modelURL)
        try NumPyFile.write(x, to: dir.appendingPathComponent("x.npy"))

        let process = Process()
        process.executableURL = kestrel
        process.arguments = ["predict", modelURL.path, "--input", dir.appendingPathComponent("x.npy").path,
                             "--output", dir.appendingPathComponent("y.npy").path]
        try process.run()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        let fromOtherProcess = try NumPyFile.readTensor(contentsOf: dir.appendingPathComponent("y.npy"))
        XCTAssertEqual(fromOtherProcess, try model.predict(x, batchSize: 128))

        // A file that is not a model: non-zero exit with a one-line reason.
        let bad = Process()
        bad.executableURL = kestrel
        bad.arguments = ["predict", dir.appendingPathComponent("x.npy").path, "--input", dir.appendingPathComponent("x.npy").path,
                         "--output", dir.appendingPathComponent("z.npy").path]
        let pipe = Pipe()
        bad.standardError = pipe
        try bad.run()
        bad.waitUntilExit()
        XCTAssertNotEqual(bad.terminationStatus, 0)
        let message = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertTrue(message.contains("not a valid safetensors"), message)
    }
}
