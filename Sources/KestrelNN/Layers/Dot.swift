import Foundation
import KestrelCore

/// The dot product of two samples-first tensors along one axis of each (Keras `Dot`, a
/// batched dot): (N, d)·(N, d) → (N, 1); (N, a, d)·(N, b, d) with `axes` [2, 2] → (N, a, b),
/// the attention scores of a query against keys. With `normalize`, both are first scaled
/// to unit L2 norm along their axis, so the result is a cosine similarity.
public final class Dot: Layer {
    /// The axis of each input summed over (a negative axis counts from the end).
    public let axes: [Int]
    public let normalize: Bool

    public init(axes: [Int], normalize: Bool = false, name: String? = nil) {
        self.axes = axes
        self.normalize = normalize
        super.init(name: name)
    }

    public convenience init(axes: Int, normalize: Bool = false, name: String? = nil) {
        self.init(axes: [axes, axes], normalize: normalize, name: name)
    }

    public override func call(_ inputs: [Tensor], training: Bool) throws -> [Tensor] {
        try expectInputs(inputs, count: 2)
        let layer = "\(name) (Dot)"
        try require(axes.count == 2, "axes must be one axis or one per input, got \(axes)")
        var (x, y) = (inputs[0], inputs[1])
        guard x.rank == y.rank, x.rank == 2 || x.rank == 3, x.shape[0] == y.shape[0] else {
            throw KestrelError(.unsupported, "\(layer) supports two inputs of the same rank, 2 or 3, with the same samples; got \(x.shape) and \(y.shape)")
        }
        let ax = try Shape.normalize(axis: axes[0], rank: x.rank, op: layer)
        let ay = try Shape.normalize(axis: axes[1], rank: y.rank, op: layer)
        guard ax > 0, ay > 0, x.shape[ax] == y.shape[ay] else {
            throw KestrelError(.shapeMismatch, "\(layer): axis \(axes[0]) of \(x.shape) and axis \(axes[1]) of \(y.shape) must be non-batch axes of the same size")
        }
        if normalize { (x, y) = (unitLength(x, axis: ax), unitLength(y, axis: ay)) }
        if x.rank == 2 { return [(x * y).sum(alongAxis: 1, keepingDimensions: true)] }
        // (N, other, k) · (N, k, other′).
        let left = ax == 2 ? x : x.permuted([0, 2, 1])
        let right = ay == 1 ? y : y.permuted([0, 2, 1])
        return [matmul(left, right)]
    }

    /// `t / √max(Σ t², 1e-12)` along `axis` (Keras's `l2_normalize`).
    private func unitLength(_ t: Tensor, axis: Int) -> Tensor {
        t / sqrt(maximum((t * t).sum(alongAxis: axis, keepingDimensions: true), Tensor(1e-12)))
    }

    public override var configuration: [String: Any] { ["axes": axes, "normalize": normalize] }
}

extension Dot: KerasReadableLayer {
    /// The layer a Keras `Dot` config describes (`axes` one integer or a pair).
    public static func fromKeras(_ c: KerasConfig) throws -> Layer {
        let axes: [Int]
        if let one = c["axes"] as? NSNumber, !(c["axes"] is [Any]) {
            axes = [one.intValue, one.intValue]
        } else {
            axes = try c.ints("axes", count: 2)
        }
        return Dot(axes: axes, normalize: try c.bool("normalize", default: false), name: c.name)
    }
}
