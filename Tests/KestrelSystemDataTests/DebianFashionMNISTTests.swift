import Foundation
import XCTest
import Kestrel

/// Reads the full Fashion-MNIST set of Debian's `dataset-fashion-mnist` package (60 000
/// gzipped training images) and checks that the subset shipped in `Data/fashion_mnist` is its
/// first 10 000 images. It needs that package, so it lives in its own test target, which the
/// README's test command skips and `.ci/run` runs in a step that installs the package.
final class DebianFashionMNISTTests: XCTestCase {
    static let folder = URL(fileURLWithPath: "/usr/share/datasets/fashion-mnist")
    static let shippedSubset = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Data/fashion_mnist/train-images-idx3-ubyte")

    func testFullSetReadsAndStartsWithTheShippedSubset() throws {
        let images = Self.folder.appendingPathComponent("train-images-idx3-ubyte.gz")
        guard FileManager.default.fileExists(atPath: images.path) else {
            return XCTFail("\(images.path) is missing: apt-get install dataset-fashion-mnist, then run this target")
        }
        let full = try IDXFile.readTensor(contentsOf: images)
        XCTAssertEqual(full.shape, [60000, 28, 28])
        XCTAssertEqual(full.sliced(alongAxis: 0, 0..<10000), try IDXFile.readTensor(contentsOf: Self.shippedSubset))
        let labels = try IDXFile.readIntTensor(contentsOf: Self.folder.appendingPathComponent("t10k-labels-idx1-ubyte.gz"))
        XCTAssertEqual(labels.shape, [10000])
        XCTAssertEqual(Set(labels.scalars), Set(0..<10))
    }
}
