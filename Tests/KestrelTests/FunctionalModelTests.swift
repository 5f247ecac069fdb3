import XCTest
@testable import KestrelCore
@testable import KestrelNN
@testable import KestrelFormats
@testable import KestrelConformance
import Kestrel

/// Layer graphs: multiple inputs and outputs, shared layers, sub-models, nesting, save/load.
final class FunctionalModelTests: XCTestCase {
    func testTwoInputsTwoOutputsWithASharedLayerTrain() throws {
        GlobalRandom.setSeed(21)
        let a = Input(shape: [4], name: "a"), b = Input(shape: [4], name: "b")
        let shared = Dense(8, activation: .tanh, name: "shared")
        let ha = try shared(a), hb = try shared(b)
        let merged = try Concatenate(name: "merged")([ha, hb])[0]
        let sum = try Dense(1, name: "sum")(merged)
        let cls = try Dense(2, name: "cls")(try Subtract()([ha, hb])[0])
        let model = try Model(inputs: [a, b], outputs: [sum, cls], name: "two_heads")
        XCTAssertEqual(model.layers.map(\.name).filter { $0 != "subtract" && !$0.hasPrefix("subtract") }, ["shared", "merged", "sum", "cls"])
        XCTAssertEqual(model.weights.count, 6, "the shared Dense counts once")

        var g = RandomGenerator(seed: 2)
        let xa = Tensor.randomNormal([200, 4], generator: &g), xb = Tensor.randomNormal([200, 4], generator: &g)
        let ySum = (xa.sum(alongAxis: 1) + xb.sum(alongAxis: 1)).reshaped([200, 1])
        let yCls = (xa.sum(alongAxis: 1) .> xb.sum(alongAxis: 1))
        try model.compile(optimizer: Adam(learningRate: 0.02), losses: [MeanSquaredError(), SparseCategoricalCrossentropy(fromLogits: true)],
                          lossWeights: [0.5, 1], metrics: ["accuracy"])
        let history = try model.fit(x: [xa, xb], y: [ySum, yCls], batchSize: 20, epochs: 25, verbose: .silent)
        let keys = Set(history.history.keys)
        XCTAssertTrue(keys.isSuperset(of: ["loss", "sum_loss", "cls_loss", "cls_accuracy"]), "\(keys)")
        XCTAssertLessThan(history["sum_loss"]!.last!, history["sum_loss"]!.first! * 0.2)
        XCTAssertGreaterThan(history["cls_accuracy"]!.last!, 0.9)
        // The total is the weighted sum of the output losses.
        let scores = try model.evaluate(x: [xa, xb], y: [ySum, yCls])
        XCTAssertEqual(scores["loss"]!, 0.5 * scores["sum_loss"]! + scores["cls_loss"]!, accuracy: 1e-4)
        let predictions = try model.predict([xa, xb], batchSize: 64)
        XCTAssertEqual(predictions.map(\.shape), [[200, 1], [200, 2]])
        assertThrowsMessage(["2 outputs", "1 loss"]) { try model.compile(optimizer: Adam(), losses: [MeanSquaredError()]) }
        assertThrowsMessage(["2 inputs", "1 tensors"]) { try model.fit(x: [xa], y: [ySum, yCls], verbose: .silent) }
    }

    func testSubModelSharesWeightsAndSequentialNestsAsALayer() throws {
        GlobalRandom.setSeed(22)
        let input = Input(shape: [6])
        let encoder = Sequential { Dense(3, activation: .relu); Dense(2) }
        let code = try encoder(input)
        let decoded = try Dense(6, name: "decoder")(code)
        let autoencoder = try Model(inputs: input, outputs: decoded)
        let encoderOnly = try Model(inputs: input, outputs: code)
        XCTAssertEqual(autoencoder.weights.count, 6)
        XCTAssertEqual(encoderOnly.weights.count, 4)
        var g = RandomGenerator(seed: 4)
        let x = Tensor.randomUniform([64, 6], generator: &g)
        try autoencoder.compile(optimizer: Adam(learningRate: 0.01), loss: MeanSquaredError())
        try autoencoder.fit(x: x, y: x, batchSize: 16, epochs: 3, verbose: .silent)
        // The encoder sub-model sees the trained weights.
        XCTAssertEqual(try encoderOnly.predict(x), try encoder.predict(x))
        XCTAssertTrue(try autoencoder.summary().contains("Connected to"))
    }

    func testFunctionalSaveLoadRoundTrip() throws {
        GlobalRandom.setSeed(23)
        let a = Input(shape: [3]), b = Input(shape: [2])
        let h = try Concatenate()([try Dense(4, activation: .relu)(a), b.output])[0]
        let out = try Dense(2)(h)
        let model = try Model(inputs: [a, b], outputs: [out])
        try model.compile(optimizer: SGD(learningRate: 0.1, momentum: 0.9), loss: SparseCategoricalCrossentropy(fromLogits: true))
        var g = RandomGenerator(seed: 9)
        let xa = Tensor.randomNormal([30, 3], generator: &g), xb = Tensor.randomNormal([30, 2], generator: &g)
        let y = xa.sum(alongAxis: 1) .> 0
        try model.fit(x: [xa, xb], y: [y], epochs: 2, verbose: .silent)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("functional-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try model.save(to: url)
        let loaded = try Model.load(from: url)
        XCTAssertEqual(try loaded.predict([xa, xb]), try model.predict([xa, xb]))
        XCTAssertEqual(loaded.inputs.count, 2)
        try loaded.fit(x: [xa, xb], y: [y], epochs: 1, verbose: .silent)
        try model.fit(x: [xa, xb], y: [y], epochs: 1, shuffle: false, verbose: .silent)
    }

    func testGraphErrors() throws {
        let a = Input(shape: [3]), b = Input(shape: [3])
        let y = try Add()([a.output, b.output])[0]
        assertThrowsMessage(["not among Model(inputs:)"]) { _ = try Model(inputs: [a], outputs: [y]) }
        assertThrowsMessage(["Dense", "(samples, …, 3)", "[1, 5]"]) {
            let d = Dense(2)
            _ = try d(a)
            _ = try d(Input(shape: [5]))
        }
    }

    func testKeras2AndKeras3FunctionalConfigsLoad() throws {
        let keras2: [String: Any] = [
            "class_name": "Model",
            "config": [
                "name": "k2",
                "layers": [
                    ["class_name": "InputLayer", "name": "in", "config": ["batch_input_shape": [NSNull(), 3], "name": "in"], "inbound_nodes": [Any]()],
                    ["class_name": "Dense", "name": "d", "config": ["units": 2, "activation": "relu", "name": "d"],
                     "inbound_nodes": [[["in", 0, 0, [String: Any]()]]]],
                ],
                "input_layers": [["in", 0, 0]],
                "output_layers": [["d", 0, 0]],
            ] as [String: Any],
        ]
        let model = try Model.fromConfig(keras2)
        XCTAssertEqual(try model.predict(Tensor.ones([4, 3])).shape, [4, 2])
    }
}
