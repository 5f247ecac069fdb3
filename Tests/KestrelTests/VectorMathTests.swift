import Foundation
import XCTest
@testable import KestrelCore
@testable import KestrelNN
@testable import KestrelFormats
@testable import KestrelConformance
import Kestrel

/// VectorMath (exp, log, tanh, sigmoid) against Foundation in Double, for every kernel level,
/// on a dense sweep plus extremes (±100, ±1e-8, 0, ±inf, NaN, subnormals).
final class VectorMathTests: XCTestCase {
    override func tearDown() { CPUFeatures.setISA(nil) }

    private typealias Kernel = (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void

    private func isas() -> [KernelISA] { KernelISA.allCases.filter { $0 <= CPUFeatures.supportedISA } }

    private func sweep(_ lo: Double, _ hi: Double, _ n: Int) -> [Float] {
        (0..<n).map { Float(lo + (hi - lo) * Double($0) / Double(n - 1)) }
    }

    private let extremes: [Float] = [0, -0.0, 1e-8, -1e-8, 1e-30, -1e-30, Float(bitPattern: 0x000B_0000), 100, -100, 88, 88.7, 89, -87, -88,
                                     -100, -103, -104, -105, 9, -9, 10, -10, 20, -20, 0.625, -0.625, 0.6249,
                                     1, -1, .greatestFiniteMagnitude, -.greatestFiniteMagnitude,
                                     .infinity, -.infinity, .nan, .leastNormalMagnitude, .leastNonzeroMagnitude]

    private func run(_ name: String, _ f: Kernel, _ ref: (Double) -> Double, _ xs: [Float],
                     relTol: Double = 4e-7, absTol: Double = 1e-37, file: StaticString = #filePath, line: UInt = #line) {
        // Odd lengths exercise the vector tails; in-place too.
        var y = [Float](repeating: -7, count: xs.count)
        xs.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer { yp in f(xp.baseAddress!, yp.baseAddress!, xs.count) } }
        var inPlace = xs
        inPlace.withUnsafeMutableBufferPointer { p in f(UnsafePointer(p.baseAddress!), p.baseAddress!, xs.count) }
        var failures = 0
        for i in xs.indices {
            let r = ref(Double(xs[i]))
            let got = Double(y[i])
            XCTAssertTrue(y[i].bitPattern == inPlace[i].bitPattern || (y[i].isNaN && inPlace[i].isNaN),
                          "\(name) in-place differs at x=\(xs[i])", file: file, line: line)
            let ok: Bool
            if r.isNaN {
                ok = got.isNaN
            } else if r.isInfinite || Float(r).isInfinite {
                ok = got == Double(Float(r)) || (abs(got) > 3.4e38 && abs(got - r) <= relTol * abs(r))
            } else {
                ok = abs(got - r) <= relTol * abs(r) + absTol
            }
            if !ok {
                failures += 1
                if failures <= 5 {
                    XCTFail("\(name) [\(CPUFeatures.isaName)] x=\(xs[i]): got \(got), want \(r)", file: file, line: line)
                }
            }
        }
    }

    func testExp() {
        let xs = sweep(-110, 95, 100_003) + extremes
        for isa in isas() {
            CPUFeatures.setISA(isa)
            run("exp", VectorMath.exp, Foundation.exp, xs)
        }
    }

    func testLog() {
        var xs = (0..<100_001).map { Float(Foundation.exp(-90 + 180 * Double($0) / 100_000)) }
        xs += sweep(0.5, 2, 20_001) + sweep(0.999, 1.001, 2001) + extremes + [-1, -1e-30]
        for isa in isas() {
            CPUFeatures.setISA(isa)
            run("log", VectorMath.log, Foundation.log, xs, relTol: 4e-7, absTol: 2e-7)
        }
    }

    func testTanh() {
        let xs = sweep(-30, 30, 100_003) + sweep(-1, 1, 20_001) + extremes
        for isa in isas() {
            CPUFeatures.setISA(isa)
            run("tanh", VectorMath.tanh, Foundation.tanh, xs)
        }
    }

    func testSigmoid() {
        let xs = sweep(-110, 110, 100_003) + sweep(-2, 2, 20_001) + extremes
        for isa in isas() {
            CPUFeatures.setISA(isa)
            run("sigmoid", VectorMath.sigmoid, { 1 / (1 + Foundation.exp(-$0)) }, xs, relTol: 4e-7, absTol: 1e-37)
        }
    }

    func testParallelLargeBuffer() {
        let n = 300_001
        let xs = sweep(-20, 20, n)
        let saved = Threading.threadCount
        defer { Threading.threadCount = saved }
        Threading.threadCount = 2
        run("tanh-parallel", VectorMath.tanh, Foundation.tanh, xs)
    }
}
