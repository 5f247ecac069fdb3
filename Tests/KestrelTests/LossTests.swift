import Foundation
import XCTest
@testable import KestrelCore
@testable import KestrelNN
@testable import KestrelFormats
@testable import KestrelConformance
import Kestrel

final class LossTests: XCTestCase {
    /// Every loss_* fixture: rebuilt from its Keras class and config alone.
    func testKerasLossFixtures() throws {
        let fixtures = try KerasFixture.all(prefix: "loss_")
        XCTAssertGreaterThanOrEqual(fixtures.count, 16)
        var passed = 0
        for fixture in fixtures {
            let loss = try Losses.fromKeras(className: fixture.className, config: fixture.config)
            XCTAssertEqual(loss.kerasClassName, fixture.className)
            let json = try fixture.canonicalJSON(loss.kerasConfig)
            XCTAssertEqual(json.produced, json.stored, "\(fixture.name): config round trip")
            let yTrue = try fixture.tensor("y_true")
            let yPred = try fixture.tensor("y_pred").requiringGradient()
            try loss.validate(yTrue: yTrue, yPred: yPred)
            let value = loss(yTrue: yTrue, yPred: yPred)
            let gradient = Tensor.gradients(of: value, withRespectTo: [yPred])[0]
            let ok = try fixture.check(value, against: "loss")
            let okGradient = try fixture.check(gradient, against: "dy_pred")
            if ok && okGradient { passed += 1 }
        }
        print("loss fixtures passed: \(passed)/\(fixtures.count)")
        XCTAssertEqual(passed, fixtures.count)
    }

    /// Probabilities away from the clip bounds, so finite differences see the smooth part.
    private func probabilities(_ shape: [Int], seed: UInt64) -> Tensor {
        randomTensor(shape, seed: seed, min: 0.1, max: 0.9)
    }

    private func oneHot(_ ids: [Int], classes: Int) -> Tensor {
        Tensor(shape: [ids.count, classes], scalars: ids.flatMap { id in (0..<classes).map { $0 == id ? 1 : 0 } })
    }

    func testGradientsOfRegressionLosses() {
        let yTrue = randomTensor([4, 3], seed: 2)
        // Errors kept away from 0 (MAE's kink) and from ±delta (Huber's switch).
        let yPred = yTrue + Tensor(shape: [4, 3], scalars: [0.3, -0.7, 1.6, -2.1, 0.2, 0.45, -0.8, 1.2, -0.3, 2.5, -0.6, 0.9])
        for loss in [MeanSquaredError(), MeanAbsoluteError(), Huber(delta: 1), Huber(delta: 0.5)] as [any Loss] {
            assertGradientsMatch([yPred]) { loss(yTrue: yTrue, yPred: $0[0]) }
        }
    }

    func testGradientsOfCrossEntropies() {
        let labels = Tensor(shape: [3, 4], scalars: [1, 0, 1, 0, 0, 0, 1, 1, 1, 1, 0, 0])
        let logits = randomTensor([3, 4], seed: 3, min: -3, max: 3)
        let probs = probabilities([3, 4], seed: 4)
        let cases: [(any Loss, Tensor, Tensor)] = [
            (BinaryCrossentropy(), labels, probs),
            (BinaryCrossentropy(labelSmoothing: 0.2), labels, probs),
            (BinaryCrossentropy(fromLogits: true), labels, logits),
            (BinaryCrossentropy(fromLogits: true, labelSmoothing: 0.1), labels, logits),
            (CategoricalCrossentropy(), oneHot([0, 3, 1], classes: 4), probs),
            (CategoricalCrossentropy(labelSmoothing: 0.1), oneHot([0, 3, 1], classes: 4), probs),
            (CategoricalCrossentropy(fromLogits: true), oneHot([2, 0, 1], classes: 4), logits),
            (SparseCategoricalCrossentropy(), Tensor([0, 3, 1]), probs),
            (SparseCategoricalCrossentropy(fromLogits: true), Tensor([2, 0, 1]), logits),
        ]
        for (loss, yTrue, yPred) in cases {
            assertGradientsMatch([yPred]) { loss(yTrue: yTrue, yPred: $0[0]) }
        }
    }

