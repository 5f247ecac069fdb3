import Foundation
import KestrelCore
import KestrelNN

/// The ONNX nodes of one layer applied to its inputs: the layers that need no weights or
/// only a product (activations, Dense, reshaping, merges, normalization, embedding). The
/// convolution and recurrent families are in their own files.
struct ONNXLowering {
    let graph: ONNXGraph
    let layer: Layer
    let inputs: [ONNXGraph.Value]
    let outputShapes: [[Int]]

    var x: String { inputs[0].name }
    var rank: Int { inputs[0].rank }
    var base: String { layer.name }

    /// The names of the layer's outputs.
    func lower() throws -> [String] {
        if let result = try lowerCore() ?? lowerConvolution() ?? lowerRecurrent() { return result }
        throw ONNXExport.unsupported(layer, "Kestrel has no ONNX lowering for it yet")
    }

    func unsupported(_ why: String) -> KestrelError { ONNXExport.unsupported(layer, why) }

    func weight(_ p: Parameter?) -> String { graph.weight(p!.value, p!.path) }

    func floatScalar(_ v: Float, _ name: String) -> String { graph.weight([v], shape: [], name) }

    private func lowerCore() throws -> [String]? {
        switch layer {
        case let l as Dense:
            var y = graph.op("MatMul", [x, weight(l.kernel)], base)
            if l.useBias { y = graph.op("Add", [y, weight(l.bias)], base) }
            return [try activation(l.activation, y)]
        case let l as Activation: return [try activation(l.function, x)]
        case let l as ReLU:
            guard l.threshold == 0 else { throw unsupported("a ReLU threshold other than 0") }
            return [try activation(.relu(negativeSlope: l.negativeSlope, maxValue: l.maxValue), x)]
        case let l as LeakyReLU: return [try activation(.leakyRelu(negativeSlope: l.negativeSlope), x)]
        case let l as ELU: return [try activation(.elu(alpha: l.alpha), x)]
        case let l as Softmax: return [graph.op("Softmax", [x], base, [("axis", .int(l.axis))])]
        case is Dropout: return [x]
        case is Flatten: return [graph.op("Flatten", [x], base, [("axis", .int(1))])]
        case let l as Reshape: return [graph.op("Reshape", [x, graph.int64s([0] + l.targetShape)], base)]
        case let l as Permute: return [graph.op("Transpose", [x], base, [("perm", .ints([0] + l.dims))])]
        case let l as RepeatVector:
            let expanded = graph.op("Unsqueeze", [x, graph.int64s([1])], base)
            return [graph.op("Tile", [expanded, graph.int64s([1, l.n, 1])], base)]
        case is Add: return [graph.op("Sum", inputs.map(\.name), base)]
        case is Subtract: return [graph.op("Sub", [inputs[0].name, inputs[1].name], base)]
        case is Multiply: return [inputs.dropFirst().reduce(x) { graph.op("Mul", [$0, $1.name], base) }]
        case is Average: return [graph.op("Mean", inputs.map(\.name), base)]
        case is Maximum: return [graph.op("Max", inputs.map(\.name), base)]
        case is Minimum: return [graph.op("Min", inputs.map(\.name), base)]
        case let l as Concatenate: return [graph.op("Concat", inputs.map(\.name), base, [("axis", .int(l.axis))])]
        case let l as Embedding:
            guard !l.maskZero else { throw unsupported("maskZero makes a mask, and masks are not exported to ONNX") }
            let ids = graph.op("Cast", [x], base + "_ids", [("to", .int(7))])
            return [graph.op("Gather", [weight(l.embeddings), ids], base)]
        case is Masking: throw unsupported("masks are not exported to ONNX")
        case let l as BatchNormalization: return [try batchNormalization(l)]
        case let l as LayerNormalization: return [try layerNormalization(l)]
        default: return nil
        }
    }

