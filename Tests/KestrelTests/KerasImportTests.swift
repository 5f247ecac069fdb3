import XCTest
@testable import Kestrel

/// Models made with real Keras (Fixtures/keras_models/make_keras_models.py) load and predict
/// what Keras predicted; damaged files fail with clear errors.
final class KerasImportTests: XCTestCase {
    static var folder: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/keras_models")
    }

    static let models = ["cnn": 1, "lstm_classifier": 1, "bigru_tagger": 1, "seq2seq_states": 2, "autoencoder": 1]

    func inputsAndOutputs(_ name: String) throws -> ([Tensor], Tensor) {
        let inputs = try (0..<Self.models[name]!).map {
            try NumPyFile.readTensor(contentsOf: Self.folder.appendingPathComponent("\(name)_x\($0).npy"))
        }
        return (inputs, try NumPyFile.readTensor(contentsOf: Self.folder.appendingPathComponent("\(name)_y0.npy")))
    }

    func testEveryModelMatchesKerasInBothFormats() throws {
        for name in Self.models.keys.sorted() {
            for ext in ["keras", "h5"] {
                let model = try Model.load(from: Self.folder.appendingPathComponent("\(name).\(ext)"))
                let (x, expected) = try inputsAndOutputs(name)
                let got = try model.predict(x)[0]
                XCTAssertEqual(got.shape, expected.shape, "\(name).\(ext)")
                let worst = zip(got.scalars, expected.scalars).map { abs($0 - $1) / max(abs($1), 1e-3) }.max() ?? 0
                XCTAssertLessThan(worst, 1e-5, "\(name).\(ext): worst relative error \(worst)")
            }
        }
    }

    func testImportedModelFineTunesAndRoundTripsThroughKestrelsFormat() throws {
        let model = try Model.load(from: Self.folder.appendingPathComponent("lstm_classifier.keras"))
        let (x, _) = try inputsAndOutputs("lstm_classifier")
        let labels = Tensor([0, 1, 1, 0])
        try model.compile(optimizer: Adam(learningRate: 0.01), loss: SparseCategoricalCrossentropy())
        let before = try model.evaluate(x: x[0], y: labels)["loss"]!
        try model.fit(x: x[0], y: labels, batchSize: 4, epochs: 20, verbose: .silent)
        XCTAssertLessThan(try model.evaluate(x: x[0], y: labels)["loss"]!, before)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("imported-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try model.save(to: url)
        XCTAssertEqual(try Model.load(from: url).predict(x[0]), try model.predict(x[0]))
    }

    func testDamagedAndForeignFilesThrow() throws {
        for (file, fragment) in [("truncated.keras", "zip"), ("truncated.h5", "hdf5"), ("corrupted.h5", "hdf5"), ("cnn_x0.npy", "safetensors")] {
            do {
                _ = try Model.load(from: Self.folder.appendingPathComponent(file))
                XCTFail("\(file) loaded")
            } catch let error as KestrelError {
                XCTAssertTrue(error.message.contains(fragment), "\(file): \(error.message)")
            }
        }
    }
}