    /// The fused sparse op on (N, T, C) logits, its backward checked by finite differences
    /// and against softmax − onehot divided by the number of positions.
    func testFusedSparseCrossEntropyOnSequences() {
        let logits = randomTensor([2, 3, 5], seed: 5, min: -2, max: 2)
        let ids: [Float] = [4, 0, 2, 1, 1, 3]
        let loss = SparseCategoricalCrossentropy(fromLogits: true)
        let yTrue = Tensor(shape: [2, 3], scalars: ids)
        assertGradientsMatch([logits]) { loss(yTrue: yTrue, yPred: $0[0]) }

        let variable = logits.requiringGradient()
        let value = loss(yTrue: yTrue, yPred: variable)
        let gradient = Tensor.gradients(of: value, withRespectTo: [variable])[0]
        let expected = (softmax(logits) - Tensor(shape: [2, 3, 5], scalars: ids.flatMap { id in (0..<5).map { Float($0 == Int(id) ? 1 : 0) } })) / 6
        assertClose(gradient, expected.scalars, tolerance: 1e-6)
        // The value equals the mean of −log softmax at the labels.
        let picked = logSoftmax(logits).scalars
        let manual = -(0..<6).map { picked[$0 * 5 + Int(ids[$0])] }.reduce(0, +) / 6
        XCTAssertEqual(value.scalar, manual, accuracy: 1e-6)
    }

    func testSparseLabelsWithTrailingAxisAndIgnoredClass() {
        let logits = randomTensor([4, 3], seed: 6, min: -2, max: 2)
        let flat = SparseCategoricalCrossentropy(fromLogits: true)(yTrue: Tensor([2, 0, 1, 1]), yPred: logits)
        let column = SparseCategoricalCrossentropy(fromLogits: true)(yTrue: Tensor(shape: [4, 1], scalars: [2, 0, 1, 1]), yPred: logits)
        XCTAssertEqual(flat.scalar, column.scalar)

        // Ignoring class 1 averages the two remaining positions only.
        let ignoring = SparseCategoricalCrossentropy(fromLogits: true, ignoreClass: 1)
        let value = ignoring(yTrue: Tensor([2, 0, 1, 1]), yPred: logits)
        let l = logSoftmax(logits).scalars
        XCTAssertEqual(value.scalar, -(l[2] + l[3]) / 2, accuracy: 1e-5)
        assertGradientsMatch([logits]) { ignoring(yTrue: Tensor([2, 0, 1, 1]), yPred: $0[0]) }
    }

    func testBinaryCrossentropyAtClippedProbabilitiesHasNoGradient() {
        let yPred = Tensor([0, 1, 0.5]).requiringGradient()
        let value = BinaryCrossentropy()(yTrue: Tensor([1, 0, 1]), yPred: yPred)
        let g = Tensor.gradients(of: value, withRespectTo: [yPred])[0].scalars
        XCTAssertEqual(g[0], 0)
        XCTAssertEqual(g[1], 0)
        XCTAssertNotEqual(g[2], 0)
        // -log(1e-7), -log(1 - (1 - 1e-7)) in float32 (= -log(2^-23)) and -log(0.5), averaged.
        XCTAssertEqual(value.scalar, (-log(Float(1e-7)) - log(Float(1.1920929e-7)) - log(Float(0.5))) / 3, accuracy: 1e-4)
        XCTAssertEqual(ProbabilityClip.upper, 0.99999988079071044921875)
    }

