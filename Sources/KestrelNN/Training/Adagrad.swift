import KestrelCore

/// Adagrad (Keras `Adagrad`): the accumulator starts at `initialAccumulatorValue`
/// (default 0.1); `acc += g²`, `w −= lr·g/sqrt(acc + ε)`.
public final class Adagrad: Optimizer {
    public let initialAccumulatorValue: Double
    public let epsilon: Double

    public init(learningRate: LearningRate = 0.001, initialAccumulatorValue: Double = 0.1, epsilon: Double = 1e-7,
                weightDecay: Double? = nil, clipnorm: Double? = nil, clipvalue: Double? = nil,
                globalClipnorm: Double? = nil, name: String = "adagrad") throws {
        self.initialAccumulatorValue = initialAccumulatorValue
        self.epsilon = epsilon
        try super.init(kerasClassName: "Adagrad", name: name, learningRate: learningRate, weightDecay: weightDecay,
                   clipnorm: clipnorm, clipvalue: clipvalue, globalClipnorm: globalClipnorm)
    }

    package override var slotNames: [String] { ["accumulator"] }

    package override func initialValue(ofSlot index: Int) -> Float { Float(initialAccumulatorValue) }

    package override var specificConfig: [String: Any] {
        ["initial_accumulator_value": initialAccumulatorValue, "epsilon": epsilon]
    }

    package override func update(weights w: UnsafeMutablePointer<Float>, gradients g: UnsafePointer<Float>, count: Int,
                         slots: [UnsafeMutablePointer<Float>], learningRate lr: Float, step: Int) {
        let acc = slots[0], eps = Float(epsilon)
        for i in 0..<count {
            acc[i] += g[i] * g[i]
            w[i] -= (lr * g[i]) / (acc[i] + eps).squareRoot()
        }
    }
}
