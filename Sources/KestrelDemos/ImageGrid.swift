import Foundation
import Kestrel

/// Tiles equally sized grayscale images into one picture with 1-pixel gaps.
struct ImageGrid {
    let rows: Int, cols: Int, tileHeight: Int, tileWidth: Int
    private(set) var pixels: [Float]

    init(rows: Int, cols: Int, tileHeight: Int, tileWidth: Int) {
        self.rows = rows
        self.cols = cols
        self.tileHeight = tileHeight
        self.tileWidth = tileWidth
        pixels = [Float](repeating: 1, count: (rows * (tileHeight + 1) + 1) * (cols * (tileWidth + 1) + 1))
    }

    var width: Int { cols * (tileWidth + 1) + 1 }
    var height: Int { rows * (tileHeight + 1) + 1 }

    /// Places one tile (row-major values) rescaled so its range spans [0, 1] when `normalize`.
    mutating func place(_ tile: [Float], row: Int, col: Int, normalize: Bool = false) {
        var values = tile
        if normalize, let lo = tile.min(), let hi = tile.max() {
            values = tile.map { hi > lo ? ($0 - lo) / (hi - lo) : 0 }
        }
        for r in 0..<tileHeight {
            for c in 0..<tileWidth {
                pixels[(row * (tileHeight + 1) + 1 + r) * width + col * (tileWidth + 1) + 1 + c] = values[r * tileWidth + c]
            }
        }
    }

    func write(to url: URL) throws { try PNGWriter.write(pixels, width: width, height: height, to: url) }
}
