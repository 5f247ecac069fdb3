/// Shape arithmetic shared by every op: element counts, row-major strides, axis
/// normalisation and NumPy broadcasting. Each rule throws a `KestrelError` naming the op,
/// so ops can fail with a precise message and tests can check that message.
public enum Shape {
    /// Number of elements of a tensor with this shape (1 for a scalar shape `[]`).
    @inlinable
    public static func count(_ shape: [Int]) -> Int {
        var n = 1
        for d in shape { n &*= d }
        return n
    }

    /// Number of elements of a shape read from a file or a config, or nil when a size is
    /// negative or the product overflows `Int` (where `count` would wrap, e.g. to 0 for
    /// [2^32, 2^32]).
    public static func checkedCount(_ shape: [Int]) -> Int? {
        var n = 1
        for d in shape {
            guard d >= 0 else { return nil }
            let (product, overflow) = n.multipliedReportingOverflow(by: d)
            guard !overflow else { return nil }
            n = product
        }
        return n
    }

    /// Row-major (C order) strides in elements.
    public static func strides(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var running = 1
        for axis in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[axis] = running
            running *= shape[axis]
        }
        return strides
    }

    /// Maps a possibly negative axis (-1 is the last) into `0..<rank`.
    public static func normalize(axis: Int, rank: Int, op: String) throws -> Int {
        let a = axis < 0 ? axis + rank : axis
        guard a >= 0 && a < rank else {
            throw KestrelError(.invalidArgument,
                               "\(op): axis \(axis) is out of range for a tensor of rank \(rank) (valid: \(-rank)..<\(rank))")
        }
        return a
    }

    /// Normalises a set of axes; `nil` means every axis. Duplicates are an error.
    public static func normalize(axes: [Int]?, rank: Int, op: String) throws -> [Int] {
        guard let axes else { return Array(0..<rank) }
        let result = try axes.map { try normalize(axis: $0, rank: rank, op: op) }
        guard Set(result).count == result.count else {
            throw KestrelError(.invalidArgument, "\(op): axes \(axes) name the same axis twice")
        }
        return result.sorted()
    }

    /// NumPy broadcasting: align trailing axes; each pair must be equal or contain a 1.
    public static func broadcast(_ a: [Int], _ b: [Int], op: String) throws -> [Int] {
        if a == b { return a }
        let rank = max(a.count, b.count)
        var out = [Int](repeating: 1, count: rank)
        for i in 0..<rank {
            let da = i < rank - a.count ? 1 : a[i - (rank - a.count)]
            let db = i < rank - b.count ? 1 : b[i - (rank - b.count)]
            if da == db || db == 1 {
                out[i] = da
            } else if da == 1 {
                out[i] = db
            } else {
                throw KestrelError(.shapeMismatch,
                                   "\(op): shapes \(a) and \(b) cannot be broadcast together (axis \(i - rank) has sizes \(da) and \(db); each pair must be equal or 1)")
            }
        }
        return out
    }

    /// Resolves a single -1 in a requested shape so the element count is preserved.
    public static func resolveReshape(_ requested: [Int], count: Int, from: [Int]) throws -> [Int] {
        var shape = requested
        let unknown = requested.indices.filter { requested[$0] == -1 }
        guard unknown.count <= 1, !requested.contains(where: { $0 < -1 }) else {
            throw KestrelError(.invalidArgument,
                               "reshape: \(requested) may contain at most one -1 and no other negative size")
        }
        if let u = unknown.first {
            let known = requested.enumerated().filter { $0.offset != u }.reduce(1) { $0 * $1.element }
            guard known > 0, count % known == 0 else {
                throw KestrelError(.shapeMismatch,
                                   "reshape: cannot reshape \(from) (\(count) elements) into \(requested)")
            }
            shape[u] = count / known
        }
        guard Shape.count(shape) == count else {
            throw KestrelError(.shapeMismatch,
                               "reshape: cannot reshape \(from) (\(count) elements) into \(requested) (\(Shape.count(shape)) elements)")
        }
        return shape
    }
}
