import Foundation

/// Keras 3's `model.summary()` table: one row per layer with its name, type, output shape
/// (`None` for the batch) and parameter count, then total / trainable / non-trainable.
extension Model {
    /// The summary text; the model must be built (give it an `Input` or call it once).
    public func summary() throws -> String {
        guard inputShape != nil else {
            throw KestrelError(.invalidArgument, "\(name): the model is not built yet, so its shapes are unknown. Start it with Input(shape: …), call build(inputShape:), or run it on a batch first")
        }
        try ensureBuilt()
        let widths = [33, 24, 15]
        func row(_ cells: [String], _ bar: String) -> String {
            var line = bar
            for (i, cell) in cells.enumerated() {
                let text = " " + cell
                let padded: String
                if i == 2 {
                    padded = String(repeating: " ", count: max(0, widths[i] - text.count - 1)) + text + " "
                } else {
                    padded = text + String(repeating: " ", count: max(0, widths[i] - text.count))
                }
                line += padded + bar
            }
            return line
        }
        func rule(_ left: String, _ fill: String, _ mid: String, _ right: String) -> String {
            left + widths.map { String(repeating: fill, count: $0) }.joined(separator: mid) + right
        }
        var lines = ["Model: \"\(name)\""]
        lines.append(rule("┏", "━", "┳", "┓"))
        lines.append(row(["Layer (type)", "Output Shape", "Param #"], "┃"))
        lines.append(rule("┡", "━", "╇", "┩"))
        for (i, layer) in layers.enumerated() {
            let shape = layerOutputShapes[ObjectIdentifier(layer)].map { "(None, " + $0.map(String.init).joined(separator: ", ") + ")" } ?? "?"
            let count = layer.parameters.reduce(0) { $0 + Shape.count($1.shape) }
            lines.append(row(["\(layer.name) (\(type(of: layer).kerasClassName))", shape.replacingOccurrences(of: ", )", with: ")"), Model.grouped(count)], "│"))
            lines.append(i == layers.count - 1 ? rule("└", "─", "┴", "┘") : rule("├", "─", "┼", "┤"))
        }
        if layers.isEmpty { lines.append(rule("└", "─", "┴", "┘")) }
        let total = parameterCount
        let trainableCount = trainableWeights.reduce(0) { $0 + Shape.count($1.shape) }
        lines.append(" Total params: \(Model.grouped(total)) (\(Model.readableSize(total * 4)))")
        lines.append(" Trainable params: \(Model.grouped(trainableCount)) (\(Model.readableSize(trainableCount * 4)))")
        lines.append(" Non-trainable params: \(Model.grouped(total - trainableCount)) (\(Model.readableSize((total - trainableCount) * 4)))")
        return lines.joined(separator: "\n")
    }

    /// 1234567 → "1,234,567".
    static func grouped(_ n: Int) -> String {
        let digits = String(n)
        var out = ""
        for (i, c) in digits.reversed().enumerated() {
            if i > 0 && i % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return String(out.reversed())
    }

    /// Bytes as Keras prints them: "198.79 KB", "0.00 B".
    static func readableSize(_ bytes: Int) -> String {
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
