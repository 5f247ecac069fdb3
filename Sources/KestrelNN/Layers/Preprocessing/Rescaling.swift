import KestrelCore

/// Keras `Rescaling(scale, offset)`: every input value times `scale` plus `offset`, applied
/// in training and inference alike — scale 1/255 maps pixels in [0, 255] to [0, 1], scale
/// 1/127.5 with offset −1 to [−1, 1]. Scale and offset are single numbers or arrays that
/// broadcast against the input without enlarging it (one value per channel: shape [channels]).
public final class Rescaling: Layer {
    public let scale: Tensor
    public let offset: Tensor

    public init(scale: Tensor, offset: Tensor = Tensor(0), name: String? = nil) {
        self.scale = scale.detached()
        self.offset = offset.detached()
        super.init(name: name)
    }

    /// One scale and one offset for every value.
    public convenience init(scale: Float, offset: Float = 0, name: String? = nil) {
        self.init(scale: Tensor(scale), offset: Tensor(offset), name: name)
    }

    public override func build(inputShapes: [[Int]]) throws { try check(inputShapes[0]) }

    public override func call(_ inputs: [Tensor], training: Bool) throws -> [Tensor] {
        try expectInputs(inputs, count: 1)
        let x = inputs[0]
        try check(x.shape)
        let scaled = scale.rank == 0 ? x * scale.scalar : x * scale
        return [offset.rank == 0 ? scaled + offset.scalar : scaled + offset]
    }

    /// Throws unless scale and offset broadcast against inputs of `shape` to that shape.
    private func check(_ shape: [Int]) throws {
        for (what, value) in [("scale", scale), ("offset", offset)] {
            let combined = try? Shape.broadcast(shape, value.shape, op: "Rescaling")
            guard combined == shape else {
                throw KestrelError(.shapeMismatch, "\(name) (Rescaling): \(what) of shape \(value.shape) does not broadcast against inputs of shape \(shape) to that shape; give one value, or one per channel (shape [\(shape.last ?? 1)])")
            }
        }
    }

    /// A mask passes through, as in Keras (the layer works value by value).
    public override var supportsMasking: Bool { true }

    public override var configuration: [String: Any] {
        ["scale": KerasNumberArray.json(scale), "offset": KerasNumberArray.json(offset)]
    }
}

extension Rescaling: KerasReadableLayer {
    /// The layer a Keras `Rescaling` config describes; `offset` defaults to 0 as in Keras.
    public static func fromKeras(_ c: KerasConfig) throws -> Layer {
        guard let scale = try c.numberArray("scale") else { throw c.error("scale", "a number or a list of numbers") }
        return Rescaling(scale: scale, offset: try c.numberArray("offset") ?? Tensor(0), name: c.name)
    }
}
