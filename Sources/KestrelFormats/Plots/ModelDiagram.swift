import Foundation
import KestrelCore
import KestrelNN

/// A picture of a model's layers and how they connect, with each layer's input and output
/// shapes, like Keras's `plot_model(show_shapes=True)`: Graphviz DOT text, or an SVG that
/// needs no Graphviz.
///
/// A functional model gets one box per `Input` and one per layer call (a shared layer called
/// twice gets two boxes with the same name), with an arrow for every tensor passed between
/// them. A `Sequential` model is a chain of boxes, starting with its `Input` when it has one.
/// A nested model is one box, labelled with its class (`Sequential`, `Functional`).
public struct ModelDiagram {
    /// One box: "name (ClassName)", then the shapes it takes and gives, Keras-style.
    private struct Box {
        let lines: [String]

        init(_ layer: Layer, input: String, output: String) {
            lines = ["\(layer.name) (\(type(of: layer).kerasClassName))", "input: \(input)", "output: \(output)"]
        }
    }

    /// An arrow from the box that produces a tensor to a box that consumes it.
    private struct Edge {
        let from: Int
        let to: Int
    }

    /// Where a box sits in the SVG.
    private struct Frame {
        let x: Int
        let y: Int
        let width: Int
        var centreX: Int { x + width / 2 }
    }

    private let modelName: String
    /// In dependency order: every box comes after the boxes its arrows start from.
    private let boxes: [Box]
    /// Sorted by target box, as the layout needs.
    private let edges: [Edge]

    /// Reads the model's layers, connections and shapes. A `Sequential` must know its input
    /// shape (start it with `Input(shape:)`, call `build(inputShape:)`, or run it once);
    /// it is built here if it has not been yet.
    public init(_ model: Model) throws {
        modelName = model.name
        if let graph = model.graph {
            let calls = Self.callsOfLayers(in: graph)
            boxes = calls.boxes
            edges = calls.edges
        } else {
            let stack = try Self.stackOfLayers(in: model)
            boxes = stack
            edges = stack.indices.dropFirst().map { Edge(from: $0 - 1, to: $0) }
        }
    }

    private static func callsOfLayers(in graph: LayerGraph) -> (boxes: [Box], edges: [Edge]) {
        var boxes: [Box] = []
        var edges: [Edge] = []
        var producingBox: [ObjectIdentifier: Int] = [:]
        for input in graph.inputs {
            let shape = shapeText(of: [input.output])
            producingBox[ObjectIdentifier(input.output)] = boxes.count
            boxes.append(Box(input, input: shape, output: shape))
        }
        for node in graph.nodes {
            for tensor in node.inputs {
                if let from = producingBox[ObjectIdentifier(tensor)] { edges.append(Edge(from: from, to: boxes.count)) }
            }
            for tensor in node.outputs { producingBox[ObjectIdentifier(tensor)] = boxes.count }
            boxes.append(Box(node.layer, input: shapeText(of: node.inputs), output: shapeText(of: node.outputs)))
        }
        return (boxes, edges)
    }

    private static func stackOfLayers(in model: Model) throws -> [Box] {
        guard let inputShape = model.inputShape else {
            throw KestrelError(.invalidArgument, "\(model.name): the model is not built yet, so its shapes are unknown; give it an Input(shape:) first, call build(inputShape:), or run it on a batch before drawing it")
        }
        try model.ensureBuilt()
        let input = model.declaredInputs.first
        var shape = Model.shapeText(inputShape, unknownAxes: input?.unknownAxes ?? [])
        var boxes = input.map { [Box($0, input: shape, output: shape)] } ?? []
        for layer in model.layers {
            let output = Model.shapeText(model.layerOutputShapes[ObjectIdentifier(layer)],
                                   unknownAxes: model.layerOutputUnknownAxes[ObjectIdentifier(layer)] ?? [])
            boxes.append(Box(layer, input: shape, output: output))
            shape = output
        }
        return boxes
    }

    /// "(None, 28, 28, 1)" for one tensor, "[(None, 5), (None, 5)]" for several.
    private static func shapeText(of tensors: [SymbolicTensor]) -> String {
        let shapes = tensors.map { Model.shapeText($0.shape, unknownAxes: $0.unknownAxes) }
        return shapes.count == 1 ? shapes[0] : "[" + shapes.joined(separator: ", ") + "]"
    }

    // MARK: DOT

