/// Compares the tape's gradients with central finite differences, the test every op and
/// layer must pass. The function's output is reduced against a fixed random cotangent w,
/// L(x) = Σ w ⊙ f(x), accumulated in Double; for each input scalar the numerical slope
/// (L(x + ε) − L(x − ε)) / 2ε is compared with the analytic gradient of L.
public enum GradientCheck {
    /// The worst disagreement found.
    public struct Result: CustomStringConvertible {
        /// Largest |analytic − numerical| / max(1, |analytic|, |numerical|) over all scalars.
        public let maxError: Double
        /// Where it occurred: (input number, flat scalar index).
        public let worstAt: (input: Int, index: Int)
        public let analytic: Double
        public let numerical: Double

        public var description: String {
            "max error \(maxError) at input \(worstAt.input) scalar \(worstAt.index): analytic \(analytic), numerical \(numerical)"
        }
    }

    /// Runs the check of `f` at `inputs`; `epsilon` is the finite-difference step.
    public static func check(_ inputs: [Tensor], epsilon: Float = 1e-2, seed: UInt64 = 7,
                             _ f: ([Tensor]) -> Tensor) -> Result {
        let variables = inputs.map { $0.detached().requiringGradient() }
        let output = f(variables)
        var generator = RandomGenerator(seed: seed)
        let cotangent = Tensor.randomNormal(output.shape, generator: &generator)
        let analytic = Tensor.gradients(of: output, withRespectTo: variables, seed: cotangent)

        func loss(_ xs: [Tensor]) -> Double {
            let y = withoutGradients { f(xs) }
            var total = 0.0
            y.withUnsafeBufferPointer { yp in
                cotangent.withUnsafeBufferPointer { wp in
                    for i in 0..<yp.count { total += Double(yp[i]) * Double(wp[i]) }
                }
            }
            return total
        }

        var worst = Result(maxError: 0, worstAt: (0, 0), analytic: 0, numerical: 0)
        var probe = inputs.map { $0.detached() }
        for (n, input) in inputs.enumerated() {
            let grad = analytic[n].scalars
            for i in 0..<input.count {
                let original = input.withUnsafeBufferPointer { $0[i] }
                probe[n].withUnsafeMutableBufferPointer { $0[i] = original + epsilon }
                let up = loss(probe)
                probe[n].withUnsafeMutableBufferPointer { $0[i] = original - epsilon }
                let down = loss(probe)
                probe[n].withUnsafeMutableBufferPointer { $0[i] = original }
                // Divide by the step actually taken after Float rounding.
                let step = Double(original + epsilon) - Double(original - epsilon)
                let numerical = (up - down) / step
                let a = Double(grad[i])
                let error = Swift.abs(a - numerical) / Swift.max(1, Swift.abs(a), Swift.abs(numerical))
                if error > worst.maxError || error.isNaN {
                    worst = Result(maxError: error.isNaN ? .infinity : error, worstAt: (n, i), analytic: a, numerical: numerical)
                }
            }
        }
        return worst
    }
}
