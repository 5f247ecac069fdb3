import Foundation
import XCTest
@testable import KestrelCore
@testable import KestrelNN
@testable import KestrelFormats
@testable import KestrelConformance
import Kestrel

final class OptimizerTests: XCTestCase {
    /// Every optimizer_* fixture: one optimizer from the Keras config, three steps.
    func testKerasOptimizerFixtures() throws {
        let fixtures = try KerasFixture.all(prefix: "optimizer_")
        XCTAssertGreaterThanOrEqual(fixtures.count, 10)
        var passed = 0
        for fixture in fixtures {
            let optimizer = try Optimizers.fromKeras(className: fixture.className, config: fixture.config)
            XCTAssertEqual(optimizer.kerasClassName, fixture.className)
            let json = try fixture.canonicalJSON(optimizer.kerasConfig)
            XCTAssertEqual(json.produced, json.stored, "\(fixture.name): config round trip")
            let parameter = Parameter(name: "w", path: "fixture/w", value: try fixture.tensor("w0"))
            var ok = true
            for step in 1...3 {
                try optimizer.apply(gradients: [try fixture.tensor("g\(step)")], to: [parameter])
                ok = try fixture.check(parameter.value, against: "w\(step)") && ok
            }
            XCTAssertEqual(optimizer.iterations, 3)
            if ok { passed += 1 }
        }
        print("optimizer fixtures passed: \(passed)/\(fixtures.count)")
        XCTAssertEqual(passed, fixtures.count)
    }

    private func gradientSequence(_ shape: [Int], steps: Int) -> [Tensor] {
        (0..<steps).map { randomTensor(shape, seed: UInt64(100 + $0), min: -2, max: 2) }
    }

    /// Saving the state after two steps and loading it into a fresh optimizer continues
    /// bit for bit like the original.
    func testStateRoundTripContinuesIdentically() throws {
        let makers: [() throws -> Optimizer] = [
            { try SGD(learningRate: 0.1, momentum: 0.9, nesterov: true) },
            { try Adam(learningRate: 0.01, amsgrad: true) },
            { try AdamW(learningRate: 0.01, weightDecay: 0.1) },
            { try RMSprop(learningRate: 0.01, momentum: 0.5, centered: true) },
            { try Adagrad(learningRate: 0.1) },
        ]
        let grads = gradientSequence([3, 2], steps: 4)
        let biasGrads = gradientSequence([2], steps: 4)
        for make in makers {
            let original = try make()
            let w = Parameter(name: "kernel", path: "dense/kernel", value: randomTensor([3, 2], seed: 9))
            let b = Parameter(name: "bias", path: "dense/bias", value: randomTensor([2], seed: 10))
            for s in 0..<2 { try original.apply(gradients: [grads[s], biasGrads[s]], to: [w, b]) }
            let state = original.stateTensors()
            XCTAssertEqual(state["iterations"]?.scalar, 2)

            let restored = try make()
            let w2 = Parameter(name: "kernel", path: "dense/kernel", value: w.value)
            let b2 = Parameter(name: "bias", path: "dense/bias", value: b.value)
            try restored.loadState(state, parameters: [w2, b2])
            XCTAssertEqual(restored.iterations, 2)
            for s in 2..<4 {
                try original.apply(gradients: [grads[s], biasGrads[s]], to: [w, b])
                try restored.apply(gradients: [grads[s], biasGrads[s]], to: [w2, b2])
            }
            XCTAssertEqual(w.value, w2.value, "\(original.kerasClassName)")
            XCTAssertEqual(b.value, b2.value, "\(original.kerasClassName)")
        }
    }

    func testLoadStateRejectsForeignState() throws {
        let adam = try Adam()
        let w = Parameter(name: "kernel", path: "dense/kernel", value: Tensor.zeros([2, 2]))
        try adam.apply(gradients: [Tensor.ones([2, 2])], to: [w])
        let state = adam.stateTensors()
        assertThrowsMessage(["loadState", "unexpected entry \"dense/kernel/", "accumulator"]) {
            try Adagrad().loadState(state)
        }
        let other = Parameter(name: "kernel", path: "dense/kernel", value: Tensor.zeros([3, 2]))
        assertThrowsMessage(["dense/kernel", "[2, 2]", "[3, 2]"]) { try Adam().loadState(state, parameters: [other]) }
        let renamed = Parameter(name: "kernel", path: "conv/kernel", value: Tensor.zeros([2, 2]))
        assertThrowsMessage(["dense/kernel", "not one of the parameters"]) { try Adam().loadState(state, parameters: [renamed]) }
        assertThrowsMessage(["iterations"]) { try Adam().loadState(["dense/kernel/momentum": Tensor.zeros([2, 2])]) }
    }

