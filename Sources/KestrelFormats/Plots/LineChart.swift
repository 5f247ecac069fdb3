import Foundation
import KestrelCore

/// A line chart of a few series over steps 1…n (a training curve per epoch): title,
/// labelled axes with round tick values, a legend, drawn as PNG or as SVG.
public struct LineChart {
    /// One line of the chart.
    public struct Series {
        public let name: String
        public let values: [Double]

        public init(name: String, values: [Double]) {
            self.name = name
            self.values = values
        }
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [Series]
    public var width = 560
    public var height = 400

    public init(title: String, xLabel: String, yLabel: String, series: [Series]) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
    }

    /// matplotlib's first colours: blue, orange, green, red, purple.
    static let palette: [Canvas.Color] = [(31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189)]

    /// Where everything goes, shared by both renderers.
    struct Layout {
        let left: Double, right: Double, top: Double, bottom: Double
        let xTicks: [Double], yTicks: [Double], yDecimals: Int
        let xRange: ClosedRange<Double>, yRange: ClosedRange<Double>

        func x(_ step: Double) -> Double { left + (step - xRange.lowerBound) / (xRange.upperBound - xRange.lowerBound) * (right - left) }
        func y(_ value: Double) -> Double { bottom - (value - yRange.lowerBound) / (yRange.upperBound - yRange.lowerBound) * (bottom - top) }
        func label(_ value: Double) -> String { String(format: "%.\(yDecimals)f", value) }
    }

    /// The legend's box: in the upper right corner, or the lower right when the lines
    /// end high (an accuracy rising to 1), so it covers as little of them as it can.
    func legendBox(_ l: Layout) -> (x: Double, y: Double, width: Double, height: Double) {
        let width = Double(Canvas.textWidth(series.map(\.name).max { $0.count < $1.count } ?? "", scale: 2) + 52)
        let height = Double(series.count * 22 + 10)
        let tail = series.flatMap { $0.values.suffix(max(1, $0.values.count / 2)) }.filter(\.isFinite)
        let middle = (l.yRange.lowerBound + l.yRange.upperBound) / 2
        let high = !tail.isEmpty && tail.reduce(0, +) / Double(tail.count) > middle
        return (l.right - width - 8, high ? l.bottom - height - 8 : l.top + 8, width, height)
    }

    var layout: Layout {
        let finite = series.flatMap(\.values).filter(\.isFinite)
        var low = finite.min() ?? 0, high = finite.max() ?? 1
        if high - low < 1e-12 { (low, high) = (low - 0.5, high + 0.5) }
        let yStep = Self.niceStep((high - low) / 5)
        let yLow = (low / yStep).rounded(.down) * yStep, yHigh = (high / yStep).rounded(.up) * yStep
        let steps = max(series.map(\.values.count).max() ?? 1, 1)
        let xStep = max(1, Self.niceStep(Double(steps) / 8))
        let xTicks = stride(from: 1.0, through: Double(steps), by: xStep).map { $0 }
        let yTicks = stride(from: yLow, through: yHigh + yStep / 2, by: yStep).map { $0 }
        let decimals = max(0, Int(-log10(yStep).rounded(.down)))
        return Layout(left: 84, right: Double(width - 20), top: 44, bottom: Double(height - 62),
                      xTicks: xTicks, yTicks: yTicks, yDecimals: decimals,
                      xRange: 1...max(Double(steps), 2), yRange: yLow...yHigh)
    }

    /// 1, 2 or 5 times a power of ten, at least `raw`.
    static func niceStep(_ raw: Double) -> Double {
        guard raw > 0, raw.isFinite else { return 1 }
        let power = pow(10, log10(raw).rounded(.down))
        return [1, 2, 5, 10].map { $0 * power }.first { $0 >= raw * 0.999 } ?? 10 * power
    }

    /// The chart drawn on a canvas at (`x`, `y`).
    func draw(on canvas: inout Canvas, x originX: Int = 0, y originY: Int = 0) {
        let l = layout
        let gray: Canvas.Color = (200, 200, 200), dark: Canvas.Color = (60, 60, 60)
        func px(_ v: Double) -> Int { Int(v.rounded()) }
        canvas.text(title, x: originX + width / 2, y: originY + 12, scale: 2, anchor: .middle)
        for tick in l.yTicks {
            let y = Double(originY) + l.y(tick)
            canvas.line(Double(originX) + l.left, y, Double(originX) + l.right, y, gray)
            canvas.text(l.label(tick), x: originX + px(l.left) - 8, y: px(y) - 7, anchor: .end, dark)
        }
        for tick in l.xTicks {
            let x = Double(originX) + l.x(tick)
            canvas.line(x, Double(originY) + l.bottom, x, Double(originY) + l.bottom + 5, dark)
            canvas.text(String(Int(tick)), x: px(x), y: originY + px(l.bottom) + 10, anchor: .middle, dark)
        }
        canvas.line(Double(originX) + l.left, Double(originY) + l.top, Double(originX) + l.left, Double(originY) + l.bottom, dark)
        canvas.line(Double(originX) + l.left, Double(originY) + l.bottom, Double(originX) + l.right, Double(originY) + l.bottom, dark)
        canvas.text(xLabel, x: originX + px((l.left + l.right) / 2), y: originY + height - 26, anchor: .middle)
        canvas.verticalText(yLabel, x: originX + 10, y: originY + px((l.top + l.bottom) / 2))
        for (index, s) in series.enumerated() {
            let color = Self.palette[index % Self.palette.count]
            let points = s.values.enumerated().filter { $0.element.isFinite }
            for (a, b) in zip(points, points.dropFirst()) {
                canvas.line(Double(originX) + l.x(Double(a.offset + 1)), Double(originY) + l.y(a.element),
                            Double(originX) + l.x(Double(b.offset + 1)), Double(originY) + l.y(b.element), color, thickness: 3)
            }
            for p in points {
                canvas.fill(x: originX + px(l.x(Double(p.offset + 1))) - 3, y: originY + px(l.y(p.element)) - 3, width: 7, height: 7, color)
            }
            let box = legendBox(l)
            if index == 0 {
                canvas.fill(x: originX + px(box.x), y: originY + px(box.y), width: px(box.width), height: px(box.height), gray)
                canvas.fill(x: originX + px(box.x) + 1, y: originY + px(box.y) + 1, width: px(box.width) - 2, height: px(box.height) - 2, Canvas.white)
            }
            let legendY = originY + px(box.y) + 8 + index * 22
            let legendX = originX + px(box.x) + 10
            canvas.line(Double(legendX), Double(legendY + 7), Double(legendX + 24), Double(legendY + 7), color, thickness: 3)
            canvas.text(s.name, x: legendX + 32, y: legendY, scale: 2)
        }
    }

