import Foundation
import XCTest
@testable import KestrelCore
@testable import KestrelNN
@testable import KestrelFormats
@testable import KestrelConformance
import Kestrel

final class IDXFileTests: XCTestCase {
    private struct Expected: Decodable {
        let shape: [Int]
        let sum: Int
        let first: [Int]
    }

    func testSharedDatasetsMatchPythonsReading() throws {
        let expected = try JSONDecoder().decode([String: Expected].self, from: try IOFixtures.data("idx_expected.json"))
        XCTAssertEqual(expected.count, 8)
        for (key, want) in expected {
            let parts = key.split(separator: "/")
            let kind = parts[1].hasSuffix("images") ? "images-idx3" : "labels-idx1"
            let url = IOFixtures.dataset("\(parts[0])/\(parts[1].split(separator: "-")[0])-\(kind)-ubyte")
            if kind.hasPrefix("labels") {
                let labels = try IDXFile.readIntTensor(contentsOf: url)
                XCTAssertEqual(labels.shape, want.shape, key)
                XCTAssertEqual(labels.scalars.reduce(0, +), want.sum, key)
                XCTAssertEqual(Array(labels.scalars.prefix(10)), want.first, key)
                XCTAssertTrue(labels.scalars.allSatisfy { (0..<10).contains($0) }, key)
            } else {
                let images = try IDXFile.readTensor(contentsOf: url)
                XCTAssertEqual(images.shape, want.shape, key)
                XCTAssertEqual(images.withUnsafeBufferPointer { $0.reduce(0.0) { $0 + Double($1) } }, Double(want.sum), key)
                XCTAssertEqual(Array(images.scalars.prefix(10)), want.first.map(Float.init), key)
            }
        }
    }

    func testGzippedFilesReadLikeTheirRawOriginals() throws {
        XCTAssertEqual(try IDXFile.readTensor(contentsOf: IOFixtures.url("digits-train-images-idx3-ubyte.gz")),
                       try IDXFile.readTensor(contentsOf: IOFixtures.dataset("digits/train-images-idx3-ubyte")))
        XCTAssertEqual(try IDXFile.readIntTensor(contentsOf: IOFixtures.url("mnist5k-test-labels-idx1-ubyte.gz")),
                       try IDXFile.readIntTensor(contentsOf: IOFixtures.dataset("mnist5k/test-labels-idx1-ubyte")))
    }

    func testEveryElementType() throws {
        let base = (0..<24).map { $0 }
        let cases: [(String, [Float])] = [
            ("sbyte.idx", base.map { Float($0 - 12) }), ("short.idx", base.map { Float($0 * 1000 - 12000) }),
            ("int.idx", base.map { Float($0 * 100000 - 1200000) }), ("float.idx", base.map { Float($0) * 0.5 - 6 }),
            ("double.idx", base.map { Float($0) * 0.25 - 3 }),
        ]
        for (name, values) in cases {
            let t = try IDXFile.readTensor(contentsOf: IOFixtures.url(name))
            XCTAssertEqual(t.shape, [2, 3, 4], name)
            XCTAssertEqual(t.scalars, values, name)
        }
        XCTAssertEqual(try IDXFile.readIntTensor(contentsOf: IOFixtures.url("int.idx")).scalars, base.map { $0 * 100000 - 1200000 })
        assertThrowsKestrel(.unsupported, ["float.idx", "floating-point"]) {
            _ = try IDXFile.readIntTensor(contentsOf: IOFixtures.url("float.idx"))
        }
    }

    func testLengthAndHeaderErrors() throws {
        let labels = try IOFixtures.data("sbyte.idx")
        assertThrowsKestrel(.invalidFile, ["need 24 data bytes", "23 follow"]) { _ = try IDXFile.tensor(from: labels.dropLast()) }
        assertThrowsKestrel(.invalidFile, ["need 24 data bytes", "25 follow"]) { _ = try IDXFile.tensor(from: labels + [0]) }
        var badType = [UInt8](labels)
        badType[2] = 0x0A
        assertThrowsKestrel(.invalidFile, ["element type 0xa"]) { _ = try IDXFile.tensor(from: Data(badType)) }
        assertThrowsKestrel(.invalidFile, ["magic"]) { _ = try IDXFile.tensor(from: Data([1, 0, 8, 1])) }
        assertThrowsKestrel(.invalidFile, ["too large"]) {
            _ = try IDXFile.tensor(from: Data([0, 0, 0x0E, 3, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]))
        }
    }

    func testEveryTruncationThrowsAndMutationsNeverCrash() throws {
        var generator = RandomGenerator(seed: 1998)
        for name in ["short.idx", "mnist5k-test-labels-idx1-ubyte.gz"] {
            let data = try IOFixtures.data(name)
            for length in 0..<data.count {
                XCTAssertThrowsError(try IDXFile.tensor(from: data.prefix(length)), "\(name) prefix of \(length) bytes")
            }
            for _ in 0..<1500 {
                do { _ = try IDXFile.intTensor(from: IOFixtures.mutate(data, &generator)) } catch is KestrelError {}
            }
        }
    }
}