    /// Graphviz DOT source (`dot -Tpng` renders it).
    public var dot: String {
        var lines = ["digraph \"\(Self.dotEscaped(modelName))\" {", "  node [shape=box, fontname=\"monospace\"];"]
        for (index, box) in boxes.enumerated() {
            lines.append("  n\(index) [label=\"\(box.lines.map(Self.dotEscaped).joined(separator: "\\n"))\"];")
        }
        for edge in edges { lines.append("  n\(edge.from) -> n\(edge.to);") }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    private static func dotEscaped(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
    }

    // MARK: SVG

    private static let characterWidth = 7.2  // monospace at font-size 12
    private static let lineHeight = 16
    private static let horizontalPadding = 12
    private static let verticalPadding = 8
    private static let boxHeight = 3 * lineHeight + 2 * verticalPadding
    private static let horizontalGap = 20
    private static let verticalGap = 40
    private static let margin = 20

    /// A standalone SVG drawing: boxes top to bottom in dependency order, arrows between them.
    /// Each box is a group whose `<title>` is its first line (a tooltip in browsers).
    public var svg: String {
        let (frames, width, height) = layout()
        var lines = [
            "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"8\" markerHeight=\"8\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#333\"/></marker></defs>",
        ]
        for edge in edges {
            let from = frames[edge.from], to = frames[edge.to]
            lines.append("<line x1=\"\(from.centreX)\" y1=\"\(from.y + Self.boxHeight)\" x2=\"\(to.centreX)\" y2=\"\(to.y)\" stroke=\"#333\" stroke-width=\"1.5\" marker-end=\"url(#arrow)\"/>")
        }
        for (box, frame) in zip(boxes, frames) {
            var group = "<g><title>\(escapedXML(box.lines[0]))</title>"
            group += "<rect x=\"\(frame.x)\" y=\"\(frame.y)\" width=\"\(frame.width)\" height=\"\(Self.boxHeight)\" rx=\"4\" fill=\"#eef3fb\" stroke=\"#333\"/>"
            for (k, line) in box.lines.enumerated() {
                let baseline = frame.y + Self.verticalPadding + (k + 1) * Self.lineHeight - 4
                let weight = k == 0 ? " font-weight=\"bold\"" : ""
                group += "<text x=\"\(frame.centreX)\" y=\"\(baseline)\" text-anchor=\"middle\" font-family=\"monospace\" font-size=\"12\"\(weight)>\(escapedXML(line))</text>"
            }
            lines.append(group + "</g>")
        }
        return svgDocument(width: width, height: height, body: lines.joined(separator: "\n"))
    }

    /// Puts each box on a row one below the lowest of the boxes feeding it (boxes fed by
    /// nothing just above their first consumer), side by side and centred within their row.
    private func layout() -> (frames: [Frame], width: Int, height: Int) {
        var rowOfBox = [Int](repeating: 0, count: boxes.count)
        // Edges are sorted by target and point from earlier boxes, so every source's row is final when read.
        for edge in edges { rowOfBox[edge.to] = max(rowOfBox[edge.to], rowOfBox[edge.from] + 1) }
        // A box fed by nothing (an input) sits just above its first consumer, so its arrow
        // does not cross the rows between.
        let fed = Set(edges.map(\.to))
        for index in boxes.indices where !fed.contains(index) {
            if let first = edges.filter({ $0.from == index }).map({ rowOfBox[$0.to] }).min() { rowOfBox[index] = first - 1 }
        }
        let widths = boxes.map { box in
            2 * Self.horizontalPadding + Int((Double(box.lines.map(\.count).max() ?? 0) * Self.characterWidth).rounded(.up))
        }
        var rows = [[Int]](repeating: [], count: (rowOfBox.max() ?? -1) + 1)
        for index in boxes.indices { rows[rowOfBox[index]].append(index) }
        let rowWidths = rows.map { row in row.map { widths[$0] }.reduce(0, +) + Self.horizontalGap * max(0, row.count - 1) }
        let contentWidth = rowWidths.max() ?? 0
        var frames = [Frame?](repeating: nil, count: boxes.count)
        for (rowNumber, row) in rows.enumerated() {
            var x = Self.margin + (contentWidth - rowWidths[rowNumber]) / 2
            for index in row {
                frames[index] = Frame(x: x, y: Self.margin + rowNumber * (Self.boxHeight + Self.verticalGap), width: widths[index])
                x += widths[index] + Self.horizontalGap
            }
        }
        let height = 2 * Self.margin + rows.count * Self.boxHeight + max(0, rows.count - 1) * Self.verticalGap
        return (frames.map { $0! }, contentWidth + 2 * Self.margin, height)
    }

    // MARK: Files

    /// Writes the SVG (`.svg`) or the DOT source (`.dot`), chosen by `url`'s extension, as
    /// one atomic write; any other extension throws.
    public func write(to url: URL) throws {
        let text: String
        switch url.pathExtension.lowercased() {
        case "svg": text = svg
        case "dot": text = dot
        default:
            let given = url.pathExtension.isEmpty ? "no extension" : "the extension .\(url.pathExtension)"
            throw KestrelError(.invalidArgument, "\(url.lastPathComponent): a model diagram is written as .svg or .dot, chosen by the file's extension; got \(given)")
        }
        try AtomicFile.write(Data(text.utf8), to: url)
    }
}