    /// The chart as a PNG image.
    public func png() throws -> Data {
        var canvas = Canvas(width: width, height: height)
        draw(on: &canvas)
        return try canvas.png()
    }

    /// SVG elements of the chart placed at (`x`, `y`).
    func svgElements(x originX: Int = 0, y originY: Int = 0) -> String {
        let l = layout
        func f(_ v: Double) -> String { String(format: "%.1f", v) }
        var parts = ["<g transform=\"translate(\(originX),\(originY))\" font-family=\"sans-serif\">",
                     "<text x=\"\(width / 2)\" y=\"26\" font-size=\"16\" text-anchor=\"middle\">\(escapedXML(title))</text>"]
        for tick in l.yTicks {
            parts.append("<line x1=\"\(f(l.left))\" y1=\"\(f(l.y(tick)))\" x2=\"\(f(l.right))\" y2=\"\(f(l.y(tick)))\" stroke=\"#c8c8c8\"/>")
            parts.append("<text x=\"\(f(l.left - 8))\" y=\"\(f(l.y(tick) + 4))\" font-size=\"12\" text-anchor=\"end\">\(l.label(tick))</text>")
        }
        for tick in l.xTicks {
            parts.append("<line x1=\"\(f(l.x(tick)))\" y1=\"\(f(l.bottom))\" x2=\"\(f(l.x(tick)))\" y2=\"\(f(l.bottom + 5))\" stroke=\"#3c3c3c\"/>")
            parts.append("<text x=\"\(f(l.x(tick)))\" y=\"\(f(l.bottom + 20))\" font-size=\"12\" text-anchor=\"middle\">\(Int(tick))</text>")
        }
        parts.append("<polyline points=\"\(f(l.left)),\(f(l.top)) \(f(l.left)),\(f(l.bottom)) \(f(l.right)),\(f(l.bottom))\" fill=\"none\" stroke=\"#3c3c3c\"/>")
        parts.append("<text x=\"\(f((l.left + l.right) / 2))\" y=\"\(height - 14)\" font-size=\"14\" text-anchor=\"middle\">\(escapedXML(xLabel))</text>")
        parts.append("<text transform=\"translate(22,\(f((l.top + l.bottom) / 2))) rotate(-90)\" font-size=\"14\" text-anchor=\"middle\">\(escapedXML(yLabel))</text>")
        for (index, s) in series.enumerated() {
            let c = Self.palette[index % Self.palette.count]
            let color = String(format: "#%02x%02x%02x", c.r, c.g, c.b)
            let points = s.values.enumerated().filter { $0.element.isFinite }
            let path = points.map { "\(f(l.x(Double($0.offset + 1)))),\(f(l.y($0.element)))" }.joined(separator: " ")
            parts.append("<polyline points=\"\(path)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"2.5\"/>")
            for p in points {
                parts.append("<circle cx=\"\(f(l.x(Double(p.offset + 1))))\" cy=\"\(f(l.y(p.element)))\" r=\"3.5\" fill=\"\(color)\"/>")
            }
            let box = legendBox(l)
            if index == 0 {
                parts.append("<rect x=\"\(f(box.x))\" y=\"\(f(box.y))\" width=\"\(f(box.width))\" height=\"\(f(box.height))\" fill=\"white\" stroke=\"#c8c8c8\"/>")
            }
            let legendY = box.y + 20 + Double(index * 22)
            parts.append("<line x1=\"\(f(box.x + 10))\" y1=\"\(f(legendY - 4))\" x2=\"\(f(box.x + 34))\" y2=\"\(f(legendY - 4))\" stroke=\"\(color)\" stroke-width=\"2.5\"/>")
            parts.append("<text x=\"\(f(box.x + 42))\" y=\"\(f(legendY))\" font-size=\"13\">\(escapedXML(s.name))</text>")
        }
        parts.append("</g>")
        return parts.joined(separator: "\n")
    }

    /// The chart as a standalone SVG document.
    public var svg: String { svgDocument(width: width, height: height, body: svgElements()) }
}