    func testApplyRejectsMismatchesBeforeChangingAnything() throws {
        let sgd = try SGD()
        let w = Parameter(name: "w", value: Tensor.ones([2]))
        assertThrowsMessage(["1 gradients for 2 parameters"]) {
            try sgd.apply(gradients: [Tensor.ones([2])], to: [w, w])
        }
        assertThrowsMessage(["gradient of shape [3]", "w of shape [2]"]) {
            try sgd.apply(gradients: [Tensor.ones([3])], to: [w])
        }
        assertThrowsMessage(["share the path w"]) {
            try sgd.apply(gradients: [Tensor.ones([2]), Tensor.ones([2])], to: [w, Parameter(name: "w", value: Tensor.ones([2]))])
        }
        XCTAssertEqual(w.value.scalars, [1, 1])
        XCTAssertEqual(sgd.iterations, 0)
    }

    func testNonTrainableParametersAreSkipped() throws {
        let frozen = Parameter(name: "moving_mean", value: Tensor([1, 2]), trainable: false)
        let w = Parameter(name: "w", value: Tensor([1, 2]))
        try SGD(learningRate: 0.5).apply(gradients: [Tensor([1, 1]), Tensor([1, 1])], to: [w, frozen])
        XCTAssertEqual(w.value.scalars, [0.5, 1.5])
        XCTAssertEqual(frozen.value.scalars, [1, 2])
    }

    func testClipping() throws {
        // clipnorm: each gradient scaled to norm ≤ 1 on its own.
        let a = Parameter(name: "a", value: Tensor.zeros([2])), b = Parameter(name: "b", value: Tensor.zeros([2]))
        try SGD(learningRate: 1, clipnorm: 1).apply(gradients: [Tensor([3, 4]), Tensor([0.3, 0.4])], to: [a, b])
        assertClose(a.value, [-0.6, -0.8], tolerance: 1e-6)
        assertClose(b.value, [-0.3, -0.4], tolerance: 1e-6)
        // global_clipnorm: joint norm sqrt(25 + 144) = 13 scaled to 6.5.
        let c = Parameter(name: "c", value: Tensor.zeros([2])), d = Parameter(name: "d", value: Tensor.zeros([1]))
        try SGD(learningRate: 1, globalClipnorm: 6.5).apply(gradients: [Tensor([3, 4]), Tensor([12])], to: [c, d])
        assertClose(c.value, [-1.5, -2], tolerance: 1e-6)
        assertClose(d.value, [-6], tolerance: 1e-6)
        // clipvalue: element-wise.
        let e = Parameter(name: "e", value: Tensor.zeros([3]))
        try SGD(learningRate: 1, clipvalue: 0.5).apply(gradients: [Tensor([3, -0.2, -4])], to: [e])
        assertClose(e.value, [-0.5, 0.2, 0.5], tolerance: 0)
        // Configs with two clipping modes are refused, as in Keras.
        assertThrowsMessage(["only one of clipnorm, clipvalue and global_clipnorm"]) {
            _ = try Optimizers.fromKeras(className: "SGD", config: ["clipnorm": 1.0, "clipvalue": 1.0])
        }
        // A zero gradient stays zero under clipnorm (no division by a zero norm).
        let f = Parameter(name: "f", value: Tensor.ones([2]))
        try Adam(clipnorm: 1).apply(gradients: [Tensor.zeros([2])], to: [f])
        XCTAssertEqual(f.value.scalars, [1, 1])
    }

    func testWeightDecayIsDecoupledAndUsesTheLearningRate() throws {
        let w = Parameter(name: "w", value: Tensor([2, -4]))
        try SGD(learningRate: 0.1, weightDecay: 0.5).apply(gradients: [Tensor([1, 1])], to: [w])
        // w − w·0.5·0.1, then − 0.1·g.
        assertClose(w.value, [2 - 0.1 - 0.1, -4 + 0.2 - 0.1], tolerance: 1e-6)
    }