    /// Inference batch normalization folded into one multiply and one add.
    private func batchNormalization(_ l: BatchNormalization) throws -> String {
        let axis = l.axis < 0 ? l.axis + rank : l.axis
        guard axis > 0, axis < rank else { throw unsupported("axis \(l.axis) for inputs of rank \(rank)") }
        let mean = l.movingMean!.value.scalars, variance = l.movingVariance!.value.scalars
        let gamma = l.gamma?.value.scalars ?? Array(repeating: 1, count: mean.count)
        let beta = l.beta?.value.scalars ?? Array(repeating: 0, count: mean.count)
        let scale = zip(gamma, variance).map { $0 / (($1 + l.epsilon).squareRoot()) }
        let shift = (0..<mean.count).map { beta[$0] - mean[$0] * scale[$0] }
        let shape = [mean.count] + Array(repeating: 1, count: rank - 1 - axis)
        let scaled = graph.op("Mul", [x, graph.weight(scale, shape: shape, base + "/scale")], base)
        return graph.op("Add", [scaled, graph.weight(shift, shape: shape, base + "/shift")], base)
    }

    private func layerNormalization(_ l: LayerNormalization) throws -> String {
        let axes = l.axes.map { $0 < 0 ? $0 + rank : $0 }.sorted()
        guard let first = axes.first, axes == Array(first..<rank), first > 0 else {
            throw unsupported("normalization axes \(l.axes) that are not the trailing axes")
        }
        let shape = Array(inputs[0].shape[first...])
        let count = shape.reduce(1, *)
        let gamma = l.gamma.map { weight($0) } ?? graph.weight(Array(repeating: 1, count: count), shape: shape, base + "/gamma")
        let beta = l.beta.map { weight($0) } ?? graph.weight(Array(repeating: 0, count: count), shape: shape, base + "/beta")
        return graph.op("LayerNormalization", [x, gamma, beta], base, [("axis", .int(first)), ("epsilon", .float(l.epsilon))])
    }

    /// `f(value)` as ONNX nodes.
    func activation(_ f: ActivationFunction, _ value: String) throws -> String {
        let b = base + "_act"
        switch f {
        case .linear: return value
        case .sigmoid: return graph.op("Sigmoid", [value], b)
        case .tanh: return graph.op("Tanh", [value], b)
        case .softmax: return graph.op("Softmax", [value], b, [("axis", .int(-1))])
        case .logSoftmax: return graph.op("LogSoftmax", [value], b, [("axis", .int(-1))])
        case .exponential: return graph.op("Exp", [value], b)
        case let .relu(slope, maxValue, threshold):
            guard threshold == 0 else { throw unsupported("a relu threshold other than 0") }
            let y = slope == 0 ? graph.op("Relu", [value], b) : graph.op("LeakyRelu", [value], b, [("alpha", .float(slope))])
            return maxValue.map { graph.op("Min", [y, floatScalar($0, b + "/max")], b) } ?? y
        case .relu6: return graph.op("Min", [graph.op("Relu", [value], b), floatScalar(6, b + "/six")], b)
        case let .leakyRelu(slope): return graph.op("LeakyRelu", [value], b, [("alpha", .float(slope))])
        case let .elu(alpha): return graph.op("Elu", [value], b, [("alpha", .float(alpha))])
        case .selu: return graph.op("Selu", [value], b)
        case .softplus: return graph.op("Softplus", [value], b)
        case .softsign: return graph.op("Softsign", [value], b)
        case .swish, .silu: return graph.op("Mul", [value, graph.op("Sigmoid", [value], b)], b)
        case .hardSigmoid: return hardSigmoid(value, b)
        case .hardSilu: return graph.op("Mul", [value, hardSigmoid(value, b)], b)
        case let .gelu(approximate):
            let half = graph.op("Mul", [value, floatScalar(0.5, b + "/half")], b)
            let inner: String
            if approximate {
                let cube = graph.op("Mul", [graph.op("Mul", [value, value], b), value], b)
                let sum = graph.op("Add", [value, graph.op("Mul", [cube, floatScalar(0.044715, b + "/c")], b)], b)
                inner = graph.op("Tanh", [graph.op("Mul", [sum, floatScalar((2 / Float.pi).squareRoot(), b + "/k")], b)], b)
            } else {
                inner = graph.op("Erf", [graph.op("Mul", [value, floatScalar(1 / Float(2).squareRoot(), b + "/k")], b)], b)
            }
            return graph.op("Mul", [half, graph.op("Add", [inner, floatScalar(1, b + "/one")], b)], b)
        }
    }

    /// Keras 3's `relu6(x + 3) / 6`.
    private func hardSigmoid(_ value: String, _ b: String) -> String {
        graph.op("HardSigmoid", [value], b, [("alpha", .float(1.0 / 6)), ("beta", .float(0.5))])
    }
}
