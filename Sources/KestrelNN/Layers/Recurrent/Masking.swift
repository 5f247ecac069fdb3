import KestrelCore

/// Marks padded time steps (Keras `Masking`): a step whose features all equal `maskValue`
/// is masked. The layer zeroes those steps and emits the (N, T) mask that recurrent layers
/// use to skip them, so padded variable-length sequences train as if unpadded.
public final class Masking: Layer {
    public let maskValue: Float

    public init(maskValue: Float = 0, name: String? = nil) {
        self.maskValue = maskValue
        super.init(name: name)
    }

    /// 1 where any feature of step (n, t) differs from `maskValue`, else 0.
    package func stepMask(_ x: Tensor) throws -> Tensor {
        guard x.rank == 3 else {
            throw KestrelError(.shapeMismatch, "\(name): Masking expects (samples, time, features); got \(x.shape)")
        }
        let steps = x.shape[0] * x.shape[1], f = x.shape[2], value = maskValue
        let src = x.storage.pointer
        return Tensor(shape: Array(x.shape.prefix(2))) { p, _ in
            for s in 0..<steps {
                var keep: Float = 0
                for k in 0..<f where src[s * f + k] != value { keep = 1; break }
                p[s] = keep
            }
        }
    }

    public override func call(_ inputs: [Tensor], training: Bool) throws -> [Tensor] {
        try expectInputs(inputs, count: 1)
        return [inputs[0] * (try stepMask(inputs[0])).expandingDimensions(at: -1)]
    }

    public override func computeMask(_ inputs: [Tensor], mask: Tensor?) -> Tensor? {
        try? stepMask(inputs[0])
    }

    public override var configuration: [String: Any] { ["mask_value": Double(maskValue)] }
}

extension Masking: KerasReadableLayer {
    /// The layer a Keras `Masking` config describes; absent keys take Keras's defaults.
    public static func fromKeras(_ c: KerasConfig) throws -> Layer {
        Masking(maskValue: try c.float("mask_value", default: 0), name: c.name)
    }
}
