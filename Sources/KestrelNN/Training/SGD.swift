import KestrelCore

/// Stochastic gradient descent (Keras `SGD`): `w −= lr·g`; with momentum
/// `m = μm − lr·g, w += m`; with Nesterov `m = μm − lr·g, w += μm − lr·g`.
public final class SGD: Optimizer {
    public let momentum: Double
    public let nesterov: Bool

    public init(learningRate: LearningRate = 0.01, momentum: Double = 0, nesterov: Bool = false,
                weightDecay: Double? = nil, clipnorm: Double? = nil, clipvalue: Double? = nil,
                globalClipnorm: Double? = nil, name: String = "SGD") throws {
        guard momentum >= 0 && momentum <= 1 else {
            throw KestrelError(.invalidArgument, "\(name): momentum must be in [0, 1], got \(momentum)")
        }
        self.momentum = momentum
        self.nesterov = nesterov
        try super.init(kerasClassName: "SGD", name: name, learningRate: learningRate, weightDecay: weightDecay,
                   clipnorm: clipnorm, clipvalue: clipvalue, globalClipnorm: globalClipnorm)
    }

    package override var slotNames: [String] { momentum != 0 ? ["momentum"] : [] }

    package override var specificConfig: [String: Any] { ["momentum": momentum, "nesterov": nesterov] }

    package override func update(weights w: UnsafeMutablePointer<Float>, gradients g: UnsafePointer<Float>, count: Int,
                         slots: [UnsafeMutablePointer<Float>], learningRate lr: Float, step: Int) {
        guard let m = slots.first else {
            for i in 0..<count { w[i] -= g[i] * lr }
            return
        }
        let mu = Float(momentum)
        if nesterov {
            for i in 0..<count {
                m[i] = m[i] * mu - g[i] * lr
                w[i] += m[i] * mu - g[i] * lr
            }
        } else {
            for i in 0..<count {
                m[i] = m[i] * mu - g[i] * lr
                w[i] += m[i]
            }
        }
    }
}
