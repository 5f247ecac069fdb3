import Foundation
import XCTest
@testable import KestrelCore
@testable import KestrelNN
@testable import KestrelFormats
import Kestrel

/// Kestrel's Keras writers: every shipped Keras model saved as `.keras` and `.h5` reads back
/// with the same architecture, bit-identical weights and predictions; the HDF5 writer's files
/// read back through Kestrel's reader. (That Keras 3 and h5py open the same files and predict
/// the same is checked in the reference venv; see README "Saving for Keras".)
final class KerasWriterTests: XCTestCase {
    private var folder: URL { IOFixtures.url("") }

    private func temporary(_ ext: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("writer-\(UUID().uuidString).\(ext)")
    }

    /// Every Keras model file in the fixtures, by path relative to the fixtures folder.
    private func kerasModelFiles() throws -> [String] {
        try ["keras_models", "keras_attention", "keras_convlstm", "keras_rnn_cells", "keras_unknown_sizes", "keras_weighted"]
            .flatMap { dir in
                try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent(dir).path)
                    .filter { $0.hasSuffix(".keras") && !$0.hasPrefix("truncated") }.map { "\(dir)/\($0)" }
            }.sorted()
    }

    func testEveryShippedKerasModelRoundTripsThroughBothKerasFormats() throws {
        let files = try kerasModelFiles()
        XCTAssertGreaterThanOrEqual(files.count, 20)
        for file in files {
            let original = try Model.load(from: folder.appendingPathComponent(file))
            for ext in ["keras", "h5"] {
                let url = temporary(ext)
                defer { try? FileManager.default.removeItem(at: url) }
                try original.save(to: url)
                let reloaded = try Model.load(from: url)
                XCTAssertEqual(try Model.jsonString(try reloaded.modelConfig), try Model.jsonString(try original.modelConfig), "\(file) → .\(ext)")
                XCTAssertEqual(reloaded.weights.count, original.weights.count, "\(file) → .\(ext)")
                for (a, b) in zip(reloaded.weights, original.weights) {
                    XCTAssertEqual(a.value.shape, b.value.shape, "\(file) → .\(ext): \(b.path)")
                    XCTAssertEqual(a.value.scalars, b.value.scalars, "\(file) → .\(ext): \(b.path)")
                }
            }
        }
    }

    func testWrittenModelsPredictWhatTheOriginalPredicts() throws {
        for (name, inputCount) in KerasImportTests.models {
            let original = try Model.load(from: KerasImportTests.folder.appendingPathComponent("\(name).keras"))
            let x = try (0..<inputCount).map {
                try NumPyFile.readTensor(contentsOf: KerasImportTests.folder.appendingPathComponent("\(name)_x\($0).npy"))
            }
            for ext in ["keras", "h5"] {
                let url = temporary(ext)
                defer { try? FileManager.default.removeItem(at: url) }
                try original.save(to: url)
                XCTAssertEqual(try Model.load(from: url).predict(x), try original.predict(x), "\(name).\(ext)")
            }
        }
    }

    func testACompiledSwiftModelSavesCompiledAndKeepsTraining() throws {
        GlobalRandom.setSeed(7)
        let model = Sequential(name: "swift_made")
        try model.add(Input(shape: [6, 3]))
        try model.add(Bidirectional(LSTM(4, returnSequences: true)))
        try model.add(Conv1D(5, kernelSize: 2, activation: .relu))
        try model.add(BatchNormalization())
        try model.add(GlobalAveragePooling1D())
        try model.add(Dense(3, activation: .softmax))
        try model.compile(optimizer: Adam(learningRate: 0.01), loss: SparseCategoricalCrossentropy(), metrics: ["accuracy"])
        var generator = RandomGenerator(seed: 3)
        let x = Tensor.randomNormal([8, 6, 3], generator: &generator)
        let y = Tensor([0, 1, 2, 0, 1, 2, 0, 1])
        try model.fit(x: x, y: y, batchSize: 4, epochs: 2, verbose: .silent)
        for ext in ["keras", "h5"] {
            let url = temporary(ext)
            defer { try? FileManager.default.removeItem(at: url) }
            try model.save(to: url)
            let reloaded = try Model.load(from: url)
            XCTAssertEqual(try reloaded.predict(x), try model.predict(x), ext)
            XCTAssertEqual(reloaded.optimizer?.kerasClassName, "Adam", "\(ext): saved after compile, so it loads compiled")
            XCTAssertNoThrow(try reloaded.fit(x: x, y: y, batchSize: 4, epochs: 1, verbose: .silent))
        }
    }

    func testHDF5WriterFilesReadBackThroughTheReader() throws {
        let writer = HDF5Writer()
        writer.root.attributes = [("title", .string("ünïcode")), ("names", .strings(["a", "bcd", ""])),
                                  ("count", .integer(-42)), ("scale", .real(0.125))]
        let values = Tensor(shape: [2, 3, 4]) { p, n in for i in 0..<n { p[i] = Float(i) - 5.5 } }
        writer.root.group(path: "deep/er/est").addDataset("cube", values)
        writer.root.group("deep").addDataset("scalar", Tensor(shape: []) { p, _ in p[0] = 3 })
        writer.root.group("deep").addDataset("empty", Tensor.zeros([0, 3]))
        writer.root.group("empty_group")
        let file = try HDF5File(data: try writer.data(), source: "written.h5")
        XCTAssertEqual(file.superblockVersion, 2)
        XCTAssertEqual(file.root.attributes["title"], .string("ünïcode"))
        XCTAssertEqual(file.root.attributes["names"], .strings(["a", "bcd", ""]))
        XCTAssertEqual(file.root.attributes["count"], .integer(-42))
        XCTAssertEqual(file.root.attributes["scale"], .real(0.125))
        XCTAssertEqual(Set(file.root.children.map(\.name)), ["deep", "empty_group"])
        XCTAssertEqual(try file.dataset(at: "deep/er/est/cube").readTensor(), values)
        XCTAssertEqual(try file.dataset(at: "deep/scalar").readTensor().scalars, [3])
        XCTAssertEqual(try file.dataset(at: "deep/empty").readTensor().shape, [0, 3])
        XCTAssertTrue(try file.group(at: "empty_group").children.isEmpty)
    }

    func testNamesAndSizesTheFormatCannotHoldThrow() throws {
        let slash = HDF5Writer()
        slash.root.addDataset("a/b", Tensor.zeros([1]))
        XCTAssertThrowsError(try slash.data()) { XCTAssertTrue("\($0)".contains("\"a/b\""), "\($0)") }
        let huge = HDF5Writer()
        huge.root.attributes = [("model_config", .string(String(repeating: "x", count: 70_000)))]
        XCTAssertThrowsError(try huge.data()) { XCTAssertTrue("\($0)".contains(".keras"), "\($0)") }
        let unbuilt = Sequential()
        try unbuilt.add(Dense(2))
        XCTAssertThrowsError(try unbuilt.save(to: temporary("keras")))
    }
}
