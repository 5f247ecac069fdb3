import Foundation
import KestrelCore

/// Declares the shape of one sample (without the batch axis), Keras's `Input(shape=…)`.
/// Putting it first in a `Sequential` builds the model at once, so `summary()` works
/// before any data is seen and inputs are checked against it.
public final class Input: Layer {
    public let shape: [Int]
    /// The graph placeholder for this input (see `output`).
    private(set) lazy var symbolic = SymbolicTensor(shape: shape, producer: nil, outputIndex: 0, source: self)

    public init(shape: [Int], name: String? = nil) {
        precondition(shape.allSatisfy { $0 > 0 }, "Input: every size in shape \(shape) must be positive")
        self.shape = shape
        super.init(name: name)
    }

    public override class var kerasClassName: String { "InputLayer" }

    public override func call(_ inputs: [Tensor], training: Bool) throws -> [Tensor] {
        try expectInputs(inputs, count: 1)
        guard Array(inputs[0].shape.dropFirst()) == shape else {
            throw KestrelError(.shapeMismatch, "\(name): the model expects inputs of shape (samples, \(shape.map(String.init).joined(separator: ", "))); got \(inputs[0].shape)")
        }
        return inputs
    }

    public override var configuration: [String: Any] {
        ["batch_shape": [NSNull()] + shape.map { $0 as Any }, "dtype": "float32", "sparse": false]
    }
}

extension Input: KerasReadableLayer {
    /// The layer a Keras `InputLayer` config describes; absent keys take Keras's defaults.
    public static func fromKeras(_ c: KerasConfig) throws -> Layer {
        let shape: [Int]
        if let batchShape = (c.values["batch_shape"] ?? c.values["batch_input_shape"]) as? [Any] {
            shape = batchShape.dropFirst().compactMap { ($0 as? NSNumber)?.intValue }
            guard shape.count == batchShape.count - 1 else { throw c.error("batch_shape", "[null, sizes…] with known sizes") }
        } else {
            shape = try c.ints("shape")
        }
        return Input(shape: shape, name: c.name)
    }
}
