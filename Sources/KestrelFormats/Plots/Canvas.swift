import Foundation

/// An RGB raster that charts are drawn on: filled rectangles, thick lines and text in
/// `BitmapFont` scaled up to stay readable, then written as PNG.
struct Canvas {
    typealias Color = (r: UInt8, g: UInt8, b: UInt8)
    static let white: Color = (255, 255, 255)
    static let black: Color = (0, 0, 0)

    let width: Int, height: Int
    private(set) var pixels: [UInt8]

    init(width: Int, height: Int, background: Color = Canvas.white) {
        self.width = width
        self.height = height
        pixels = [UInt8](repeating: 0, count: width * height * 3)
        fill(x: 0, y: 0, width: width, height: height, background)
    }

    mutating func set(_ x: Int, _ y: Int, _ color: Color) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        let i = (y * width + x) * 3
        pixels[i] = color.r
        pixels[i + 1] = color.g
        pixels[i + 2] = color.b
    }

    mutating func fill(x: Int, y: Int, width w: Int, height h: Int, _ color: Color) {
        for row in max(0, y)..<min(height, y + h) {
            for column in max(0, x)..<min(width, x + w) { set(column, row, color) }
        }
    }

    /// A straight line `thickness` pixels wide (square pen), every half pixel along it.
    mutating func line(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double, _ color: Color, thickness: Int = 1) {
        let steps = max(1, Int((max(abs(x1 - x0), abs(y1 - y0)) * 2).rounded(.up)))
        let half = thickness / 2
        for s in 0...steps {
            let t = Double(s) / Double(steps)
            let x = Int((x0 + (x1 - x0) * t).rounded()), y = Int((y0 + (y1 - y0) * t).rounded())
            fill(x: x - half, y: y - half, width: thickness, height: thickness, color)
        }
    }

    /// How text lines up with the point it is drawn at.
    enum Anchor { case start, middle, end }

    /// Pixel width of `text` at `scale` (one blank column between glyphs).
    static func textWidth(_ text: String, scale: Int) -> Int {
        max(0, text.count * (BitmapFont.width + 1) - 1) * scale
    }

    /// Draws `text` with its top edge at `y`.
    mutating func text(_ text: String, x: Int, y: Int, scale: Int = 2, anchor: Anchor = .start, _ color: Color = Canvas.black) {
        let width = Self.textWidth(text, scale: scale)
        var left = anchor == .start ? x : anchor == .middle ? x - width / 2 : x - width
        for character in text {
            for (row, bits) in BitmapFont.rows(of: character).enumerated() {
                for column in 0..<BitmapFont.width where bits & (0b10000 >> UInt8(column)) != 0 {
                    fill(x: left + column * scale, y: y + row * scale, width: scale, height: scale, color)
                }
            }
            left += (BitmapFont.width + 1) * scale
        }
    }

    /// Draws `text` turned a quarter left (reading upwards), centred on `y`, left edge at `x`.
    mutating func verticalText(_ text: String, x: Int, y: Int, scale: Int = 2, _ color: Color = Canvas.black) {
        var bottom = y + Self.textWidth(text, scale: scale) / 2
        for character in text {
            for (row, bits) in BitmapFont.rows(of: character).enumerated() {
                for column in 0..<BitmapFont.width where bits & (0b10000 >> UInt8(column)) != 0 {
                    fill(x: x + row * scale, y: bottom - (column + 1) * scale, width: scale, height: scale, color)
                }
            }
            bottom -= (BitmapFont.width + 1) * scale
        }
    }

    func png() throws -> Data { try PNGWriter.encode(width: width, height: height, rgb: pixels) }
}
