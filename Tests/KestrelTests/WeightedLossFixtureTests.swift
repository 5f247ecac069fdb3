import Foundation
import XCTest
@testable import KestrelCore
@testable import KestrelNN
@testable import KestrelFormats

/// Masked and weighted losses and metrics against real Keras 3 (the cases in
/// `Fixtures/keras_weighted`, made by `make_weighted_fixtures.py`): `train_on_batch`'s loss,
/// metrics and the weights after its SGD step (so the gradients too), and `evaluate` over
/// several batches — with masks from Embedding(mask_zero) and Masking, per-step and
/// per-sample weights, and class weights. As in Keras, the compiled metrics honour masks but
/// not sample weights; the weighted metrics honour both.
final class WeightedLossFixtureTests: XCTestCase {
    private struct Case {
        let name: String
        let file: SafeTensors

        func tensor(_ key: String) throws -> Tensor { try fixtureTensor(file, key) }

        func json(_ key: String) throws -> Any {
            let text = file.metadata[key] ?? ""
            return try JSONSerialization.jsonObject(with: Data((text.isEmpty ? "null" : text).utf8), options: [.fragmentsAllowed])
        }
    }

    private func cases() throws -> [Case] {
        let folder = IOFixtures.url("keras_weighted")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".safetensors") }.sorted()
        XCTAssertGreaterThanOrEqual(names.count, 7)
        return try names.map { Case(name: $0, file: try SafeTensors(contentsOf: folder.appendingPathComponent($0))) }
    }

    /// The stored model with its stored weights, compiled as the case was.
    private func model(_ c: Case) throws -> Model {
        let model = try Model.fromConfig(["class_name": c.file.metadata["model_class"] ?? "", "config": try c.json("model_config")])
        try model.ensureBuilt()
        for (i, p) in model.weights.enumerated() { try p.assign(try c.tensor("w/\(i)")) }
        let compile = try XCTUnwrap(c.json("compile_config") as? [String: Any])
        let loss = try XCTUnwrap(compile["loss"] as? [String: Any])
        try model.compile(optimizer: SGD(learningRate: 0.1),
                          loss: try Losses.fromKeras(className: loss["class_name"] as? String ?? "", config: loss["config"] as? [String: Any] ?? [:]),
                          metrics: compile["metrics"] as? [String] ?? [], weightedMetrics: compile["weighted_metrics"] as? [String] ?? [])
        return model
    }

    private func assertClose(_ got: Float?, _ want: Tensor, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        let w = want.scalar
        guard let got else { return XCTFail("\(what): missing from the logs", file: file, line: line) }
        XCTAssertLessThanOrEqual(Swift.abs(got - w), 1e-5 + 1e-4 * Swift.abs(w), "\(what): got \(got), Keras \(w)", file: file, line: line)
    }

    func testTrainOnBatchMatchesKeras() throws {
        for c in try cases() {
            let model = try model(c)
            let x = try c.tensor("x"), y = try c.tensor("y")
            let weight = c.file.tensors["sample_weight"]
            var classWeight: [Int: Float]?
            if let map = try c.json("class_weight") as? [String: NSNumber] {
                classWeight = Dictionary(uniqueKeysWithValues: map.map { (Int($0.key)!, $0.value.floatValue) })
            }
            let logs = try model.trainOnBatch(x: x, y: y, sampleWeight: weight, classWeight: classWeight)
            for key in try XCTUnwrap(c.json("train_logs") as? [String]) {
                assertClose(logs[key], try c.tensor("train_" + key), "\(c.name) train \(key)")
            }
            for (i, p) in model.weights.enumerated() {
                let want = try c.tensor("w_after/\(i)")
                let error = zip(p.value.scalars, want.scalars).map { Swift.abs($0 - $1) - 1e-4 * Swift.abs($1) }.max() ?? 0
                XCTAssertLessThanOrEqual(error, 1e-5, "\(c.name): weight \(i) after the step differs from Keras")
            }
        }
    }

    func testEvaluateOverSeveralBatchesMatchesKeras() throws {
        for c in try cases() {
            let model = try model(c)
            let batchSize = Int(c.file.metadata["eval_batch_size"] ?? "") ?? 32
            let logs = try model.evaluate(x: try c.tensor("x"), y: try c.tensor("y"), sampleWeight: c.file.tensors["sample_weight"],
                                          batchSize: batchSize)
            for key in try XCTUnwrap(c.json("eval_logs") as? [String]) {
                assertClose(logs[key], try c.tensor("eval_" + key), "\(c.name) evaluate \(key)")
            }
        }
    }
    /// `kestrel evaluate` on the compiled `.keras` and `.h5` files Keras saved for two cases prints
    /// Keras's evaluate loss and metrics (masked steps left out, sample weights applied).
    func testTheEvaluateCommandPrintsWhatKerasEvaluates() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kestrel-evaluate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var evaluated = 0
        for c in try cases() {
          for format in [".keras", ".h5"] {
            let keras = IOFixtures.url("keras_weighted/" + c.name.replacingOccurrences(of: ".safetensors", with: format))
            guard FileManager.default.fileExists(atPath: keras.path) else { continue }
            var arguments = ["evaluate", keras.path, "--batch-size", c.file.metadata["eval_batch_size"] ?? "32"]
            for (flag, key) in [("--input", "x"), ("--target", "y"), ("--sample-weight", "sample_weight")] where c.file.tensors[key] != nil || c.file.intTensors[key] != nil {
                let url = folder.appendingPathComponent("\(c.name)-\(key).npy")
                try NumPyFile.write(try c.tensor(key), to: url)
                arguments += [flag, url.path]
            }
            let process = try kestrelProcess(arguments)
            let pipe = Pipe()
            process.standardOutput = pipe
            try process.run()
            let printed = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            XCTAssertEqual(process.terminationStatus, 0, printed)
            let lines = printed.split(separator: "\n").map(String.init)
            XCTAssertTrue(lines.first?.hasPrefix("loss=") ?? false, printed)
            let values = Dictionary(uniqueKeysWithValues: lines.compactMap { line -> (String, Float)? in
                let parts = line.split(separator: "=", maxSplits: 1)
                guard parts.count == 2, let v = Float(parts[1]) else { return nil }
                return (String(parts[0]), v)
            })
            for key in try XCTUnwrap(c.json("eval_logs") as? [String]) {
                assertClose(values[key], try c.tensor("eval_" + key), "kestrel evaluate \(c.name) \(key)")
            }
            evaluated += 1
          }
        }
        XCTAssertEqual(evaluated, 6, "the masked tagger, the weighted regression and the weighted-metrics tagger have .keras and .h5 files")
        // A model file without a compile configuration, and no --loss: exit 1 with the reason.
        let uncompiled = IOFixtures.url("keras_models/lstm_classifier.keras")
        let x = folder.appendingPathComponent("x.npy")
        try NumPyFile.write(Tensor.zeros([2, 10, 3]), to: x)
        let process = try kestrelProcess(["evaluate", uncompiled.path, "--input", x.path, "--target", x.path])
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 1)
        XCTAssertTrue(String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).contains("pass --loss NAME"))
    }
}
