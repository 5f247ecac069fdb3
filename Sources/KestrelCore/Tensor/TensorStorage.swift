/// The heap buffer behind a `Tensor`: 64-byte-aligned Float32 scalars shared between
/// tensor values until one of them writes (copy-on-write is decided by `Tensor`).
@usableFromInline
package final class TensorStorage {
    @usableFromInline package let pointer: UnsafeMutablePointer<Float>
    @usableFromInline package let count: Int

    /// Allocates `count` uninitialised scalars (callers always write every scalar).
    @usableFromInline
    package init(uninitializedCount count: Int) {
        self.count = count
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * MemoryLayout<Float>.stride,
                                                   alignment: 64)
        pointer = raw.bindMemory(to: Float.self, capacity: max(count, 1))
    }

    @usableFromInline package convenience init(repeating value: Float, count: Int) {
        self.init(uninitializedCount: count)
        pointer.initialize(repeating: value, count: count)
    }

    @usableFromInline package convenience init(copying source: UnsafePointer<Float>, count: Int) {
        self.init(uninitializedCount: count)
        pointer.initialize(from: source, count: count)
    }

    deinit {
        UnsafeMutableRawPointer(pointer).deallocate()
    }
}
