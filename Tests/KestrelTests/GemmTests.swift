import Foundation
import Synchronization
import XCTest
@testable import KestrelCore
@testable import KestrelNN
@testable import KestrelFormats
@testable import KestrelConformance
import Kestrel

/// Gemm.sgemm against a naive Double-accumulated reference, for every kernel level, 1 and 2
/// threads, all transpose combinations, odd sizes, padded leading dimensions, alpha/beta.
final class GemmTests: XCTestCase {
    private var savedThreads = 1

    override func setUp() { savedThreads = Threading.threadCount }
    override func tearDown() {
        Threading.threadCount = savedThreads
        CPUFeatures.setISA(nil)
    }

    private struct Rng {
        var s: UInt64
        mutating func next() -> Float {
            s = s &* 6364136223846793005 &+ 1442695040888963407
            return Float(Int64(bitPattern: s >> 11) % 2001 - 1000) / 1000
        }
    }

    private func isas() -> [KernelISA] { KernelISA.allCases.filter { $0 <= CPUFeatures.supportedISA } }

    /// Runs one case and compares with the reference; returns the max scaled error.
    @discardableResult
    private func check(_ ta: Bool, _ tb: Bool, _ m: Int, _ n: Int, _ k: Int,
                       alpha: Float = 1, beta: Float = 0, padA: Int = 0, padB: Int = 0, padC: Int = 0,
                       nanC: Bool = false, file: StaticString = #filePath, line: UInt = #line) -> Double {
        let lda = (ta ? m : k) + padA, ldb = (tb ? k : n) + padB, ldc = n + padC
        let aRows = ta ? k : m, bRows = tb ? n : k
        var rng = Rng(s: UInt64(m * 131 + n * 17 + k * 7 + (ta ? 1 : 0) + (tb ? 2 : 0)))
        var a = [Float](repeating: 0, count: max(1, aRows * lda))
        var b = [Float](repeating: 0, count: max(1, bRows * ldb))
        for i in a.indices { a[i] = rng.next() }
        for i in b.indices { b[i] = rng.next() }
        var c = [Float](repeating: 0, count: max(1, m * ldc))
        for i in c.indices { c[i] = nanC ? .nan : rng.next() }
        let c0 = c
        Gemm.sgemm(transA: ta, transB: tb, m: m, n: n, k: k, alpha: alpha, a: a, lda: max(1, lda),
                   b: b, ldb: max(1, ldb), beta: beta, c: &c, ldc: max(1, ldc))
        var worst = 0.0
        for i in 0..<m {
            for j in 0..<n {
                var s = 0.0, mag = 0.0
                for p in 0..<k {
                    let av = Double(ta ? a[p * lda + i] : a[i * lda + p])
                    let bv = Double(tb ? b[j * ldb + p] : b[p * ldb + j])
                    s += av * bv
                    mag += abs(av * bv)
                }
                var ref = Double(alpha) * s
                if beta != 0 { ref += Double(beta) * Double(c0[i * ldc + j]) }
                let got = Double(c[i * ldc + j])
                let cterm = beta == 0 ? 0 : abs(Double(beta) * Double(c0[i * ldc + j]))
                let tol = 1e-5 * (Double(abs(alpha)) * mag + cterm + 1)
                let err = abs(got - ref)
                if !(err <= tol) {
                    XCTFail("ta=\(ta) tb=\(tb) m=\(m) n=\(n) k=\(k) alpha=\(alpha) beta=\(beta) isa=\(CPUFeatures.isaName) threads=\(Threading.threadCount): C[\(i),\(j)] = \(got), want \(ref)", file: file, line: line)
                    return .infinity
                }
                worst = max(worst, err / tol)
            }
            // Padding columns of C must be untouched.
            for j in n..<ldc where !(c[i * ldc + j] == c0[i * ldc + j] || (c[i * ldc + j].isNaN && c0[i * ldc + j].isNaN)) {
                XCTFail("padding C[\(i),\(j)] modified", file: file, line: line)
                return .infinity
            }
        }
        return worst
    }

    private let shapes: [(Int, Int, Int)] = [
        (1, 1, 1), (7, 7, 7), (1, 33, 5), (33, 1, 9), (33, 33, 33), (13, 31, 17), (12, 32, 384),
        (25, 65, 385), (20, 64, 50), (28, 96, 31), (129, 129, 129), (64, 512, 128), (300, 17, 513), (17, 300, 45), (97, 200, 800),
    ]

    func testAllCombinationsEveryISA() {
        let saved = Gemm.useStrips
        defer { Gemm.useStrips = saved }
        for strips in [false, true] {
        Gemm.useStrips = strips
        for isa in isas() {
            CPUFeatures.setISA(isa)
            for threads in [1, 2] {
                Threading.threadCount = threads
                for (m, n, k) in shapes {
                    for ta in [false, true] {
                        for tb in [false, true] {
                            check(ta, tb, m, n, k)
                        }
                    }
                }
            }
        }
        }
    }

    func testLeadingDimensionsAlphaBeta() {
        for isa in isas() {
            CPUFeatures.setISA(isa)
            for threads in [1, 2] {
                Threading.threadCount = threads
                for ta in [false, true] {
                    for tb in [false, true] {
                        check(ta, tb, 37, 45, 29, alpha: 0.5, beta: 2, padA: 3, padB: 5, padC: 7)
                        check(ta, tb, 130, 70, 400, alpha: -1.5, beta: 1, padA: 1, padB: 2, padC: 3)
                        check(ta, tb, 50, 90, 60, alpha: 1, beta: -0.25, padC: 1)
                        check(ta, tb, 23, 41, 19, alpha: 2, beta: 0, padC: 4, nanC: true)
                        check(ta, tb, 200, 260, 150, alpha: 1, beta: 0, padA: 2, padB: 2, padC: 2, nanC: true)
                    }
                }
            }
        }
    }

