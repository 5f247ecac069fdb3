import XCTest
import Kestrel
@testable import KestrelDemos
@testable import KestrelCore
@testable import KestrelFormats

/// Shortened runs of the convolutional demos with their fixed seeds, and the PNG writer.
final class ConvolutionDemoTests: XCTestCase {
    override func setUp() {
        setenv("KESTREL_OUTPUT_DIR", FileManager.default.temporaryDirectory.path, 1)
    }

    func testCNNOnMNIST5k() throws {
        let outcome = try ConvolutionDemos.mnist(epochs: 3, verbose: .silent)
        XCTAssertGreaterThanOrEqual(outcome.score, 0.95)
        let png = try Data(contentsOf: XCTUnwrap(outcome.image))
        XCTAssertEqual(Array(png.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
    }

    func testCNNOnShippedFashionSubset() throws {
        let outcome = try ConvolutionDemos.fashion(epochs: 2, fullSetIfInstalled: false, verbose: .silent)
        XCTAssertTrue(outcome.dataset.contains("subset"))
        XCTAssertGreaterThanOrEqual(outcome.score, 0.80)
    }

    func testAutoencoderOnMNIST5k() throws {
        let outcome = try ConvolutionDemos.autoencoder(epochs: 3, verbose: .silent)
        XCTAssertLessThanOrEqual(outcome.score, 0.05)
        XCTAssertNotNil(outcome.image)
    }

    func testPNGFilesInflateBackToTheirPixels() throws {
        var generator = RandomGenerator(seed: 9)
        // A picture with runs (a chart) and one with noise (nothing to match).
        let runs: [UInt8] = (0..<(40 * 30 * 3)).map { (i: Int) -> UInt8 in UInt8((i / 97) % 3 * 120) }
        let noise: [UInt8] = (0..<(17 * 5)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        let images: [(width: Int, height: Int, channels: Int, pixels: [UInt8])] = [(40, 30, 3, runs), (17, 5, 1, noise)]
        for (width, height, channels, pixels) in images {
            let png = channels == 3 ? try PNGWriter.encode(width: width, height: height, rgb: pixels)
                                    : try PNGWriter.encode(width: width, height: height, pixels: pixels)
            let idat = try XCTUnwrap(png.range(of: Data("IDAT".utf8)))
            let length = png[(idat.lowerBound - 4)..<idat.lowerBound].reduce(0) { (sum: Int, byte: UInt8) in sum << 8 | Int(byte) }
            let zlib = png[idat.upperBound..<(idat.upperBound + length)]
            XCTAssertEqual(Array(zlib.prefix(2)), [0x78, 0x01])
            let raw = try Inflate.decompress(Data(zlib.dropFirst(2).dropLast(4)))
            let stride = width * channels
            for row in 0..<height {
                XCTAssertEqual(raw[row * (stride + 1)], 0, "filter type none")
                XCTAssertEqual(Array(raw[(row * (stride + 1) + 1)..<((row + 1) * (stride + 1))]), Array(pixels[(row * stride)..<((row + 1) * stride)]))
            }
            let sum = Array(raw).withUnsafeBytes { HDF5Checksum.adler32($0) }
            XCTAssertEqual(zlib.suffix(4).reduce(UInt32(0)) { (total: UInt32, byte: UInt8) in total << 8 | UInt32(byte) }, sum)
        }
        XCTAssertLessThan(try PNGWriter.encode(width: 40, height: 30, rgb: runs).count, runs.count / 4, "runs compress")
        XCTAssertThrowsError(try PNGWriter.encode(width: 3, height: 3, pixels: [1, 2]))
    }

    func testDeflateRoundTripsThroughInflate() throws {
        var generator = RandomGenerator(seed: 4)
        let cases: [[UInt8]] = [[], [7], Array(repeating: 0, count: 100_000),
                                (0..<70_000).map { _ in UInt8(generator.next() % 4) },
                                Array("abcabcabcabd".utf8) + (0..<300).map { (i: Int) -> UInt8 in UInt8(i % 251) }]
        for bytes in cases {
            XCTAssertEqual(Array(try Inflate.decompress(Data(Deflate.compress(bytes)))), bytes, "\(bytes.count) bytes")
        }
    }

    /// A short ConvLSTM2D run already predicts the next frame better than copying the last.
    func testConvLSTMPredictsMovingDigitsBetterThanCopyingTheLastFrame() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kestrel-convlstm-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        setenv("KESTREL_OUTPUT_DIR", folder.path, 1)
        defer { unsetenv("KESTREL_OUTPUT_DIR") }
        let result = try MovingDigitsDemo.run(epochs: 2, verbose: .silent)
        XCTAssertLessThan(result.testMSE, 0.85 * result.copyLastFrameMSE)
        XCTAssertTrue(FileManager.default.fileExists(atPath: result.image.path))
    }
}
