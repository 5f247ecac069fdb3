/// An N-dimensional array of integers for class ids, token ids and gather indices.
/// Never differentiated, so it is a plain value with array storage.
public struct IntTensor: Equatable, CustomStringConvertible {
    public let shape: [Int]
    public private(set) var scalars: [Int]

    public init(shape: [Int], scalars: [Int]) {
        checkedPrecondition(Shape.count(shape) == scalars.count,
                     "IntTensor: shape \(shape) holds \(Shape.count(shape)) scalars but \(scalars.count) were given")
        self.shape = shape
        self.scalars = scalars
    }

    /// A rank-1 tensor.
    public init(_ scalars: [Int]) {
        self.init(shape: [scalars.count], scalars: scalars)
    }

    /// A rank-2 tensor from rectangular rows.
    public init(_ rows: [[Int]]) {
        let width = rows.first?.count ?? 0
        checkedPrecondition(rows.allSatisfy { $0.count == width },
                     "IntTensor: rows have different lengths \(rows.map(\.count)); nested arrays must be rectangular")
        self.init(shape: [rows.count, width], scalars: rows.flatMap { $0 })
    }

    public var rank: Int { shape.count }
    public var count: Int { scalars.count }

    public subscript(_ index: Int) -> Int {
        get { scalars[index] }
        set { scalars[index] = newValue }
    }

    /// The ids as Float32 values (e.g. to feed them to a model as data).
    public var asTensor: Tensor {
        Tensor(shape: shape, scalars: scalars.map { Float($0) })
    }

    public var description: String { "IntTensor(shape: \(shape), \(scalars))" }
}

extension Tensor {
    /// Rounds every scalar toward zero into an `IntTensor`.
    public var asIntTensor: IntTensor {
        IntTensor(shape: shape, scalars: scalars.map { Int($0) })
    }
}
