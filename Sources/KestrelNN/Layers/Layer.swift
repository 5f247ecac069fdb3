import Foundation
import KestrelCore

/// The building block of every model, as in Keras: a layer owns its weights, creates them
/// on first use from the input shape (deferred build), and maps input tensors to output
/// tensors with differentiable ops. Layers are classes: one layer called twice shares its
/// weights. Subclasses override `build(inputShapes:)` and `call(_:training:)`.
open class Layer {
    /// Unique name, Keras-style: `dense`, `dense_1`, … unless given.
    public let name: String
    /// When false, the layer's weights are frozen: fit neither differentiates nor updates them.
    public var trainable = true
    public private(set) var isBuilt = false
    /// The weights this layer created itself, in creation order.
    public private(set) var ownWeights: [Parameter] = []

    /// Layers this layer is made of (a wrapper's inner layer, a model's layers): their
    /// weights are part of this layer's.
    open var sublayers: [Layer] { [] }

    /// The weights in Keras order (the order of `layer.weights` / `get_weights()`): its own,
    /// then those of its sublayers, each shared weight once.
    public var weights: [Parameter] {
        let nested = sublayers.flatMap(\.weights)
        if nested.isEmpty { return ownWeights }
        var seen = Set<ObjectIdentifier>()
        return (ownWeights + nested).filter { seen.insert(ObjectIdentifier($0)).inserted }
    }
    /// The input shapes (batch axis included) the layer was built for.
    public private(set) var builtInputShapes: [[Int]] = []
    /// Random stream for this layer's initializers and dropout, derived from the global seed.
    public var generator: RandomGenerator
    /// How many graph nodes call this layer (a shared layer has several).
    package var graphCallCount = 0

    /// The Keras class name, used in configs and summaries.
    open class var kerasClassName: String { String(describing: self) }

    public init(name: String? = nil) {
        self.name = name ?? LayerNames.unique(for: Self.kerasClassName)
        generator = RandomGenerator(seed: GlobalRandom.nextSeed())
    }

    /// Creates the weights once the input shapes (with batch axis) are known.
    open func build(inputShapes: [[Int]]) throws {}

    /// The forward computation on built weights.
    open func call(_ inputs: [Tensor], training: Bool) throws -> [Tensor] {
        throw KestrelError(.unsupported, "\(name): \(Self.kerasClassName) does not implement call")
    }

    /// Keras masking: the forward computation when the previous layer produced a mask — a
    /// (samples, time) tensor of 1 (valid step) and 0 (padding). Layers that use masks
    /// (recurrent layers) override this; the default ignores the mask.
    open func call(_ inputs: [Tensor], mask: Tensor?, training: Bool) throws -> [Tensor] {
        try call(inputs, training: training)
    }

    /// The forward computation with one mask per input (nil where an input has none), as a
    /// functional graph calls it. Attention layers use every mask; by default the first
    /// input's mask goes to `call(_:mask:training:)`.
    open func call(_ inputs: [Tensor], masks: [Tensor?], training: Bool) throws -> [Tensor] {
        guard let first = masks.first ?? nil else { return try call(inputs, training: training) }
        return try call(inputs, mask: first, training: training)
    }

    /// The mask this layer passes on given one mask per input; by default
    /// `computeMask(_:mask:)` of the first input's mask.
    open func computeMask(_ inputs: [Tensor], masks: [Tensor?]) -> Tensor? {
        computeMask(inputs, mask: masks.first ?? nil)
    }

    /// The mask this layer passes on: by default the incoming one when `supportsMasking`
    /// (the layer keeps the time axis), else none. Embedding(maskZero) and Masking make one.
    open func computeMask(_ inputs: [Tensor], mask: Tensor?) -> Tensor? {
        supportsMasking ? mask : nil
    }

    /// Whether an incoming mask still applies to this layer's output (Keras `supports_masking`).
    open var supportsMasking: Bool { false }

    /// The Keras `get_config()` of this layer (without `name`, which `kerasConfig` adds).
    open var configuration: [String: Any] { [:] }

    /// Where Keras 3 keeps this layer's weights in a `.weights.h5` file, relative to the
    /// layer's group: its own under `vars` (`vars/0`, `vars/1`… in order). A layer whose
    /// Keras counterpart holds them in sub-objects (a cell, the two directions of
    /// Bidirectional, attention projections) lists those paths instead.
    open var kerasWeightGroups: [KerasWeightGroup] {
        ownWeights.isEmpty ? [] : [KerasWeightGroup(path: "vars", weights: ownWeights)]
    }

    /// How a functional config's inbound node passes `inputs` (one entry per input tensor, in
    /// Kestrel's order) to the Keras layer: one tensor as the only argument, several as one
    /// list (merge and attention layers). Layers that take tensors as keyword arguments
    /// (initial states, a key, an attention mask) say so.
    open func kerasCallArguments(_ inputs: [Any]) -> (args: [Any], kwargs: [String: Any]) {
        (inputs.count == 1 ? inputs : [inputs], [:])
    }

