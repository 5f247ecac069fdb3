import XCTest
import Kestrel
@testable import KestrelDemos

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

    func testPNGEncodingIsAValidZlibStream() throws {
        // 2×2 image: zlib header, one final stored block of 6 bytes (two filtered rows), Adler-32.
        let png = PNGWriter.encode(width: 2, height: 2, pixels: [0, 255, 128, 7])
        let idat = try XCTUnwrap(png.range(of: Data("IDAT".utf8)))
        let z = Array(png[idat.upperBound...].prefix(2 + 5 + 6 + 4))
        XCTAssertEqual(Array(z[0..<2]), [0x78, 0x01])
        XCTAssertEqual(Array(z[2..<7]), [1, 6, 0, 0xF9, 0xFF])
        XCTAssertEqual(Array(z[7..<13]), [0, 0, 255, 0, 128, 7])
        XCTAssertEqual(PNGWriter.adler32(Array("Wikipedia".utf8)), 0x11E6_0398)
        XCTAssertEqual(z[13...].reduce(0) { $0 << 8 | UInt32($1) }, PNGWriter.adler32([0, 0, 255, 0, 128, 7]))
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
