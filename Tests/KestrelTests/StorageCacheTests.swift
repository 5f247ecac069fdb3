import XCTest
@testable import KestrelCore

/// The tensor-buffer cache: size classes (at most a quarter above the request), reuse of a
/// freed buffer of the same class, and small buffers left to the system allocator.
final class StorageCacheTests: XCTestCase {
    func testSizeClassesRoundUpByAtMostAQuarter() {
        XCTAssertEqual(StorageCache.capacity(forBytes: 1000), 1000)
        XCTAssertEqual(StorageCache.capacity(forBytes: 1 << 16), 1 << 16)
        for bytes in [65_537, 100_000, 1 << 20, 3_000_001, 123_456_789] {
            let c = StorageCache.capacity(forBytes: bytes)
            XCTAssertGreaterThanOrEqual(c, bytes)
            XCTAssertLessThanOrEqual(Double(c), Double(bytes) * 1.25 + 1, "\(bytes) → \(c)")
            XCTAssertEqual(StorageCache.capacity(forBytes: c), c, "a class is its own class")
        }
    }

    func testAFreedBufferIsReusedForTheSameClass() {
        let capacity = StorageCache.capacity(forBytes: 777_777)
        let first = StorageCache.take(capacity: capacity)
        XCTAssertEqual(Int(bitPattern: first) % 64, 0, "64-byte aligned")
        StorageCache.give(first, capacity: capacity)
        let second = StorageCache.take(capacity: capacity)
        XCTAssertEqual(second, first)
        StorageCache.give(second, capacity: capacity)
        // Tensors go through it too and stay correct.
        let t = Tensor.ones([300_000]) * 2
        XCTAssertEqual(t.sum().scalar, 600_000)
    }
}