    /// `{"name": …, "trainable": …, …}` as Keras writes it.
    public var kerasConfig: [String: Any] {
        var c = configuration
        c["name"] = name
        c["trainable"] = trainable
        return c
    }

    /// `{"module", "class_name", "config", "registered_name"}`: the layer as a wrapper's
    /// config nests it (Bidirectional, TimeDistributed, RNN's cell).
    public var kerasSerialized: [String: Any] {
        ["module": "keras.layers", "class_name": type(of: self).kerasClassName, "config": kerasConfig, "registered_name": NSNull()]
    }

    /// Builds on first use, then runs `call`.
    public func callAsFunction(_ inputs: [Tensor], training: Bool = false) throws -> [Tensor] {
        try buildIfNeeded(inputShapes: inputs.map(\.shape))
        return try call(inputs, training: training)
    }

    /// Builds on first use, then runs `call` with the incoming mask.
    public func callAsFunction(_ inputs: [Tensor], mask: Tensor?, training: Bool = false) throws -> [Tensor] {
        try buildIfNeeded(inputShapes: inputs.map(\.shape))
        return mask == nil ? try call(inputs, training: training) : try call(inputs, mask: mask, training: training)
    }

    /// Builds on first use, then runs `call` with one mask per input.
    public func callAsFunction(_ inputs: [Tensor], masks: [Tensor?], training: Bool = false) throws -> [Tensor] {
        try buildIfNeeded(inputShapes: inputs.map(\.shape))
        return try call(inputs, masks: masks, training: training)
    }

    /// Creates the weights for inputs of these shapes (batch axis included) unless built.
    public func buildIfNeeded(inputShapes: [[Int]]) throws {
        guard !isBuilt else { return }
        try build(inputShapes: inputShapes)
        builtInputShapes = inputShapes
        isBuilt = true
    }

    /// Single input, single output.
    public func callAsFunction(_ input: Tensor, training: Bool = false) throws -> Tensor {
        let outputs = try self([input], training: training)
        return outputs[0]
    }

    /// The most elements Kestrel allocates for one weight, or for one input sample while
    /// building a model (2^31 by default, 8 GiB of float32). A config or a constructor
    /// argument that asks for more (`"units": 1000000000000`, an Embedding `input_dim` of
    /// 1e11) throws instead of exhausting memory; raise this limit before building a model
    /// that really needs larger tensors.
    nonisolated(unsafe) public static var maximumTensorElements = 1 << 31

    /// Registers a weight; its path is `layerName/name`. A regularizer's penalty on it joins
    /// `regularizationLosses`. Throws, before allocating, when the shape has a negative size
    /// or more elements than `Layer.maximumTensorElements`.
    @discardableResult
    public func addWeight(_ name: String, shape: [Int], initializer: Initializer, trainable: Bool = true,
                          regularizer: Regularizer? = nil) throws -> Parameter {
        try Layer.checkAllocation(shape, what: "\(self.name) (\(Self.kerasClassName)): weight \(name)")
        let value = initializer(shape: shape, generator: &generator)
        let p = Parameter(name: name, path: "\(self.name)/\(name)", value: value, trainable: trainable)
        ownWeights.append(p)
        if let regularizer { regularizedWeights.append((regularizer, p)) }
        return p
    }

    /// Weights an optimizer may update: none when the layer is frozen.
    public var trainableWeights: [Parameter] {
        guard trainable else { return [] }
        let nested = sublayers.flatMap(\.trainableWeights)
        var seen = Set<ObjectIdentifier>()
        return (ownWeights.filter(\.isTrainable) + nested).filter { seen.insert(ObjectIdentifier($0)).inserted }
    }

    /// The weights added with a regularizer, in creation order.
    private var regularizedWeights: [(Regularizer, Parameter)] = []

    /// Penalties (L1/L2 regularizers) to add to the loss: this layer's regularized weights',
    /// then its sublayers'.
    public var regularizationLosses: [Tensor] {
        regularizedWeights.map { $0.penalty($1.value) } + sublayers.flatMap(\.regularizationLosses)
    }

    /// Throws unless a tensor of `shape` has non-negative sizes and at most
    /// `Layer.maximumTensorElements` elements (the product computed without overflow);
    /// `what` names the tensor in the message.
    package static func checkAllocation(_ shape: [Int], what: String) throws {
        guard shape.allSatisfy({ $0 >= 0 }) else {
            throw KestrelError(.invalidArgument, "\(what) has shape \(shape) with a negative size; every size must be ≥ 0, check the layer's arguments")
        }
        let limit = Layer.maximumTensorElements
        let raise = "check the sizes (units, filters, input_dim, input shape…), or raise Layer.maximumTensorElements if the model really needs tensors this large"
        guard let count = Shape.checkedCount(shape) else {
            throw KestrelError(.invalidArgument, "\(what) has shape \(shape), whose element count overflows Int (limit Layer.maximumTensorElements = \(limit)); \(raise)")
        }
        guard count <= limit else {
            throw KestrelError(.invalidArgument, "\(what) has shape \(shape) = \(count) elements, more than Layer.maximumTensorElements = \(limit); \(raise)")
        }
    }

