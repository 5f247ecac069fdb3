import KestrelCore

/// Inverted dropout (Keras `Dropout(rate)`): in training, zeroes each value with
/// probability `rate` and scales the rest by 1/(1 − rate); at inference it is the identity.
/// Masks come from the layer's seeded generator, so runs are reproducible.
public final class Dropout: Layer {
    public let rate: Float

    public init(_ rate: Float, name: String? = nil) {
        self.rate = rate
        super.init(name: name)
    }

    public override func build(inputShapes: [[Int]]) throws {
        try require(rate >= 0 && rate < 1, "rate must be in [0, 1), got \(rate); it is the fraction of inputs to drop")
    }

    public override func call(_ inputs: [Tensor], training: Bool) throws -> [Tensor] {
        try expectInputs(inputs, count: 1)
        let x = inputs[0]
        guard training, rate > 0 else { return [x] }
        return [x * dropoutMask(x.shape, rate: rate, generator: &generator)]
    }

    public override var configuration: [String: Any] { ["rate": Double(rate)] }

    public override var supportsMasking: Bool { true }
}

extension Dropout: KerasReadableLayer {
    /// The layer a Keras `Dropout` config describes; absent keys take Keras's defaults.
    public static func fromKeras(_ c: KerasConfig) throws -> Layer {
        try c.rejectUnlessNull("noise_shape")
        return Dropout(try c.float("rate"), name: c.name)
    }
}

/// Inverted-dropout multipliers: 0 with probability `rate`, else 1 / (1 − rate). Dropout
/// multiplies them in; the recurrent layers draw one per sequence and reuse it at every step.
package func dropoutMask(_ shape: [Int], rate: Float, generator: inout RandomGenerator) -> Tensor {
    let keep = 1 / (1 - rate)
    return Tensor(shape: shape) { p, count in
        for i in 0..<count { p[i] = generator.nextUniform() >= rate ? keep : 0 }
    }
}
