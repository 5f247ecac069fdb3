import Foundation

/// One reduced image of a PNG's rows: the whole image when it is not interlaced, or one of
/// Adam7's seven passes, each a lattice of pixels with its own filtered rows. Passes that an
/// image is too small to reach hold no data, not even filter bytes, and are left out.
struct PNGPass {
    let firstColumn: Int
    let firstRow: Int
    let columnStep: Int
    let rowStep: Int
    /// Pixels in one row of the pass.
    let width: Int
    /// Rows in the pass.
    let height: Int
    /// Bytes of one row, without its filter-type byte.
    let rowBytes: Int

    /// Bytes the pass occupies in the inflated data: each row and its filter-type byte.
    var filteredByteCount: Int { height * (rowBytes + 1) }

    /// Adam7's passes: first column, first row, column step, row step.
    private static let adam7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]

    /// The passes the rows of an image with `header` come in, in file order.
    static func passes(for header: PNGHeader) -> [PNGPass] {
        let lattices = header.interlaced ? adam7 : [(0, 0, 1, 1)]
        return lattices.compactMap { column, row, columnStep, rowStep in
            let width = (header.width - column + columnStep - 1) / columnStep
            let height = (header.height - row + rowStep - 1) / rowStep
            guard width > 0, height > 0 else { return nil }
            return PNGPass(firstColumn: column, firstRow: row, columnStep: columnStep, rowStep: rowStep,
                           width: width, height: height, rowBytes: header.rowBytes(pixels: width))
        }
    }
}