    /// The fused sigmoid cross-entropy gives sigmoid(z) − y even at z = 0, where a
    /// composition of relu and abs would pick one-sided derivatives.
    func testBinaryCrossentropyFromLogitsAtZero() {
        let logits = Tensor.zeros([1, 2]).requiringGradient()
        let value = BinaryCrossentropy(fromLogits: true)(yTrue: Tensor([[1, 0]]), yPred: logits)
        XCTAssertEqual(value.scalar, log(2), accuracy: 1e-7)
        let g = Tensor.gradients(of: value, withRespectTo: [logits])[0]
        assertClose(g, [-0.25, 0.25], tolerance: 1e-7)
    }

    /// With the activation's input given, the probability losses compute from logits as
    /// Keras on TensorFlow does, so a saturated softmax is not clipped at 1e-7.
    func testPreActivationLogitsBypassClipping() {
        let z = Tensor([[30, 0, -30]]).requiringGradient()
        let p = softmax(z)
        let scce = SparseCategoricalCrossentropy()
        XCTAssertEqual(scce(yTrue: Tensor([2]), yPred: p).scalar, -log(Float(1e-7)), accuracy: 1e-3)
        let fromPreActivation = scce(yTrue: Tensor([2]), yPred: p, preActivation: z)
        XCTAssertEqual(fromPreActivation.scalar, 60, accuracy: 1e-3)
        assertClose(Tensor.gradients(of: fromPreActivation, withRespectTo: [z])[0], [1, 0, -1], tolerance: 1e-5)
        let cce = CategoricalCrossentropy(labelSmoothing: 0.1)
        XCTAssertEqual(cce(yTrue: Tensor([[0, 0, 1]]), yPred: p, preActivation: z).scalar,
                       CategoricalCrossentropy(fromLogits: true, labelSmoothing: 0.1)(yTrue: Tensor([[0, 0, 1]]), yPred: z).scalar)
        let logits = Tensor([[40, -3]])
        XCTAssertEqual(BinaryCrossentropy()(yTrue: Tensor([[0, 1]]), yPred: sigmoid(logits), preActivation: logits).scalar,
                       BinaryCrossentropy(fromLogits: true)(yTrue: Tensor([[0, 1]]), yPred: logits).scalar)
        XCTAssertEqual(scce(yTrue: Tensor([0]), yPred: p, preActivation: nil).scalar, scce(yTrue: Tensor([0]), yPred: p).scalar)
    }

    func testRegressionValuesByHand() {
        let yTrue = Tensor([[0, 1], [2, 3]]), yPred = Tensor([[1, 1], [0, 3.5]])
        XCTAssertEqual(MeanSquaredError()(yTrue: yTrue, yPred: yPred).scalar, (0.5 + 2.125) / 2)
        XCTAssertEqual(MeanAbsoluteError()(yTrue: yTrue, yPred: yPred).scalar, (0.5 + 1.25) / 2)
        // Huber delta 1: errors 1, 0, -2, 0.5 → 0.5, 0, 1.5, 0.125.
        XCTAssertEqual(Huber()(yTrue: yTrue, yPred: yPred).scalar, ((0.5 + 0) / 2 + (1.5 + 0.125) / 2) / 2)
        XCTAssertEqual(MeanSquaredError(reduction: .sum)(yTrue: yTrue, yPred: yPred).scalar, 0.5 + 2.125)
        // A (N) target against an (N, 1) prediction is aligned as in Keras.
        XCTAssertEqual(MeanSquaredError()(yTrue: Tensor([1, 2]), yPred: Tensor([[2], [2]])).scalar, 0.5)
    }