    func testSchedulesAtSeveralSteps() throws {
        let exponential = try ExponentialDecay(initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5)
        XCTAssertEqual(exponential(step: 0), 0.1)
        XCTAssertEqual(exponential(step: 10), 0.05, accuracy: 1e-8)
        XCTAssertEqual(exponential(step: 5), 0.1 * Float(0.5).squareRoot(), accuracy: 1e-8)
        let staircase = try ExponentialDecay(initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5, staircase: true)
        XCTAssertEqual(staircase(step: 19), 0.05, accuracy: 1e-8)
        XCTAssertEqual(staircase(step: 20), 0.025, accuracy: 1e-8)

        let cosine = try CosineDecay(initialLearningRate: 1, decaySteps: 100, alpha: 0.1)
        XCTAssertEqual(cosine(step: 0), 1)
        XCTAssertEqual(cosine(step: 50), 0.55, accuracy: 1e-6)
        XCTAssertEqual(cosine(step: 100), 0.1, accuracy: 1e-6)
        XCTAssertEqual(cosine(step: 500), 0.1, accuracy: 1e-6)
        let warm = try CosineDecay(initialLearningRate: 0, decaySteps: 10, warmupTarget: 1, warmupSteps: 4)
        XCTAssertEqual(warm(step: 2), 0.5)
        XCTAssertEqual(warm(step: 4), 1)
        XCTAssertEqual(warm(step: 9), 0.5, accuracy: 1e-6)
        XCTAssertEqual(warm(step: 100), 0, accuracy: 1e-6)

        let piecewise = try PiecewiseConstantDecay(boundaries: [10, 20], values: [1, 0.5, 0.1])
        XCTAssertEqual([0, 10, 11, 20, 21, 1000].map { piecewise(step: $0) }, [1, 1, 0.5, 0.5, 0.1, 0.1])
    }

    /// The optimizer evaluates its schedule at `iterations` before each update.
    func testOptimizerFollowsItsSchedule() throws {
        let schedule = try PiecewiseConstantDecay(boundaries: [0], values: [1, 0.5])
        let sgd = try SGD(learningRate: .schedule(schedule))
        let w = Parameter(name: "w", value: Tensor([0]))
        XCTAssertEqual(sgd.learningRate, 1)
        try sgd.apply(gradients: [Tensor([1])], to: [w])
        XCTAssertEqual(sgd.learningRate, 0.5)
        try sgd.apply(gradients: [Tensor([1])], to: [w])
        XCTAssertEqual(w.value.scalars, [-1.5])
        assertThrowsMessage(["PiecewiseConstantDecay schedule", "cannot be set"]) { try sgd.setLearningRate(0.1) }

        let adam = try Adam(learningRate: 0.01)
        adam.learningRate = 0.1
        XCTAssertEqual(adam.learningRate, 0.1)
        try adam.setLearningRate(0.2)
        XCTAssertEqual(adam.stateTensors()["learning_rate"]?.scalar, 0.2)
    }

    func testKerasConfigRoundTrip() throws {
        let optimizers: [Optimizer] = [
            try SGD(learningRate: 0.1, momentum: 0.9, nesterov: true, clipnorm: 1),
            try Adam(learningRate: 0.01, beta1: 0.8, amsgrad: true, globalClipnorm: 2),
            try AdamW(weightDecay: 0.1, clipvalue: 0.5),
            try RMSprop(rho: 0.8, momentum: 0.9, centered: true),
            try Adagrad(initialAccumulatorValue: 0),
            try Adam(learningRate: .schedule(try ExponentialDecay(initialLearningRate: 0.1, decaySteps: 100, decayRate: 0.9, staircase: true))),
            try SGD(learningRate: .schedule(try CosineDecay(initialLearningRate: 0.1, decaySteps: 100, warmupTarget: 0.5, warmupSteps: 10))),
            try RMSprop(learningRate: .schedule(try PiecewiseConstantDecay(boundaries: [5], values: [0.1, 0.01]))),
        ]
        for optimizer in optimizers {
            let json = try JSONSerialization.data(withJSONObject: optimizer.kerasConfig, options: [.sortedKeys])
            let decoded = try JSONSerialization.jsonObject(with: json) as! [String: Any]
            let rebuilt = try Optimizers.fromKeras(className: optimizer.kerasClassName, config: decoded)
            XCTAssertEqual(rebuilt.kerasClassName, optimizer.kerasClassName)
            let again = try JSONSerialization.data(withJSONObject: rebuilt.kerasConfig, options: [.sortedKeys])
            XCTAssertEqual(String(decoding: json, as: UTF8.self), String(decoding: again, as: UTF8.self))
        }
        // learning_rate is written as the float32 value, as Keras does.
        XCTAssertEqual(try Adam(learningRate: 0.01).kerasConfig["learning_rate"] as? Double, 0.009999999776482582)
        XCTAssertTrue(try Optimizers.named("adam") is Adam)
        XCTAssertEqual(try Optimizers.named("sgd").learningRate, 0.01)
        assertThrowsMessage(["use_ema", "not supported"]) {
            _ = try Optimizers.fromKeras(className: "Adam", config: ["use_ema": true])
        }
        assertThrowsMessage(["Lion", "not supported"]) { _ = try Optimizers.fromKeras(className: "Lion", config: [:]) }
    }
}
