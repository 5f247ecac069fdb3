import XCTest
@testable import KestrelCore
@testable import KestrelNN
@testable import KestrelFormats
@testable import KestrelConformance
import Kestrel

/// Every Keras fixture of the convolutional family (convolutions, pooling, padding,
/// cropping, upsampling, normalization, the CNN model) must run and pass.
final class ConvolutionConformanceTests: XCTestCase {
    func testConvolutionalFixturesPass() throws {
        let prefixes = ["conv1d_", "conv2d_", "depthwise_conv2d_", "separable_conv2d_", "max_pooling", "average_pooling",
                        "global_", "zero_padding", "cropping", "upsampling", "batch_norm_", "layer_norm_", "model_cnn"]
        let files = try ConformanceRunner.fixtureFiles(in: ConformanceTests.fixtures)
            .filter { url in prefixes.contains { url.lastPathComponent.hasPrefix($0) } }
        XCTAssertGreaterThanOrEqual(files.count, 90, "fixtures not found at \(ConformanceTests.fixtures.path)")
        for url in files {
            let (name, outcome) = ConformanceRunner.run(url: url)
            switch outcome {
            case .passed: break
            case let .failed(reason, _, _): XCTFail("\(name): \(reason)")
            case let .unsupported(reason): XCTFail("\(name) is unsupported: \(reason)")
            }
        }
    }
}
