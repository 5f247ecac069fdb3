import Foundation
import KestrelCore

/// Keras 3's `model.summary()` table: one row per layer with its name, type, output shape
/// (`None` for the batch) and parameter count — plus, for functional models, the
/// "Connected to" column — then total / trainable / non-trainable counts.
extension Model {
    /// The summary text; the model must be built (give it an `Input` or call it once).
    public func summary() throws -> String {
        guard inputShapes != nil else {
            throw KestrelError(.invalidArgument, "\(name): the model is not built yet, so its shapes are unknown. Start it with Input(shape: …), call build(inputShape:), or run it on a batch first")
        }
        try ensureBuilt()
        var rows: [[String]] = []
        func outputText(_ layer: Layer) -> String {
            Model.shapeText(layerOutputShapes[ObjectIdentifier(layer)], unknownAxes: layerOutputUnknownAxes[ObjectIdentifier(layer)] ?? [])
        }
        if let graph {
            for input in graph.inputs {
                rows.append(["\(input.name) (InputLayer)", Model.shapeText(input.shape, unknownAxes: input.unknownAxes), "0", "-"])
            }
            for layer in graph.layers {
                let nodes = graph.nodes.filter { $0.layer === layer }
                let sources = nodes.flatMap(\.inputs).map(\.description)
                rows.append(["\(layer.name) (\(type(of: layer).kerasClassName))", outputText(layer),
                             Model.grouped(Model.count(layer.weights)), sources.joined(separator: ", ")])
            }
        } else {
            for layer in layers {
                rows.append(["\(layer.name) (\(type(of: layer).kerasClassName))", outputText(layer),
                             Model.grouped(Model.count(layer.weights))])
            }
        }
        let headers = graph == nil ? ["Layer (type)", "Output Shape", "Param #"] : ["Layer (type)", "Output Shape", "Param #", "Connected to"]
        let widths = graph == nil ? [33, 24, 15] : [33, 24, 15, 24]
        var lines = ["Model: \"\(name)\""]
        lines.append(Model.rule("┏", "━", "┳", "┓", widths))
        lines.append(Model.row(headers, "┃", widths))
        lines.append(Model.rule("┡", "━", "╇", "┩", widths))
        for (i, cells) in rows.enumerated() {
            lines.append(Model.row(cells, "│", widths))
            lines.append(i == rows.count - 1 ? Model.rule("└", "─", "┴", "┘", widths) : Model.rule("├", "─", "┼", "┤", widths))
        }
        if rows.isEmpty { lines.append(Model.rule("└", "─", "┴", "┘", widths)) }
        let total = parameterCount
        let trainableCount = Model.count(trainableWeights)
        lines.append(" Total params: \(Model.grouped(total)) (\(Model.readableSize(total * 4)))")
        lines.append(" Trainable params: \(Model.grouped(trainableCount)) (\(Model.readableSize(trainableCount * 4)))")
        lines.append(" Non-trainable params: \(Model.grouped(total - trainableCount)) (\(Model.readableSize((total - trainableCount) * 4)))")
        return lines.joined(separator: "\n")
    }

    /// A per-sample shape as Keras prints it, the batch axis and unknown sizes as `None`:
    /// "(None, 28, 28, 1)"; "?" when the shape is not known.
    package static func shapeText(_ shape: [Int]?, unknownAxes: Set<Int>) -> String {
        guard let shape else { return "?" }
        return "(" + (["None"] + shape.indices.map { unknownAxes.contains($0) ? "None" : String(shape[$0]) }).joined(separator: ", ") + ")"
    }

    package static func count(_ parameters: [Parameter]) -> Int {
        parameters.reduce(0) { $0 + Shape.count($1.shape) }
    }

    /// One table row, wrapped onto several lines where a cell is too wide (as Keras does);
    /// the third column (parameter counts) is right-aligned.
    package static func row(_ cells: [String], _ bar: String, _ widths: [Int]) -> String {
        let wrapped = cells.enumerated().map { wrap($0.element, width: widths[$0.offset] - 2) }
        let height = wrapped.map(\.count).max() ?? 1
        return (0..<height).map { k in
            var line = bar
            for (i, parts) in wrapped.enumerated() {
                let text = " " + (k < parts.count ? parts[k] : "")
                if i == 2 {
                    line += String(repeating: " ", count: max(0, widths[i] - text.count - 1)) + text + " "
                } else {
                    line += text + String(repeating: " ", count: max(0, widths[i] - text.count))
                }
                line += bar
            }
            return line
        }.joined(separator: "\n")
    }

    /// Splits text at spaces into lines of at most `width` characters (longer words stay whole).
    package static func wrap(_ text: String, width: Int) -> [String] {
        var lines: [String] = []
        var current = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: false).map(String.init) {
            if current.isEmpty {
                current = word
            } else if current.count + 1 + word.count <= width {
                current += " " + word
            } else {
                lines.append(current)
                current = word
            }
        }
        lines.append(current)
        return lines
    }

    package static func rule(_ left: String, _ fill: String, _ mid: String, _ right: String, _ widths: [Int]) -> String {
        left + widths.map { String(repeating: fill, count: $0) }.joined(separator: mid) + right
    }

    /// 1234567 → "1,234,567".
    package static func grouped(_ n: Int) -> String {
        let digits = String(n)
        var out = ""
        for (i, c) in digits.reversed().enumerated() {
            if i > 0 && i % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return String(out.reversed())
    }

    /// Bytes as Keras prints them: "198.79 KB", "0.00 B".
    package static func readableSize(_ bytes: Int) -> String {
        let units = ["B", "KB", "MB", "GB", "TB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return String(format: "%.2f", value) + " " + units[unit]
    }
}
