import KestrelCore

/// RMSprop (Keras `RMSprop`): `v = ρv + (1−ρ)g²`; `w −= lr·g/sqrt(v + ε)` with ε inside
/// the square root. `centered` also tracks `a = ρa + (1−ρ)g` and divides by
/// `sqrt(v − a² + ε)`; with momentum, `m = μm + lr·g/sqrt(…)` and `w −= m`.
public final class RMSprop: Optimizer {
    public let rho: Double
    public let momentum: Double
    public let epsilon: Double
    public let centered: Bool

    public init(learningRate: LearningRate = 0.001, rho: Double = 0.9, momentum: Double = 0, epsilon: Double = 1e-7,
                centered: Bool = false, weightDecay: Double? = nil, clipnorm: Double? = nil, clipvalue: Double? = nil,
                globalClipnorm: Double? = nil, name: String = "rmsprop") throws {
        self.rho = rho
        self.momentum = momentum
        self.epsilon = epsilon
        self.centered = centered
        try super.init(kerasClassName: "RMSprop", name: name, learningRate: learningRate, weightDecay: weightDecay,
                   clipnorm: clipnorm, clipvalue: clipvalue, globalClipnorm: globalClipnorm)
    }

    package override var slotNames: [String] {
        ["velocity"] + (momentum > 0 ? ["momentum"] : []) + (centered ? ["average_gradient"] : [])
    }

    package override var specificConfig: [String: Any] {
        ["rho": rho, "momentum": momentum, "epsilon": epsilon, "centered": centered]
    }

    package override func update(weights w: UnsafeMutablePointer<Float>, gradients g: UnsafePointer<Float>, count: Int,
                         slots: [UnsafeMutablePointer<Float>], learningRate lr: Float, step: Int) {
        let r = Float(rho), oneMinusRho = Float(1 - rho), eps = Float(epsilon), mu = Float(momentum)
        let v = slots[0]
        let m: UnsafeMutablePointer<Float>? = momentum > 0 ? slots[1] : nil
        let a: UnsafeMutablePointer<Float>? = centered ? slots[slots.count - 1] : nil
        for i in 0..<count {
            v[i] = r * v[i] + oneMinusRho * (g[i] * g[i])
            let denominator: Float
            if let a {
                a[i] = r * a[i] + oneMinusRho * g[i]
                denominator = v[i] - a[i] * a[i] + eps
            } else {
                denominator = v[i] + eps
            }
            let increment = (lr * g[i]) / denominator.squareRoot()
            if let m {
                m[i] = mu * m[i] + increment
                w[i] -= m[i]
            } else {
                w[i] -= increment
            }
        }
    }
}
