import KestrelCore

/// Layers that combine several same-shape inputs element-wise (Keras merge layers).
/// Shapes must agree except where NumPy broadcasting applies.
public class ElementwiseMerge: Layer {
    package func combine(_ a: Tensor, _ b: Tensor) -> Tensor { a }

    public override func call(_ inputs: [Tensor], training: Bool) throws -> [Tensor] {
        guard inputs.count >= 2 else {
            throw KestrelError(.invalidArgument, "\(name) (\(Self.kerasClassName)) expects a list of at least 2 inputs, got \(inputs.count)")
        }
        for t in inputs.dropFirst() {
            _ = try Shape.broadcast(inputs[0].shape, t.shape, op: "\(name) (\(Self.kerasClassName))")
        }
        return [inputs.dropFirst().reduce(inputs[0]) { combine($0, $1) }]
    }
}

/// Sum of the inputs.
public final class Add: ElementwiseMerge {
    package override func combine(_ a: Tensor, _ b: Tensor) -> Tensor { a + b }
}

/// First input minus the second (exactly two inputs).
public final class Subtract: ElementwiseMerge {
    public override func call(_ inputs: [Tensor], training: Bool) throws -> [Tensor] {
        try expectInputs(inputs, count: 2)
        _ = try Shape.broadcast(inputs[0].shape, inputs[1].shape, op: "\(name) (Subtract)")
        return [inputs[0] - inputs[1]]
    }
}

/// Product of the inputs.
public final class Multiply: ElementwiseMerge {
    package override func combine(_ a: Tensor, _ b: Tensor) -> Tensor { a * b }
}

/// Mean of the inputs.
public final class Average: ElementwiseMerge {
    public override func call(_ inputs: [Tensor], training: Bool) throws -> [Tensor] {
        let total = try super.call(inputs, training: training)[0]
        return [total / Float(inputs.count)]
    }

    package override func combine(_ a: Tensor, _ b: Tensor) -> Tensor { a + b }
}

/// Element-wise maximum of the inputs.
public final class Maximum: ElementwiseMerge {
    package override func combine(_ a: Tensor, _ b: Tensor) -> Tensor { maximum(a, b) }
}

/// Element-wise minimum of the inputs.
public final class Minimum: ElementwiseMerge {
    package override func combine(_ a: Tensor, _ b: Tensor) -> Tensor { minimum(a, b) }
}

/// Joins the inputs along `axis` (the last by default) (Keras `Concatenate`).
public final class Concatenate: Layer {
    public let axis: Int

    public init(axis: Int = -1, name: String? = nil) {
        self.axis = axis
        super.init(name: name)
    }

    public override func call(_ inputs: [Tensor], training: Bool) throws -> [Tensor] {
        guard inputs.count >= 2 else {
            throw KestrelError(.invalidArgument, "\(name) (Concatenate) expects a list of at least 2 inputs, got \(inputs.count)")
        }
        let a = try Shape.normalize(axis: axis, rank: inputs[0].rank, op: "\(name) (Concatenate)")
        for t in inputs {
            var s0 = inputs[0].shape, s1 = t.shape
            guard s0.count == s1.count else {
                throw KestrelError(.shapeMismatch, "\(name) (Concatenate): inputs have different ranks: \(inputs.map(\.shape))")
            }
            s0[a] = 0; s1[a] = 0
            guard s0 == s1 else {
                throw KestrelError(.shapeMismatch, "\(name) (Concatenate): shapes \(inputs.map(\.shape)) must match except on axis \(axis)")
            }
        }
        return [Tensor.concatenate(inputs, alongAxis: a)]
    }

    public override var configuration: [String: Any] { ["axis": axis] }
}

extension Add: KerasReadableLayer {
    /// The layer a Keras `Add` config describes; absent keys take Keras's defaults.
    public static func fromKeras(_ c: KerasConfig) throws -> Layer {
        Add(name: c.name)
    }
}

extension Subtract: KerasReadableLayer {
    /// The layer a Keras `Subtract` config describes; absent keys take Keras's defaults.
    public static func fromKeras(_ c: KerasConfig) throws -> Layer {
        Subtract(name: c.name)
    }
}

extension Multiply: KerasReadableLayer {
    /// The layer a Keras `Multiply` config describes; absent keys take Keras's defaults.
    public static func fromKeras(_ c: KerasConfig) throws -> Layer {
        Multiply(name: c.name)
    }
}

extension Average: KerasReadableLayer {
    /// The layer a Keras `Average` config describes; absent keys take Keras's defaults.
    public static func fromKeras(_ c: KerasConfig) throws -> Layer {
        Average(name: c.name)
    }
}

extension Maximum: KerasReadableLayer {
    /// The layer a Keras `Maximum` config describes; absent keys take Keras's defaults.
    public static func fromKeras(_ c: KerasConfig) throws -> Layer {
        Maximum(name: c.name)
    }
}

extension Minimum: KerasReadableLayer {
    /// The layer a Keras `Minimum` config describes; absent keys take Keras's defaults.
    public static func fromKeras(_ c: KerasConfig) throws -> Layer {
        Minimum(name: c.name)
    }
}

extension Concatenate: KerasReadableLayer {
    /// The layer a Keras `Concatenate` config describes; absent keys take Keras's defaults.
    public static func fromKeras(_ c: KerasConfig) throws -> Layer {
        Concatenate(axis: try c.int("axis", default: -1), name: c.name)
    }
}
