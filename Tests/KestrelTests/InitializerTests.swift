import Foundation
import XCTest
@testable import KestrelCore
@testable import KestrelNN
@testable import KestrelFormats
@testable import KestrelConformance
import Kestrel

final class InitializerTests: XCTestCase {
    private func statistics(_ t: Tensor) -> (mean: Double, variance: Double, min: Float, max: Float) {
        let v = t.scalars.map(Double.init)
        let mean = v.reduce(0, +) / Double(v.count)
        let variance = v.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(v.count)
        return (mean, variance, t.scalars.min()!, t.scalars.max()!)
    }

    func testFansIncludeTheReceptiveField() {
        XCTAssertTrue(kerasFans([]) == (1, 1))
        XCTAssertTrue(kerasFans([7]) == (7, 7))
        XCTAssertTrue(kerasFans([3, 5]) == (3, 5))
        XCTAssertTrue(kerasFans([3, 3, 4, 8]) == (36, 72))
        XCTAssertTrue(kerasFans([5, 2, 6]) == (10, 30))
    }

    /// Each variance-scaling initializer: sample variance ≈ scale / n, bounds as Keras.
    func testVarianceScalingPresetsMatchKerasFormulas() throws {
        let shape = [3, 3, 16, 32] // fan-in 144, fan-out 288
        let cases: [(any Initializer, Double, Bool)] = [
            (GlorotUniform(), 2.0 / (144 + 288), true), (GlorotNormal(), 2.0 / (144 + 288), false),
            (HeUniform(), 2.0 / 144, true), (HeNormal(), 2.0 / 144, false),
            (LecunUniform(), 1.0 / 144, true), (LecunNormal(), 1.0 / 144, false),
        ]
        var generator = RandomGenerator(seed: 42)
        for (initializer, variance, uniform) in cases {
            let t = initializer(shape: shape, generator: &generator)
            XCTAssertEqual(t.shape, shape)
            let s = statistics(t)
            XCTAssertEqual(s.mean, 0, accuracy: 0.05 * variance.squareRoot(), initializer.kerasClassName)
            XCTAssertEqual(s.variance / variance, 1, accuracy: 0.05, initializer.kerasClassName)
            let bound = uniform ? (3 * variance).squareRoot() : 2 * variance.squareRoot() / 0.87962566103423978
            XCTAssertLessThanOrEqual(Double(Swift.max(-s.min, s.max)), bound * (1 + 1e-6), initializer.kerasClassName)
            XCTAssertGreaterThan(Double(Swift.max(-s.min, s.max)), bound * 0.95, initializer.kerasClassName)
        }
        let untruncated = try VarianceScaling(scale: 3, mode: .fanOut, distribution: .untruncatedNormal)
        let s = statistics(untruncated(shape: [200, 100], generator: &generator))
        XCTAssertEqual(s.variance / (3.0 / 100), 1, accuracy: 0.05)
    }

    func testPlainRandomAndConstantInitializers() {
        var generator = RandomGenerator(seed: 1)
        let uniform = statistics(RandomUniform(minval: -1, maxval: 3)(shape: [100, 100], generator: &generator))
        XCTAssertEqual(uniform.mean, 1, accuracy: 0.03)
        XCTAssertEqual(uniform.variance, 16.0 / 12, accuracy: 0.03)
        XCTAssertGreaterThanOrEqual(uniform.min, -1)
        XCTAssertLessThan(uniform.max, 3)
        let normal = statistics(RandomNormal(mean: 2, stddev: 0.5)(shape: [100, 100], generator: &generator))
        XCTAssertEqual(normal.mean, 2, accuracy: 0.02)
        XCTAssertEqual(normal.variance, 0.25, accuracy: 0.01)
        let truncated = statistics(TruncatedNormal(mean: 0, stddev: 1)(shape: [100, 100], generator: &generator))
        XCTAssertEqual(truncated.variance, 0.87962566103423978 * 0.87962566103423978, accuracy: 0.02)
        XCTAssertLessThanOrEqual(Swift.max(-truncated.min, truncated.max), 2)
        XCTAssertEqual(Zeros()(shape: [2, 3], generator: &generator), Tensor.zeros([2, 3]))
        XCTAssertEqual(Ones()(shape: [4], generator: &generator), Tensor.ones([4]))
        XCTAssertEqual(Constant(0.5)(shape: [2], generator: &generator).scalars, [0.5, 0.5])
    }