    func testValidationNamesLossShapesAndRanges() throws {
        let logits = Tensor.zeros([3, 4])
        assertThrowsMessage(["SparseCategoricalCrossentropy", "y_true[1] = 4.0", "[0, 4)"]) {
            try SparseCategoricalCrossentropy(fromLogits: true).validate(yTrue: Tensor([0, 4, 1]), yPred: logits)
        }
        assertThrowsMessage(["SparseCategoricalCrossentropy", "y_true[0] = 1.5"]) {
            try SparseCategoricalCrossentropy().validate(yTrue: Tensor([1.5, 0, 1]), yPred: logits)
        }
        assertThrowsMessage(["SparseCategoricalCrossentropy", "[3, 4, 1]", "expected y_true of shape [3]", "CategoricalCrossentropy"]) {
            try SparseCategoricalCrossentropy().validate(yTrue: Tensor.zeros([3, 4, 1]), yPred: logits)
        }
        assertThrowsMessage(["CategoricalCrossentropy", "[3]", "[3, 4]", "SparseCategoricalCrossentropy"]) {
            try CategoricalCrossentropy().validate(yTrue: Tensor([0, 1, 2]), yPred: logits)
        }
        assertThrowsMessage(["MeanSquaredError", "[3, 2]", "[3, 4]"]) {
            try MeanSquaredError().validate(yTrue: Tensor.zeros([3, 2]), yPred: logits)
        }
        assertThrowsMessage(["BinaryCrossentropy", "y_true holds NaN"]) {
            try BinaryCrossentropy().validate(yTrue: Tensor([[Float.nan, 0, 0, 1], [0, 0, 0, 0], [1, 1, 1, 1]]), yPred: logits)
        }
        XCTAssertNoThrow(try SparseCategoricalCrossentropy().validate(yTrue: Tensor(shape: [3, 1], scalars: [0, 3, 2]), yPred: logits))
        XCTAssertNoThrow(try SparseCategoricalCrossentropy(ignoreClass: -1).validate(yTrue: Tensor([0, -1, 2]), yPred: logits))
        XCTAssertNoThrow(try MeanSquaredError().validate(yTrue: Tensor([1, 2, 3]), yPred: Tensor.zeros([3, 1])))
    }

    func testKerasNamesAndConfigRoundTrip() throws {
        XCTAssertTrue(try Losses.named("mse") is MeanSquaredError)
        XCTAssertTrue(try Losses.named("mean_absolute_error") is MeanAbsoluteError)
        XCTAssertTrue(try Losses.named("huber") is Huber)
        XCTAssertTrue(try Losses.named("bce") is BinaryCrossentropy)
        XCTAssertTrue(try Losses.named("categorical_crossentropy") is CategoricalCrossentropy)
        XCTAssertTrue(try Losses.named("sparse_categorical_crossentropy") is SparseCategoricalCrossentropy)
        assertThrowsMessage(["unknown loss \"hinge\""]) { _ = try Losses.named("hinge") }
        assertThrowsMessage(["KLDivergence", "not supported"]) { _ = try Losses.fromKeras(className: "KLDivergence", config: [:]) }
        assertThrowsMessage(["reduction", "none"]) {
            _ = try Losses.fromKeras(className: "MeanSquaredError", config: ["reduction": "none"])
        }

        let losses: [any Loss] = [MeanSquaredError(), MeanAbsoluteError(), Huber(delta: 0.25),
                                  BinaryCrossentropy(fromLogits: true, labelSmoothing: 0.1),
                                  CategoricalCrossentropy(labelSmoothing: 0.2),
                                  SparseCategoricalCrossentropy(fromLogits: true, ignoreClass: 3)]
        for loss in losses {
            let json = try JSONSerialization.data(withJSONObject: loss.kerasConfig, options: [.sortedKeys])
            let decoded = try JSONSerialization.jsonObject(with: json) as! [String: Any]
            let rebuilt = try Losses.fromKeras(className: loss.kerasClassName, config: decoded)
            let again = try JSONSerialization.data(withJSONObject: rebuilt.kerasConfig, options: [.sortedKeys])
            XCTAssertEqual(String(decoding: json, as: UTF8.self), String(decoding: again, as: UTF8.self))
        }
        let scce = try JSONSerialization.data(withJSONObject: SparseCategoricalCrossentropy().kerasConfig, options: [.sortedKeys])
        XCTAssertEqual(String(decoding: scce, as: UTF8.self),
                       #"{"axis":-1,"from_logits":false,"ignore_class":null,"name":"sparse_categorical_crossentropy","reduction":"sum_over_batch_size"}"#)
    }
}
