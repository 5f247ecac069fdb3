import Foundation
import KestrelCore

/// Declares the shape of one sample (without the batch axis), Keras's `Input(shape=…)`.
/// Putting it first in a `Sequential` builds the model at once, so `summary()` works
/// before any data is seen and inputs are checked against it.
public final class Input: Layer {
    public let shape: [Int]
    /// The graph placeholder for this input (see `output`).
    private(set) lazy var symbolic = SymbolicTensor(shape: shape, producer: nil, outputIndex: 0, source: self)

    /// Declares inputs whose samples have `shape`; every size must be positive, which
    /// building the model checks (see `checkSampleShape`).
    public init(shape: [Int], name: String? = nil) {
        self.shape = shape
        super.init(name: name)
    }

    public override class var kerasClassName: String { "InputLayer" }

    /// Throws unless every size of the per-sample `shape` is positive and one sample fits
    /// `Layer.maximumTensorElements`; `owner` names the model or layer in the message.
    package static func checkSampleShape(_ shape: [Int], owner: String) throws {
        guard shape.allSatisfy({ $0 > 0 }) else {
            throw KestrelError(.invalidArgument, "\(owner): input shape \(shape) (per sample) has a size below 1; every size must be positive, fix the Input(shape:) or the config's batch_shape")
        }
        try Layer.checkAllocation(shape, what: "\(owner): one input sample")
    }

    public override func build(inputShapes: [[Int]]) throws {
        try Input.checkSampleShape(shape, owner: name)
    }

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
            shape = batchShape.dropFirst().compactMap(kerasInteger)
            guard shape.count == batchShape.count - 1, shape.allSatisfy({ $0 > 0 }) else {
                throw c.error(c.values["batch_shape"] == nil ? "batch_input_shape" : "batch_shape", "[null, sizes…] with known positive sizes")
            }
        } else {
            shape = try c.ints("shape")
        }
        try Input.checkSampleShape(shape, owner: "\(c.className) config")
        return Input(shape: shape, name: c.name)
    }
}