    func testOrthogonalIsOrthogonalForTallWideAndConvShapes() {
        var generator = RandomGenerator(seed: 3)
        for (shape, gain) in [([8, 5], 1.0), ([4, 9], 1), ([6, 6], 2), ([3, 3, 2, 4], 1)] as [([Int], Double)] {
            let t = Orthogonal(gain: gain)(shape: shape, generator: &generator)
            XCTAssertEqual(t.shape, shape)
            let rows = shape.dropLast().reduce(1, *), cols = shape.last!
            let m = t.reshaped([rows, cols]) / Float(gain)
            // The short side is orthonormal: QᵀQ = I (tall) or QQᵀ = I (wide).
            let gram = rows >= cols ? matmul(m.transposed(), m) : matmul(m, m.transposed())
            let k = Swift.min(rows, cols)
            let identity = Tensor(shape: [k, k], scalars: (0..<(k * k)).map { $0 % (k + 1) == 0 ? 1 : 0 })
            assertClose(gram, identity.scalars, tolerance: 1e-5)
        }
    }

    func testSeededInitializersRepeatAndUnseededFollowTheGenerator() {
        var g1 = RandomGenerator(seed: 5), g2 = RandomGenerator(seed: 99)
        let seeded = HeNormal(seed: 7)
        XCTAssertEqual(seeded(shape: [4, 4], generator: &g1), seeded(shape: [4, 4], generator: &g2))
        let unseeded = HeNormal()
        XCTAssertNotEqual(unseeded(shape: [4, 4], generator: &g1), unseeded(shape: [4, 4], generator: &g1))
        XCTAssertEqual(Orthogonal(seed: 1)(shape: [3, 3], generator: &g1), Orthogonal(seed: 1)(shape: [3, 3], generator: &g2))
    }

    func testKerasNamesAndConfigs() throws {
        XCTAssertTrue(try Initializers.named("glorot_uniform") is GlorotUniform)
        XCTAssertTrue(try Initializers.named("he_normal") is HeNormal)
        XCTAssertTrue(try Initializers.named("orthogonal") is Orthogonal)
        XCTAssertTrue(try Initializers.named("zeros") is Zeros)
        XCTAssertNil(try Initializers.fromKeras(nil))
        XCTAssertNil(try Initializers.fromKeras(NSNull()))
        let nested: [String: Any] = ["module": "keras.initializers", "class_name": "RandomUniform",
                                     "config": ["minval": -0.1, "maxval": 0.2, "seed": 3], "registered_name": NSNull()]
        let uniform = try XCTUnwrap(try Initializers.fromKeras(nested) as? RandomUniform)
        XCTAssertEqual(uniform.minval, -0.1)
        XCTAssertEqual(uniform.seed, 3)
        assertThrowsMessage(["Identity", "not supported"]) { _ = try Initializers.fromKeras(className: "Identity", config: [:]) }
        assertThrowsMessage(["mode", "fan_sideways"]) {
            _ = try Initializers.fromKeras(className: "VarianceScaling", config: ["mode": "fan_sideways"])
        }
        let normalAlias = try Initializers.fromKeras(className: "VarianceScaling", config: ["distribution": "normal"])
        XCTAssertEqual((normalAlias as? VarianceScaling)?.distribution, .truncatedNormal)

        let all: [any Initializer] = [GlorotUniform(seed: 1), GlorotNormal(), HeUniform(), HeNormal(seed: 2), LecunUniform(),
                                      LecunNormal(), Orthogonal(gain: 2), Zeros(), Ones(), Constant(3),
                                      RandomUniform(), RandomNormal(mean: 1), TruncatedNormal(stddev: 2),
                                      try VarianceScaling(scale: 2, mode: .fanAvg, distribution: .uniform)]
        for initializer in all {
            let json = try JSONSerialization.data(withJSONObject: initializer.kerasSerialized, options: [.sortedKeys])
            let rebuilt = try XCTUnwrap(try Initializers.fromKeras(try JSONSerialization.jsonObject(with: json)))
            let again = try JSONSerialization.data(withJSONObject: rebuilt.kerasSerialized, options: [.sortedKeys])
            XCTAssertEqual(String(decoding: json, as: UTF8.self), String(decoding: again, as: UTF8.self))
        }
    }
}
