/// The heap buffer behind a `Tensor`: 64-byte-aligned Float32 scalars shared between
/// tensor values until one of them writes (copy-on-write is decided by `Tensor`).
@usableFromInline
package final class TensorStorage {
    @usableFromInline package let pointer: UnsafeMutablePointer<Float>
    @usableFromInline package let count: Int
    /// Bytes allocated (`StorageCache`'s size class), given back to the cache on release.
    private let capacityBytes: Int

    /// Allocates `count` uninitialised scalars (callers always write every scalar).
    @usableFromInline
    package init(uninitializedCount count: Int) {
        self.count = count
        capacityBytes = StorageCache.capacity(forBytes: max(count, 1) * MemoryLayout<Float>.stride)
        pointer = StorageCache.take(capacity: capacityBytes).bindMemory(to: Float.self, capacity: max(count, 1))
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
        StorageCache.give(UnsafeMutableRawPointer(pointer), capacity: capacityBytes)
    }
}
