import Foundation
import KestrelCore

/// Adam (Keras `Adam`), in Keras's float32 form: `m += (g − m)(1 − β1)`,
/// `v += (g² − v)(1 − β2)`, `α = lr·sqrt(1 − β2^t)/(1 − β1^t)`, `w −= α·m/(sqrt(v) + ε)`.
/// Epsilon is added to the uncorrected `sqrt(v)`, unlike the textbook form. `amsgrad`
/// uses the running maximum of `v` in the update.
public class Adam: Optimizer {
    public let beta1: Double
    public let beta2: Double
    public let epsilon: Double
    public let amsgrad: Bool

    public init(learningRate: LearningRate = 0.001, beta1: Double = 0.9, beta2: Double = 0.999,
                epsilon: Double = 1e-7, amsgrad: Bool = false, weightDecay: Double? = nil, clipnorm: Double? = nil,
                clipvalue: Double? = nil, globalClipnorm: Double? = nil, name: String = "adam") throws {
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.amsgrad = amsgrad
        try super.init(kerasClassName: "Adam", name: name, learningRate: learningRate, weightDecay: weightDecay,
                   clipnorm: clipnorm, clipvalue: clipvalue, globalClipnorm: globalClipnorm)
    }

    package init(kerasClassName: String, learningRate: LearningRate, beta1: Double, beta2: Double, epsilon: Double,
         amsgrad: Bool, weightDecay: Double?, clipnorm: Double?, clipvalue: Double?, globalClipnorm: Double?,
         name: String) throws {
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.amsgrad = amsgrad
        try super.init(kerasClassName: kerasClassName, name: name, learningRate: learningRate, weightDecay: weightDecay,
                   clipnorm: clipnorm, clipvalue: clipvalue, globalClipnorm: globalClipnorm)
    }

    package override var slotNames: [String] { amsgrad ? ["momentum", "velocity", "velocity_hat"] : ["momentum", "velocity"] }

    package override var specificConfig: [String: Any] {
        ["beta_1": beta1, "beta_2": beta2, "epsilon": epsilon, "amsgrad": amsgrad]
    }

    package override func update(weights w: UnsafeMutablePointer<Float>, gradients g: UnsafePointer<Float>, count: Int,
                         slots: [UnsafeMutablePointer<Float>], learningRate lr: Float, step: Int) {
        let t = Float(step)
        let beta1Power = Foundation.powf(Float(beta1), t), beta2Power = Foundation.powf(Float(beta2), t)
        let alpha = lr * (1 - beta2Power).squareRoot() / (1 - beta1Power)
        let c1 = Float(1 - beta1), c2 = Float(1 - beta2), eps = Float(epsilon)
        let m = slots[0], v = slots[1], vHat = amsgrad ? slots[2] : nil
        // Element-wise, so large weights split across the threads.
        let chunk = 1 << 14
        Parallel.forEach((count + chunk - 1) / chunk) { c in
            let range = (c * chunk)..<Swift.min(count, (c + 1) * chunk)
            if let vHat {
                for i in range {
                    m[i] += (g[i] - m[i]) * c1
                    v[i] += (g[i] * g[i] - v[i]) * c2
                    vHat[i] = Swift.max(vHat[i], v[i])
                    w[i] -= (m[i] * alpha) / (vHat[i].squareRoot() + eps)
                }
            } else {
                for i in range {
                    m[i] += (g[i] - m[i]) * c1
                    v[i] += (g[i] * g[i] - v[i]) * c2
                    w[i] -= (m[i] * alpha) / (v[i].squareRoot() + eps)
                }
            }
        }
    }
}

/// AdamW (Keras `AdamW`): Adam with decoupled weight decay, `w −= w·weightDecay·lr` before
/// each Adam step (default decay 0.004).
public final class AdamW: Adam {
    public init(learningRate: LearningRate = 0.001, weightDecay: Double = 0.004, beta1: Double = 0.9,
                beta2: Double = 0.999, epsilon: Double = 1e-7, amsgrad: Bool = false, clipnorm: Double? = nil,
                clipvalue: Double? = nil, globalClipnorm: Double? = nil, name: String = "adamw") throws {
        try super.init(kerasClassName: "AdamW", learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon,
                   amsgrad: amsgrad, weightDecay: weightDecay, clipnorm: clipnorm, clipvalue: clipvalue,
                   globalClipnorm: globalClipnorm, name: name)
    }
}
