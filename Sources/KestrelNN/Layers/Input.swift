import Foundation
import KestrelCore

/// Declares the shape of one sample (without the batch axis), Keras's `Input(shape=…)`.
/// Putting it first in a `Sequential` builds the model at once, so `summary()` works
/// before any data is seen and inputs are checked against it. A size may be unknown
/// (`nil`, Keras's `None`), as the time axis of variable-length sequences usually is: then
/// batches of any size on that axis are accepted and `summary()` shows `None`.
public final class Input: Layer {
    /// The per-sample shape; an unknown size holds `Input.placeholderSize`.
    public let shape: [Int]
    /// The axes of `shape` (per sample) whose size is unknown.
    public let unknownAxes: Set<Int>
    /// The graph placeholder for this input (see `output`).
    private(set) lazy var symbolic = SymbolicTensor(shape: shape, producer: nil, outputIndex: 0, source: self,
                                                    unknownAxes: unknownAxes)

    /// The size a model is built with along an unknown axis (one zero sample runs through
    /// every layer to create its weights), and the second size that tells which output
    /// sizes follow it.
    package static let placeholderSize = 32, alternateSize = 48

    /// Declares inputs whose samples have `shape`; every size must be positive, which
    /// building the model checks (see `checkSampleShape`).
    public init(shape: [Int], name: String? = nil) {
        self.shape = shape
        unknownAxes = []
        super.init(name: name)
    }

    /// Declares inputs with unknown sizes (`nil`) on some axes, e.g. `[nil, 4]` for
    /// sequences of any length with 4 features.
    public init(shape: [Int?], name: String? = nil) {
        self.shape = shape.map { $0 ?? Input.placeholderSize }
        unknownAxes = Set(shape.indices.filter { shape[$0] == nil })
        super.init(name: name)
    }

    /// `shape` with the unknown sizes replaced by `size`.
    package func shape(withUnknownSizes size: Int) -> [Int] {
        shape.indices.map { unknownAxes.contains($0) ? size : shape[$0] }
    }

    /// Whether a per-sample shape fits: the same rank, and the known sizes equal.
    package func accepts(_ sample: [Int]) -> Bool {
        sample.count == shape.count && sample.indices.allSatisfy { unknownAxes.contains($0) || sample[$0] == shape[$0] }
    }

    /// The shape as Keras writes it, `None` for unknown sizes.
    package var shapeDescription: String {
        "(samples, " + shape.indices.map { unknownAxes.contains($0) ? "None" : String(shape[$0]) }.joined(separator: ", ") + ")"
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
        guard accepts(Array(inputs[0].shape.dropFirst())) else {
            throw KestrelError(.shapeMismatch, "\(name): the model expects inputs of shape \(shapeDescription); got \(inputs[0].shape)")
        }
        return inputs
    }

    public override var configuration: [String: Any] {
        ["batch_shape": [NSNull()] + shape.indices.map { unknownAxes.contains($0) ? NSNull() : shape[$0] as Any },
         "dtype": "float32", "sparse": false]
    }
}

extension Input: KerasReadableLayer {
    /// The layer a Keras `InputLayer` config describes; absent keys take Keras's defaults.
    public static func fromKeras(_ c: KerasConfig) throws -> Layer {
        let shape: [Int?]
        if let batchShape = (c["batch_shape"] ?? c["batch_input_shape"]) as? [Any] {
            shape = batchShape.dropFirst().map { $0 is NSNull ? nil : kerasInteger($0) ?? -1 }
            guard !shape.isEmpty, shape.allSatisfy({ $0 == nil || $0! > 0 }) else {
                throw c.error(c["batch_shape"] == nil ? "batch_input_shape" : "batch_shape", "[null, sizes…] with positive sizes or null for unknown ones")
            }
        } else {
            shape = try c.ints("shape")
        }
        try c.requireUnset("sparse", orEqualTo: false, what: "sparse inputs")
        try c.requireUnset("ragged", orEqualTo: false, what: "ragged inputs")
        try c.requireUnset("optional", orEqualTo: false, what: "optional inputs")
        let input = Input(shape: shape, name: c.name)
        try Input.checkSampleShape(input.shape, owner: "\(c.className) config")
        return input
    }
}