    /// Throws `invalidArgument`, naming this layer, unless `condition` holds. Layers check
    /// their constructor arguments with it in `build`, so a bad size, rate or padding (from
    /// code or from a config file) throws when the model is built instead of stopping the
    /// program.
    package func require(_ condition: Bool, _ problem: @autoclosure () -> String) throws {
        guard condition else {
            throw KestrelError(.invalidArgument, "\(name) (\(Self.kerasClassName)): \(problem())")
        }
    }

    /// Checks the number of inputs a layer received.
    public func expectInputs(_ inputs: [Tensor], count: Int) throws {
        guard inputs.count == count else {
            throw KestrelError(.invalidArgument, "\(name) (\(Self.kerasClassName)) expects \(count) input\(count == 1 ? "" : "s"), got \(inputs.count)")
        }
    }
}

/// Keras's automatic layer names: snake_case of the class name, then `_1`, `_2`, …
package enum LayerNames {
    private nonisolated(unsafe) static var used: [String: Int] = [:]
    private static let lock = NSLock()

    /// The name `unique(for:)` would give next, without taking it.
    package static func peek(for className: String) -> String {
        let base = snakeCase(className)
        lock.lock()
        defer { lock.unlock() }
        let n = used[base, default: 0]
        return n == 0 ? base : "\(base)_\(n)"
    }

    package static func unique(for className: String) -> String {
        let base = snakeCase(className)
        lock.lock()
        defer { lock.unlock() }
        let n = used[base, default: 0]
        used[base] = n + 1
        return n == 0 ? base : "\(base)_\(n)"
    }

    /// `Conv2DTranspose` → `conv2d_transpose`, `LSTM` → `lstm`, `GRU` → `gru`.
    package static func snakeCase(_ name: String) -> String {
        var out = ""
        let chars = Array(name)
        for (i, c) in chars.enumerated() {
            if c.isUppercase, i > 0 {
                let prev = chars[i - 1]
                let nextIsLower = i + 1 < chars.count && chars[i + 1].isLowercase
                if prev.isLowercase || (prev.isUppercase && nextIsLower) { out.append("_") }
            }
            out.append(contentsOf: c.lowercased())
        }
        return out
    }
}

/// The process-wide seed that makes initial weights and dropout masks reproducible
/// (Keras's `keras.utils.set_random_seed`).
public enum GlobalRandom {
    private nonisolated(unsafe) static var generator = RandomGenerator(seed: 1234)
    private static let lock = NSLock()

    /// Resets the stream: layers created afterwards get reproducible weights.
    public static func setSeed(_ seed: UInt64) {
        lock.lock()
        generator = RandomGenerator(seed: seed)
        lock.unlock()
    }

    /// A fresh seed for one layer, optimizer or shuffle.
    public static func nextSeed() -> UInt64 {
        lock.lock()
        defer { lock.unlock() }
        return generator.next()
    }
}

/// Weights that Keras 3 stores together, as `<path>/0`, `<path>/1`… of a weights file.
public struct KerasWeightGroup {
    public let path: String
    public let weights: [Parameter]

    public init(path: String, weights: [Parameter]) {
        self.path = path
        self.weights = weights
    }

    /// The same weights under a sub-object's name, e.g. `cell/vars` for a layer's cell.
    public func nested(in prefix: String) -> KerasWeightGroup {
        KerasWeightGroup(path: prefix + "/" + path, weights: weights)
    }
}

extension LayerNames {
    /// Keras 3's names for the groups of sibling layers in a weights file: the snake-case
    /// class name, then `_1`, `_2`… for repeats (`dense`, `dense_1`, `lstm`).
    /// `reserved` counts names already taken (a functional model's input layers).
    package static func kerasGroupKeys(_ layers: [Layer], reserved: [String: Int] = [:]) -> [String] {
        var counters = reserved
        return layers.map { layer in
            let base = snakeCase(type(of: layer).kerasClassName)
            let n = counters[base, default: 0]
            counters[base] = n + 1
            return n == 0 ? base : "\(base)_\(n)"
        }
    }
}

/// Keras's call of a recurrent layer: the sequence, then `initial_state=[…]` when states are given.
package func recurrentCallArguments(_ inputs: [Any]) -> (args: [Any], kwargs: [String: Any]) {
    inputs.count == 1 ? (inputs, [:]) : ([inputs[0]], ["initial_state": Array(inputs.dropFirst())])
}
