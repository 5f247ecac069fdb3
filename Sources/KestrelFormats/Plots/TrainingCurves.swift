import Foundation
import KestrelCore
import KestrelNN

/// The curves of a `fit` run, as Keras users draw them from `history.history` with
/// matplotlib: one chart per quantity (loss, then each metric), training and validation
/// values per epoch in the same chart, side by side in one PNG or SVG.
extension History {
    /// One chart per logged quantity, training next to validation (`val_…`).
    public var trainingCurves: [LineChart] {
        let names = history.keys.filter { !$0.hasPrefix("val_") }
            .sorted { ($0 == "loss" ? 0 : 1, $0) < ($1 == "loss" ? 0 : 1, $1) }
        return names.map { name in
            var series = [LineChart.Series(name: "train", values: history[name]!.map(Double.init))]
            if let validation = history["val_" + name] { series.append(.init(name: "validation", values: validation.map(Double.init))) }
            return LineChart(title: name.replacingOccurrences(of: "_", with: " "), xLabel: "epoch", yLabel: name, series: series)
        }
    }

    /// Writes the curves as `.png` or `.svg`, by the file's extension (atomic write).
    public func writeTrainingCurves(to url: URL) throws {
        let charts = trainingCurves
        guard let first = charts.first else {
            throw KestrelError(.invalidArgument, "History: nothing to plot yet; write the curves after fit has run an epoch")
        }
        let width = first.width * charts.count, height = first.height
        let data: Data
        switch url.pathExtension.lowercased() {
        case "png":
            var canvas = Canvas(width: width, height: height)
            for (index, chart) in charts.enumerated() { chart.draw(on: &canvas, x: index * chart.width) }
            data = try canvas.png()
        case "svg":
            let body = charts.enumerated().map { $1.svgElements(x: $0 * $1.width) }.joined(separator: "\n")
            data = Data(svgDocument(width: width, height: height, body: body).utf8)
        default:
            throw KestrelError(.invalidArgument, "\(url.lastPathComponent): training curves are written as .png or .svg, chosen by the file's extension; got \"\(url.pathExtension)\"")
        }
        try AtomicFile.write(data, to: url)
    }
}
