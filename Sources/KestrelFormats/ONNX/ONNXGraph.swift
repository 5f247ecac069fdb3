import Foundation
import KestrelCore

/// An ONNX graph being built: nodes in execution order, weights as initializers, the
/// graph's inputs and outputs, encoded as an ONNX `ModelProto` (opset 17, IR version 8).
final class ONNXGraph {
    /// One attribute of a node.
    enum Attribute {
        case int(Int), ints([Int]), float(Float), floats([Float]), string(String), strings([String])
    }

    /// A value flowing through the graph: its name and the shape it has when the batch
    /// has one sample (the batch axis first; the writer marks it dynamic).
    struct Value {
        let name: String
        let shape: [Int]
        var rank: Int { shape.count }
    }

    static let opset = 17
    private var nodes: [ProtobufMessage] = []
    private var initializers: [ProtobufMessage] = []
    private var inputs: [ProtobufMessage] = []
    private var outputs: [ProtobufMessage] = []
    private var used: Set<String> = []

    /// A fresh name starting with `base` (names of values, weights and nodes never repeat).
    func name(_ base: String) -> String {
        let clean = base.isEmpty ? "v" : base
        var candidate = clean, n = 0
        while used.contains(candidate) {
            n += 1
            candidate = "\(clean)_\(n)"
        }
        used.insert(candidate)
        return candidate
    }

    /// A float32 weight of the graph.
    func weight(_ tensor: Tensor, _ base: String) -> String {
        weight(tensor.scalars, shape: tensor.shape, base)
    }

    /// A float32 weight from values and a shape.
    func weight(_ values: [Float], shape: [Int], _ base: String) -> String {
        var raw = LittleEndianBytes()
        raw.float32s(values)
        return initializer(base, shape: shape, dataType: 1, raw: raw)  // FLOAT
    }

    /// An int64 scalar constant (an index).
    func int64Scalar(_ value: Int) -> String { int64s([value], shape: []) }

    /// An int64 constant (shapes, axes, pads).
    func int64s(_ values: [Int], shape: [Int]? = nil, _ base: String = "const") -> String {
        var raw = LittleEndianBytes()
        for v in values { raw.u64(UInt64(bitPattern: Int64(v))) }
        return initializer(base, shape: shape ?? [values.count], dataType: 7, raw: raw)  // INT64
    }

    /// A `TensorProto` initializer holding `raw` little-endian data; returns its name.
    private func initializer(_ base: String, shape: [Int], dataType: Int, raw: LittleEndianBytes) -> String {
        let name = name(base)
        var t = ProtobufMessage()
        t.ints(1, shape)
        t.int(2, dataType)
        t.string(8, name)
        t.bytes(9, raw.bytes)
        initializers.append(t)
        return name
    }

    /// Appends a node; returns its output names.
    @discardableResult
    func node(_ op: String, _ inputs: [String], outputs: Int = 1, _ base: String, _ attributes: [(String, Attribute)] = []) -> [String] {
        let names = (0..<outputs).map { name(outputs == 1 ? base : "\(base)_out\($0)") }
        var n = ProtobufMessage()
        for i in inputs { n.string(1, i) }
        for o in names { n.string(2, o) }
        n.string(3, name("\(base)_\(op)"))
        n.string(4, op)
        for (key, value) in attributes { n.message(5, Self.attribute(key, value)) }
        nodes.append(n)
        return names
    }

    /// One-output node.
    func op(_ op: String, _ inputs: [String], _ base: String, _ attributes: [(String, Attribute)] = []) -> String {
        node(op, inputs, base, attributes)[0]
    }

    func addInput(_ name: String, shape: [Int?], elementType: Int = 1) {
        inputs.append(Self.valueInfo(name, shape: shape, elementType: elementType))
    }

    func addOutput(_ name: String, shape: [Int?]) {
        outputs.append(Self.valueInfo(name, shape: shape, elementType: 1))
    }

    /// The encoded `ModelProto`.
    func model(graphName: String, producerVersion: String) -> Data {
        var graph = ProtobufMessage()
        for n in nodes { graph.message(1, n) }
        graph.string(2, graphName)
        for t in initializers { graph.message(5, t) }
        for i in inputs { graph.message(11, i) }
        for o in outputs { graph.message(12, o) }
        var opset = ProtobufMessage()
        opset.string(1, "")
        opset.int(2, Self.opset)
        var model = ProtobufMessage()
        model.int(1, 8)  // IR version 8 goes with opset 17
        model.string(2, "Kestrel")
        model.string(3, producerVersion)
        model.message(7, graph)
        model.message(8, opset)
        return Data(model.bytes)
    }

    private static func valueInfo(_ name: String, shape: [Int?], elementType: Int) -> ProtobufMessage {
        var dims = ProtobufMessage()
        for (axis, size) in shape.enumerated() {
            var d = ProtobufMessage()
            if let size { d.int(1, size) } else { d.string(2, axis == 0 ? "batch" : "\(name)_dim\(axis)") }
            dims.message(1, d)
        }
        var tensorType = ProtobufMessage()
        tensorType.int(1, elementType)
        tensorType.message(2, dims)
        var type = ProtobufMessage()
        type.message(1, tensorType)
        var info = ProtobufMessage()
        info.string(1, name)
        info.message(2, type)
        return info
    }

    private static func attribute(_ name: String, _ value: Attribute) -> ProtobufMessage {
        var a = ProtobufMessage()
        a.string(1, name)
        switch value {
        case .float(let f): a.float(2, f); a.int(20, 1)
        case .int(let i): a.int(3, i); a.int(20, 2)
        case .string(let s): a.string(4, s); a.int(20, 3)
        case .floats(let fs): a.floats(7, fs); a.int(20, 6)
        case .ints(let list): a.ints(8, list); a.int(20, 7)
        case .strings(let list): for s in list { a.string(9, s) }; a.int(20, 8)
        }
        return a
    }
}
