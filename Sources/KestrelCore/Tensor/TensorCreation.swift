extension Tensor {
    /// A tensor of `shape` with every scalar equal to `value`.
    public static func full(_ shape: [Int], _ value: Float) -> Tensor {
        checkedPrecondition(!shape.contains { $0 < 0 }, "Tensor.full: shape \(shape) has a negative size")
        return Tensor(shape: shape, storage: TensorStorage(repeating: value, count: Shape.count(shape)))
    }

    public static func zeros(_ shape: [Int]) -> Tensor { full(shape, 0) }
    public static func ones(_ shape: [Int]) -> Tensor { full(shape, 1) }

    /// Zeros with the shape of `other`.
    public static func zeros(like other: Tensor) -> Tensor { full(other.shape, 0) }

    /// `start, start + step, …` up to but excluding `end`, as a rank-1 tensor (NumPy's arange).
    public static func arange(_ start: Float = 0, _ end: Float, step: Float = 1) -> Tensor {
        checkedPrecondition(step != 0, "Tensor.arange: step must not be 0")
        let n = Swift.max(0, Int(((end - start) / step).rounded(.up)))
        return Tensor(shape: [n]) { p, n in
            for i in 0..<n { p[i] = start + Float(i) * step }
        }
    }

    /// A rank-2 tensor from nested rows; every row must have the same length.
    public init(_ rows: [[Float]]) {
        let width = rows.first?.count ?? 0
        checkedPrecondition(rows.allSatisfy { $0.count == width },
                     "Tensor: rows have different lengths \(rows.map(\.count)); nested arrays must be rectangular")
        self.init(shape: [rows.count, width], scalars: rows.flatMap { $0 })
    }

    /// A rank-3 tensor from nested arrays; they must be rectangular.
    public init(_ planes: [[[Float]]]) {
        let inner = planes.map { Tensor($0) }
        let shape = inner.first?.shape ?? [0, 0]
        checkedPrecondition(inner.allSatisfy { $0.shape == shape },
                     "Tensor: nested arrays have different shapes \(inner.map(\.shape)); they must be rectangular")
        self.init(shape: [planes.count] + shape, scalars: inner.flatMap(\.scalars))
    }

    /// A rank-4 tensor from nested arrays; they must be rectangular.
    public init(_ blocks: [[[[Float]]]]) {
        let inner = blocks.map { Tensor($0) }
        let shape = inner.first?.shape ?? [0, 0, 0]
        checkedPrecondition(inner.allSatisfy { $0.shape == shape },
                     "Tensor: nested arrays have different shapes \(inner.map(\.shape)); they must be rectangular")
        self.init(shape: [blocks.count] + shape, scalars: inner.flatMap(\.scalars))
    }
}