    func testLargeMultiBlock() {
        // Several KC / NC / MC blocks, split across threads, with both parallel schedules.
        let saved = Gemm.useStrips
        defer { Gemm.useStrips = saved }
        for strips in [false, true] {
            Gemm.useStrips = strips
            for isa in isas() {
                CPUFeatures.setISA(isa)
                Threading.threadCount = 2
                check(false, false, 1600, 70, 800, alpha: 1, beta: 0.5)
                check(true, true, 70, 1100, 500, alpha: 1, beta: 0, nanC: true)
                check(false, true, 130, 1200, 450, alpha: 1, beta: 0, nanC: true)
                Threading.threadCount = 3
                check(true, false, 1700, 600, 300, alpha: -1, beta: 1, padA: 1, padB: 3, padC: 2)
            }
        }
    }

    func testDegenerateSizes() {
        for isa in isas() {
            CPUFeatures.setISA(isa)
            for threads in [1, 2] {
                Threading.threadCount = threads
                // k = 0: C = beta * C.
                var c: [Float] = [1, 2, 3, 4, 5, 6]
                let a: [Float] = [9], b: [Float] = [9]
                Gemm.sgemm(transA: false, transB: false, m: 2, n: 3, k: 0, alpha: 1, a: a, lda: 1,
                           b: b, ldb: 3, beta: 2, c: &c, ldc: 3)
                XCTAssertEqual(c, [2, 4, 6, 8, 10, 12])
                var cn: [Float] = [.nan, .nan, .nan, .nan]
                Gemm.sgemm(transA: true, transB: true, m: 2, n: 2, k: 0, alpha: 1, a: a, lda: 2,
                           b: b, ldb: 1, beta: 0, c: &cn, ldc: 2)
                XCTAssertEqual(cn, [0, 0, 0, 0])
                // m = 0 or n = 0: nothing touched.
                var cz: [Float] = [7]
                Gemm.sgemm(transA: false, transB: false, m: 0, n: 1, k: 1, alpha: 1, a: a, lda: 1,
                           b: b, ldb: 1, beta: 0, c: &cz, ldc: 1)
                Gemm.sgemm(transA: false, transB: false, m: 1, n: 0, k: 1, alpha: 1, a: a, lda: 1,
                           b: b, ldb: 1, beta: 0, c: &cz, ldc: 1)
                XCTAssertEqual(cz, [7])
                check(false, false, 5, 6, 0, alpha: 1, beta: 0.5)
            }
        }
    }

    func testParallelForEach() {
        for threads in [1, 2, 3] {
            Threading.threadCount = threads
            for count in [0, 1, 2, 5, 100] {
                var hits = [Int](repeating: 0, count: count)
                hits.withUnsafeMutableBufferPointer { h in
                    let p = h.baseAddress
                    Parallel.forEach(count) { i in p![i] += 1 }
                }
                XCTAssertEqual(hits, [Int](repeating: 1, count: count))
            }
        }
        // Nested calls run inline and still cover everything.
        Threading.threadCount = 2
        var total = [Int](repeating: 0, count: 16)
        total.withUnsafeMutableBufferPointer { h in
            let p = h.baseAddress!
            Parallel.forEach(4) { i in Parallel.forEach(4) { j in p[i * 4 + j] += 1 } }
        }
        XCTAssertEqual(total, [Int](repeating: 1, count: 16))
    }

    func testParallelStress() {
        // Many back-to-back small jobs (RNN-style): every item runs exactly once per job.
        Threading.threadCount = 2
        var counts = [Int](repeating: 0, count: 3)
        counts.withUnsafeMutableBufferPointer { h in
            let p = h.baseAddress!
            for _ in 0..<20_000 { Parallel.forEach(3) { i in p[i] += 1 } }
        }
        XCTAssertEqual(counts, [20_000, 20_000, 20_000])
    }

    func testConcurrentCallers() {
        // sgemm from several threads at once (pool busy -> inline; buffers from the pool).
        Threading.threadCount = 2
        let m = 70, n = 90, k = 50
        let a = (0..<(m * k)).map { Float($0 % 7) - 3 }, b = (0..<(k * n)).map { Float($0 % 5) - 2 }
        var ref = [Float](repeating: 0, count: m * n)
        for i in 0..<m { for j in 0..<n { var s: Float = 0; for p in 0..<k { s += a[i * k + p] * b[p * n + j] }; ref[i * n + j] = s } }
        let bad = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            var c = [Float](repeating: .nan, count: m * n)
            for _ in 0..<20 {
                Gemm.sgemm(transA: false, transB: false, m: m, n: n, k: k, alpha: 1, a: a, lda: k,
                           b: b, ldb: n, beta: 0, c: &c, ldc: n)
                if c != ref { bad.wrappingAdd(1, ordering: .relaxed) }
            }
        }
        XCTAssertEqual(bad.load(ordering: .relaxed), 0)
    }

    func testISASelection() {
        XCTAssertTrue(["avx512", "avx2", "portable"].contains(CPUFeatures.isaName))
        CPUFeatures.setISA(.portable)
        XCTAssertEqual(CPUFeatures.isaName, "portable")
        CPUFeatures.setISA(nil)
        XCTAssertEqual(CPUFeatures.activeISA, CPUFeatures.startupISA)
    }
}
