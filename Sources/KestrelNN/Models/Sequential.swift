import KestrelCore

/// A plain stack of layers, each feeding the next (Keras `Sequential`). Start it with
/// `Input(shape:)` to build it immediately; otherwise it builds on the first batch.
public final class Sequential: Model {
    private var stack: [Layer] = []
    private var inputLayer: Input?
    /// An `Input` given after other layers to the (non-throwing) initialisers: reported by
    /// the first build or call, since Keras refuses such a model.
    private var misplacedInput: KestrelError?

    public init(_ layers: [Layer] = [], name: String? = nil) {
        super.init(name: name)
        for layer in layers {
            do { try add(layer) } catch { misplacedInput = misplacedInput ?? error as? KestrelError }
        }
    }

    public convenience init(name: String? = nil, @LayerBuilder _ layers: () -> [Layer]) {
        self.init(layers(), name: name)
    }

    public override var layers: [Layer] { stack }

    public override class var kerasClassName: String { "Sequential" }

    package override var declaredInputs: [Input] { inputLayer.map { [$0] } ?? [] }

    /// Appends a layer; throws for an `Input` after other layers, as Keras does. Layers are
    /// built on first use (`summary()`, `fit`, `predict` or a call), which reports any shape error.
    public func add(_ layer: Layer) throws {
        if let input = layer as? Input {
            guard stack.isEmpty && inputLayer == nil else {
                throw KestrelError(.invalidArgument, "\(name): Input(shape:) must be the first layer of a Sequential model, but \(input.name) comes after \(stack.count) layer\(stack.count == 1 ? "" : "s"); move it to the top")
            }
            inputLayer = input
            inputShape = input.shape
            return
        }
        stack.append(layer)
        layerOutputShapes = [:]
        layerOutputUnknownAxes = [:]
    }

    package override func forward(_ inputs: [Tensor], training: Bool) throws -> (outputs: [Tensor], masks: [Tensor?]) {
        if let misplacedInput { throw misplacedInput }
        try expectInputs(inputs, count: 1)
        var x = inputs[0]
        if inputShape == nil { inputShape = Array(x.shape.dropFirst()) }
        if let inputLayer { x = try inputLayer(x) }
        var mask: Tensor? = nil
        var i = 0
        while i < stack.count {
            let layer = stack[i]
            if i + 1 < stack.count, let fused = try LayerFusion.run(layer, stack[i + 1], input: x, mask: mask) {
                x = fused.output
                recordOutputShape(of: layer, Array(fused.intermediateShape.dropFirst()))
                recordOutputShape(of: stack[i + 1], Array(x.shape.dropFirst()))
                i += 2
                continue
            }
            let inputs = [x]
            x = try layer(inputs, mask: mask, training: training)[0]
            mask = layer.computeMask(inputs, mask: mask)
            recordOutputShape(of: layer, Array(x.shape.dropFirst()))
            i += 1
        }
        return ([x], [mask])
    }

    private func recordOutputShape(of layer: Layer, _ shape: [Int]) {
        if layerOutputShapes[ObjectIdentifier(layer)] == nil { layerOutputShapes[ObjectIdentifier(layer)] = shape }
    }
}

/// Lets a model be written as a list of layers in braces.
@resultBuilder
public enum LayerBuilder {
    public static func buildBlock(_ layers: [Layer]...) -> [Layer] { layers.flatMap { $0 } }
    public static func buildExpression(_ layer: Layer) -> [Layer] { [layer] }
    public static func buildOptional(_ layers: [Layer]?) -> [Layer] { layers ?? [] }
    public static func buildEither(first layers: [Layer]) -> [Layer] { layers }
    public static func buildEither(second layers: [Layer]) -> [Layer] { layers }
    public static func buildArray(_ layers: [[Layer]]) -> [Layer] { layers.flatMap { $0 } }
}
