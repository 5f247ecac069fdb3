import XCTest
@testable import KestrelCore

/// The per-step recurrent product against a plain triple loop, for every row count up to 20
/// (every split of rows into 6- and 4-row panels on AVX2) on every kernel level the CPU has,
/// for one matrix and for two stacked ones.
final class PackedRecurrentMatrixTests: XCTestCase {
    func testEveryRowCountMatchesThePlainProduct() {
        let (k1, k2, n) = (7, 5, 37)
        let b1 = (0..<(k1 * n)).map { Float(($0 * 7) % 11) / 11 - 0.5 }
        let b2 = (0..<(k2 * n)).map { Float(($0 * 5) % 13) / 13 - 0.5 }
        for isa in KernelISA.allCases where isa <= CPUFeatures.supportedISA {
            CPUFeatures.withISA(isa) {
                for m in 1...20 {
                    let a1 = (0..<(m * k1)).map { Float(($0 * 3) % 17) / 17 - 0.5 }
                    let a2 = (0..<(m * k2)).map { Float(($0 * 11) % 19) / 19 - 0.5 }
                    var expectedOne = [Float](repeating: 0, count: m * n), expectedTwo = expectedOne
                    for i in 0..<m {
                        for j in 0..<n {
                            var one: Float = 0, two: Float = 0
                            for p in 0..<k1 { one += a1[i * k1 + p] * b1[p * n + j] }
                            for p in 0..<k2 { two += a2[i * k2 + p] * b2[p * n + j] }
                            expectedOne[i * n + j] = one
                            expectedTwo[i * n + j] = one + two
                        }
                    }
                    let single = b1.withUnsafeBufferPointer {
                        PackedRecurrentMatrix($0.baseAddress!, rowStride: n, columnStride: 1, k: k1, n: n)
                    }
                    let stacked = b1.withUnsafeBufferPointer { p1 in
                        b2.withUnsafeBufferPointer { p2 in
                            PackedRecurrentMatrix(stacking: p1.baseAddress!, rowStride: n, k1: k1,
                                                  over: p2.baseAddress!, rowStride: n, k2: k2, n: n)
                        }
                    }
                    var scratch = [Float](repeating: .nan, count: stacked.packedSize(rows: m))
                    var one = [Float](repeating: .nan, count: m * n), two = one
                    a1.withUnsafeBufferPointer { p1 in
                        a2.withUnsafeBufferPointer { p2 in
                            scratch.withUnsafeMutableBufferPointer { s in
                                one.withUnsafeMutableBufferPointer { c in
                                    single.multiply(p1.baseAddress!, lda: k1, m: m, into: c.baseAddress!, ldc: n, beta: 0,
                                                    scratch: s.baseAddress!)
                                }
                                two.withUnsafeMutableBufferPointer { c in
                                    stacked.multiply(p1.baseAddress!, lda1: k1, then: p2.baseAddress!, lda2: k2, m: m,
                                                     into: c.baseAddress!, ldc: n, beta: 0, scratch: s.baseAddress!)
                                }
                            }
                        }
                    }
                    for i in 0..<(m * n) {
                        XCTAssertEqual(one[i], expectedOne[i], accuracy: 1e-5, "\(isa.name), m = \(m), one matrix, element \(i)")
                        XCTAssertEqual(two[i], expectedTwo[i], accuracy: 1e-5, "\(isa.name), m = \(m), stacked, element \(i)")
                    }
                }
            }
        }
    }
}
