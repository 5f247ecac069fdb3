import KestrelCore

/// Flattens every axis after the batch axis, row-major (Keras `Flatten`).
public final class Flatten: Layer {
    public override func call(_ inputs: [Tensor], training: Bool) throws -> [Tensor] {
        try expectInputs(inputs, count: 1)
        let x = inputs[0]
        guard x.rank >= 1 else {
            throw KestrelError(.shapeMismatch, "\(name) (Flatten) expects (samples, …); got a scalar")
        }
        return [x.reshaped([x.shape[0], x.shape.dropFirst().reduce(1, *)])]
    }
}

/// Reshapes the non-batch axes to `targetShape` (one entry may be -1) (Keras `Reshape`).
public final class Reshape: Layer {
    public let targetShape: [Int]

    public init(_ targetShape: [Int], name: String? = nil) {
        self.targetShape = targetShape
        super.init(name: name)
    }

    public override func call(_ inputs: [Tensor], training: Bool) throws -> [Tensor] {
        try expectInputs(inputs, count: 1)
        let x = inputs[0]
        let perSample = x.shape.dropFirst().reduce(1, *)
        let resolved: [Int]
        do {
            resolved = try Shape.resolveReshape(targetShape, count: perSample, from: Array(x.shape.dropFirst()))
        } catch {
            throw KestrelError(.shapeMismatch, "\(name) (Reshape): cannot reshape samples of shape \(Array(x.shape.dropFirst())) (\(perSample) values) into \(targetShape)")
        }
        return [x.reshaped([x.shape[0]] + resolved)]
    }

    public override var configuration: [String: Any] { ["target_shape": targetShape] }
}

/// Permutes the non-batch axes; `dims` are 1-based as in Keras (`Permute((2, 1))`).
public final class Permute: Layer {
    public let dims: [Int]

    public init(_ dims: [Int], name: String? = nil) {
        self.dims = dims
        super.init(name: name)
    }

    public override func call(_ inputs: [Tensor], training: Bool) throws -> [Tensor] {
        try expectInputs(inputs, count: 1)
        let x = inputs[0]
        guard x.rank == dims.count + 1, Set(dims) == Set(1...dims.count) else {
            throw KestrelError(.shapeMismatch, "\(name) (Permute): dims \(dims) must be a permutation of 1…\(x.rank - 1) for inputs of shape \(x.shape)")
        }
        return [x.permuted([0] + dims)]
    }

    public override var configuration: [String: Any] { ["dims": dims] }
}

/// Repeats a (samples, features) input `n` times: (samples, n, features) (Keras `RepeatVector`).
public final class RepeatVector: Layer {
    public let n: Int

    public init(_ n: Int, name: String? = nil) {
        self.n = n
        super.init(name: name)
    }

    public override func call(_ inputs: [Tensor], training: Bool) throws -> [Tensor] {
        try expectInputs(inputs, count: 1)
        let x = inputs[0]
        guard x.rank == 2 else {
            throw KestrelError(.shapeMismatch, "\(name) (RepeatVector) expects (samples, features); got \(x.shape)")
        }
        return [x.expandingDimensions(at: 1).broadcast(to: [x.shape[0], n, x.shape[1]])]
    }

    public override var configuration: [String: Any] { ["n": n] }
}

extension Flatten: KerasReadableLayer {
    /// The layer a Keras `Flatten` config describes; absent keys take Keras's defaults.
    public static func fromKeras(_ c: KerasConfig) throws -> Layer {
        try c.rejectUnless("data_format", is: "channels_last")
        return Flatten(name: c.name)
    }
}

extension Reshape: KerasReadableLayer {
    /// The layer a Keras `Reshape` config describes; absent keys take Keras's defaults.
    public static func fromKeras(_ c: KerasConfig) throws -> Layer {
        Reshape(try c.ints("target_shape"), name: c.name)
    }
}

extension Permute: KerasReadableLayer {
    /// The layer a Keras `Permute` config describes; absent keys take Keras's defaults.
    public static func fromKeras(_ c: KerasConfig) throws -> Layer {
        Permute(try c.ints("dims"), name: c.name)
    }
}

extension RepeatVector: KerasReadableLayer {
    /// The layer a Keras `RepeatVector` config describes; absent keys take Keras's defaults.
    public static func fromKeras(_ c: KerasConfig) throws -> Layer {
        RepeatVector(try c.int("n"), name: c.name)
    }
}
