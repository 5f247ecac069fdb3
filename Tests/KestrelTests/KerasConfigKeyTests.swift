import Foundation
import XCTest
@testable import KestrelNN
import Kestrel

/// Every layer config real Keras 3 and tf_keras 2 write (Fixtures/keras_configs/
/// make_keras_configs.py) must load; the same config with one key Kestrel does not know, or
/// with an option Kestrel does not implement, must throw an error naming the class and key.
final class KerasConfigKeyTests: XCTestCase {
    private func records(_ file: String) throws -> [(className: String, config: [String: Any])] {
        let json = try JSONSerialization.jsonObject(with: try IOFixtures.data("keras_configs/\(file)"))
        let layers = try XCTUnwrap((json as? [String: Any])?["layers"] as? [[String: Any]])
        return try layers.map { (try XCTUnwrap($0["class_name"] as? String), try XCTUnwrap($0["config"] as? [String: Any])) }
    }

    func testEveryKeras3AndKeras2LayerConfigLoads() throws {
        for file in ["layers_keras3.json", "layers_keras2.json"] {
            let all = try records(file)
            XCTAssertGreaterThan(all.count, 50)
            for (className, config) in all {
                XCTAssertNoThrow(try KerasLayerRegistry.makeLayer(className: className, config: config), "\(file) \(className)")
            }
        }
    }

    func testAnUnknownKeyIsRejectedWithItsName() throws {
        for (className, config) in try records("layers_keras3.json") {
            var mutated = config
            mutated["kernel_sizes"] = 3
            XCTAssertThrowsError(try KerasLayerRegistry.makeLayer(className: className, config: mutated), className) { error in
                let message = "\(error)"
                XCTAssertTrue(message.contains(className) && message.contains("\"kernel_sizes\""), message)
            }
        }
    }

    func testAnUnknownKeyInANestedLayerIsRejected() throws {
        let config = try XCTUnwrap(try records("layers_keras3.json").first { $0.className == "Bidirectional" }?.config)
        var mutated = config
        var inner = try XCTUnwrap(mutated["layer"] as? [String: Any])
        var innerConfig = try XCTUnwrap(inner["config"] as? [String: Any])
        innerConfig["peephole"] = true
        inner["config"] = innerConfig
        mutated["layer"] = inner
        XCTAssertThrowsError(try KerasLayerRegistry.makeLayer(className: "Bidirectional", config: mutated)) { error in
            XCTAssertTrue("\(error)".contains("\"peephole\""), "\(error)")
        }
    }

    func testOptionsThatChangeTheResultAreRejectedAndRunSwitchesAccepted() throws {
        let lstm = try XCTUnwrap(try records("layers_keras2.json").first { $0.className == "LSTM" }?.config)
        var timeMajor = lstm
        timeMajor["time_major"] = true
        XCTAssertThrowsError(try KerasLayerRegistry.makeLayer(className: "LSTM", config: timeMajor))
        var implementation = lstm
        implementation["implementation"] = 1
        implementation["unroll"] = true
        XCTAssertNoThrow(try KerasLayerRegistry.makeLayer(className: "LSTM", config: implementation))
        var input: [String: Any] = ["batch_shape": [NSNull(), 3], "sparse": true]
        XCTAssertThrowsError(try KerasLayerRegistry.makeLayer(className: "InputLayer", config: input))
        input["sparse"] = false
        XCTAssertNoThrow(try KerasLayerRegistry.makeLayer(className: "InputLayer", config: input))
        let leaky = try XCTUnwrap(try KerasLayerRegistry.makeLayer(className: "LeakyReLU", config: ["alpha": 0.1]) as? LeakyReLU)
        XCTAssertEqual(leaky.negativeSlope, 0.1, "Keras 2 names the slope alpha")
    }

    func testASeedSeedsTheLayersRandomStream() throws {
        let a = try KerasLayerRegistry.makeLayer(className: "Dropout", config: ["rate": 0.5, "seed": 7])
        let b = try KerasLayerRegistry.makeLayer(className: "Dropout", config: ["rate": 0.5, "seed": 7])
        var ga = a.generator, gb = b.generator
        XCTAssertEqual(ga.next(), gb.next())
        XCTAssertThrowsError(try KerasLayerRegistry.makeLayer(className: "Dropout", config: ["rate": 0.5, "seed": -1]))
    }

    private func objects(_ file: String) throws -> [(kind: String, className: String, config: [String: Any])] {
        let json = try JSONSerialization.jsonObject(with: try IOFixtures.data("keras_configs/\(file)"))
        let list = try XCTUnwrap((json as? [String: Any])?["objects"] as? [[String: Any]])
        return try list.map {
            (try XCTUnwrap($0["kind"] as? String), try XCTUnwrap($0["class_name"] as? String), try XCTUnwrap($0["config"] as? [String: Any]))
        }
    }

    private func read(_ kind: String, _ className: String, _ config: [String: Any]) throws {
        switch kind {
        case "optimizer": _ = try Optimizers.fromKeras(className: className, config: config)
        case "loss": _ = try Losses.fromKeras(className: className, config: config)
        case "initializer": _ = try Initializers.fromKeras(className: className, config: config)
        default: _ = try LearningRateSchedules.fromKeras(className: className, config: config)
        }
    }

    func testOptimizerLossInitializerAndScheduleConfigsLoadAndRejectUnknownKeys() throws {
        for file in ["others_keras3.json", "others_keras2.json"] {
            let all = try objects(file)
            XCTAssertEqual(Set(all.map(\.kind)), ["optimizer", "loss", "initializer", "schedule"])
            for (kind, className, config) in all {
                XCTAssertNoThrow(try read(kind, className, config), "\(file) \(kind) \(className)")
                var mutated = config
                mutated["learning_rate_decay"] = 0.5
                XCTAssertThrowsError(try read(kind, className, mutated), "\(file) \(className)") { error in
                    XCTAssertTrue("\(error)".contains("\"learning_rate_decay\""), "\(error)")
                }
            }
        }
    }
}
