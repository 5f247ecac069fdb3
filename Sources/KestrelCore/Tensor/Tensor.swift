/// An N-dimensional array of Float32 scalars in row-major order: Kestrel's one value type
/// for data, parameters and gradients. Copies are cheap (storage is shared) and a write
/// copies first if the storage is shared (copy-on-write), so tensors behave like Swift
/// arrays. A tensor that requires gradients carries its entry on the gradient tape.
public struct Tensor {
    /// Sizes of the axes, outermost first; `[]` is a scalar.
    public private(set) var shape: [Int]
    @usableFromInline package var storage: TensorStorage
    package var node: TapeNode?

    @usableFromInline
    package init(shape: [Int], storage: TensorStorage) {
        self.shape = shape
        self.storage = storage
    }

    /// A tensor whose scalars are written by `fill` (which must write all `count` of them).
    @inlinable @inline(__always)
    package init(shape: [Int], unsafeUninitialized fill: (UnsafeMutablePointer<Float>, Int) -> Void) {
        let count = Shape.count(shape)
        let storage = TensorStorage(uninitializedCount: count)
        fill(storage.pointer, count)
        self.init(shape: shape, storage: storage)
    }

    /// A tensor from flat row-major scalars; `scalars.count` must equal the shape's count.
    public init(shape: [Int], scalars: [Float]) {
        checkedPrecondition(!shape.contains { $0 < 0 }, "Tensor: shape \(shape) has a negative size")
        checkedPrecondition(Shape.count(shape) == scalars.count,
                     "Tensor: shape \(shape) holds \(Shape.count(shape)) scalars but \(scalars.count) were given")
        let storage = TensorStorage(uninitializedCount: scalars.count)
        scalars.withUnsafeBufferPointer { buffer in
            if let base = buffer.baseAddress { storage.pointer.initialize(from: base, count: buffer.count) }
        }
        self.init(shape: shape, storage: storage)
    }

    /// A rank-0 tensor holding one value.
    public init(_ value: Float) {
        self.init(shape: [], storage: TensorStorage(repeating: value, count: 1))
    }

    /// A rank-1 tensor.
    public init(_ scalars: [Float]) {
        self.init(shape: [scalars.count], scalars: scalars)
    }

    public var rank: Int { shape.count }
    /// Number of scalars.
    public var count: Int { storage.count }

    /// The scalars in row-major order.
    public var scalars: [Float] {
        Array(UnsafeBufferPointer(start: storage.pointer, count: count))
    }

    /// The only scalar of a one-element tensor (a loss, a metric).
    public var scalar: Float {
        checkedPrecondition(count == 1, "Tensor.scalar: tensor has shape \(shape) with \(count) scalars, expected exactly 1")
        return storage.pointer[0]
    }

    /// Reads the scalars without copying.
    @inlinable
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: storage.pointer, count: storage.count))
    }

    /// Writes the scalars in place, copying first if the storage is shared.
    @inlinable
    public mutating func withUnsafeMutableBufferPointer<R>(_ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        makeUnique()
        return try body(UnsafeMutableBufferPointer(start: storage.pointer, count: storage.count))
    }

    @inlinable
    package mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&storage) {
            storage = TensorStorage(copying: storage.pointer, count: storage.count)
        }
    }

    /// Element access by a full index, e.g. `t[1, 2]`. Writing into a tensor that is the
    /// result of a recorded op detaches it from the tape.
    public subscript(_ index: Int...) -> Float {
        get { storage.pointer[offset(of: index)] }
        set {
            let o = offset(of: index)
            makeUnique()
            if let node, !node.isLeaf { self.node = nil }
            storage.pointer[o] = newValue
        }
    }

    private func offset(of index: [Int]) -> Int {
        checkedPrecondition(index.count == rank, "Tensor subscript: \(index.count) indices for a tensor of shape \(shape)")
        var offset = 0
        for (axis, i) in index.enumerated() {
            checkedPrecondition(i >= 0 && i < shape[axis], "Tensor subscript: index \(index) is out of range for shape \(shape)")
            offset = offset * shape[axis] + i
        }
        return offset
    }

    /// The same storage under another shape with the same count (used by reshape).
    package func sharingStorage(shape newShape: [Int]) -> Tensor {
        Tensor(shape: newShape, storage: storage)
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let values = count <= 64 ? "\(scalars)" : "[\(scalars.prefix(32).map { "\($0)" }.joined(separator: ", ")), …]"
        return "Tensor(shape: \(shape), \(values))"
    }
}

extension Tensor: Equatable {
    /// Same shape and bit-for-bit equal scalars (NaN ≠ NaN, as for Float).
    public static func == (lhs: Tensor, rhs: Tensor) -> Bool {
        lhs.shape == rhs.shape && lhs.withUnsafeBufferPointer { a in rhs.withUnsafeBufferPointer { b in a.elementsEqual(b) } }
    }
}
