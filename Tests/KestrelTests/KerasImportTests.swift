import XCTest
@testable import KestrelCore
@testable import KestrelNN
@testable import KestrelFormats
@testable import KestrelConformance
import Kestrel

/// Models made with real Keras (Fixtures/keras_models/make_keras_models.py) load and predict
/// what Keras predicted; damaged files fail with clear errors.
final class KerasImportTests: XCTestCase {
    static var folder: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/keras_models")
    }

    static let models = ["cnn": 1, "lstm_classifier": 1, "bigru_tagger": 1, "seq2seq_states": 2, "autoencoder": 1, "nested_bn": 1]

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

    /// Loads a mutated Keras file through the zip, HDF5, JSON and config layers: any
    /// outcome but a crash or a non-Kestrel error is acceptable.
    static func survives(_ data: Data, _ label: String) -> Bool {
        do {
            switch KerasModelFile.kind(of: data) {
            case .kerasZip: _ = try KerasModelFile.loadKeras3(data, source: label)
            case .hdf5: _ = try KerasModelFile.loadLegacyH5(data, source: label)
            case .kestrel, .unknown: _ = try SafeTensors(data: data, source: label)
            }
            return true
        } catch is KestrelError {
            return false
        } catch {
            XCTFail("\(label): \(error) is not a KestrelError")
            return false
        }
    }

    static var corpus: [Data] {
        get throws {
            try ["cnn.keras", "lstm_classifier.h5", "bigru_tagger.keras", "seq2seq_states.h5"].map {
                try Data(contentsOf: folder.appendingPathComponent($0))
            }
        }
    }

    func testMutatedKerasFilesNeverCrash() throws {
        var generator = RandomGenerator(seed: 11)
        let corpus = try Self.corpus
        for i in 0..<400 {
            let data = IOFixtures.mutate(corpus[i % corpus.count], &generator)
            _ = Self.survives(data, "mutation \(i)")
        }
    }

    /// The long fuzz run over the Keras readers (zip + HDF5 + config), for `IOFixtures.fuzzSeconds`
    /// (`KESTREL_FUZZ_SECONDS`, 2 s by default); prints the number of executions.
    func testFuzzKerasFilesForConfiguredSeconds() throws {
        let seconds = IOFixtures.fuzzSeconds
        var generator = RandomGenerator(seed: UInt64(ProcessInfo.processInfo.environment["KESTREL_FUZZ_SEED"] ?? "") ?? 1)
        let corpus = try Self.corpus
        let deadline = Date().addingTimeInterval(seconds)
        var executions = 0, loaded = 0
        while Date() < deadline {
            var data = corpus[generator.nextIndex(below: corpus.count)]
            for _ in 0...generator.nextIndex(below: 3) { data = IOFixtures.mutate(data, &generator) }
            if Self.survives(data, "execution \(executions)") { loaded += 1 }
            executions += 1
        }
        print("Keras-file fuzz: \(executions) executions in \(seconds) s (\(loaded) loaded)")
    }
}
