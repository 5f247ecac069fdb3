import Foundation
import KestrelCore

/// Reverses PNG's five row filters (None, Sub, Up, Average, Paeth) in place. Each filter
/// predicts a byte from the byte one pixel to the left, the byte above and the one above-left
/// (zero outside the pass); the file stores the difference, modulo 256.
enum PNGUnfiltering {
    /// Unfilters the `pass.height` rows at `start`, each its filter-type byte then
    /// `pass.rowBytes` bytes, leaving each row's bytes unfiltered after its type byte.
    static func unfilter(_ start: UnsafeMutablePointer<UInt8>, pass: PNGPass, bytesPerPixel: Int, source: String) throws {
        let count = pass.rowBytes
        var previous: UnsafeMutablePointer<UInt8>?
        for r in 0..<pass.height {
            let row = start + r * (count + 1) + 1
            let filter = row[-1]
            switch (filter, previous) {
            case (0, _): break
            case (1, _), (4, nil): sub(row, count, bytesPerPixel)
            case (2, let above?): up(row, above, count)
            case (2, nil): break
            case (3, let above?): average(row, above, count, bytesPerPixel)
            case (3, nil): halfLeft(row, count, bytesPerPixel)
            case (4, let above?): paeth(row, above, count, bytesPerPixel)
            default:
                throw KestrelError(.invalidFile, "PNG: \(source): row \(r) of the \(pass.width)×\(pass.height) pass starting at pixel (\(pass.firstColumn), \(pass.firstRow)) has filter type \(filter); PNG defines 0 to 4 (the file is corrupted)")
            }
            previous = row
        }
    }

    private static func sub(_ row: UnsafeMutablePointer<UInt8>, _ count: Int, _ bpp: Int) {
        var i = bpp
        while i < count {
            row[i] &+= row[i - bpp]
            i += 1
        }
    }

    private static func up(_ row: UnsafeMutablePointer<UInt8>, _ above: UnsafeMutablePointer<UInt8>, _ count: Int) {
        var i = 0
        while i < count {
            row[i] &+= above[i]
            i += 1
        }
    }

    /// Average on the first row of a pass: the byte above is zero.
    private static func halfLeft(_ row: UnsafeMutablePointer<UInt8>, _ count: Int, _ bpp: Int) {
        var i = bpp
        while i < count {
            row[i] &+= row[i - bpp] >> 1
            i += 1
        }
    }

    private static func average(_ row: UnsafeMutablePointer<UInt8>, _ above: UnsafeMutablePointer<UInt8>, _ count: Int, _ bpp: Int) {
        var i = 0
        while i < min(bpp, count) {
            row[i] &+= above[i] >> 1
            i += 1
        }
        while i < count {
            row[i] &+= UInt8(truncatingIfNeeded: (UInt16(row[i - bpp]) + UInt16(above[i])) >> 1)
            i += 1
        }
    }

    /// Paeth below a row: the left, above or above-left byte, whichever is nearest to
    /// left + above - above-left (ties in that order). The first pixel has only the byte above.
    private static func paeth(_ row: UnsafeMutablePointer<UInt8>, _ above: UnsafeMutablePointer<UInt8>, _ count: Int, _ bpp: Int) {
        var i = 0
        while i < min(bpp, count) {
            row[i] &+= above[i]
            i += 1
        }
        while i < count {
            let a = Int(row[i - bpp]), b = Int(above[i]), c = Int(above[i - bpp])
            let pa = abs(b - c), pb = abs(a - c), pc = abs(a + b - 2 * c)
            let predicted = pa <= pb && pa <= pc ? a : (pb <= pc ? b : c)
            row[i] &+= UInt8(truncatingIfNeeded: predicted)
            i += 1
        }
    }
}
