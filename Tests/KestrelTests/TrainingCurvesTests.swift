import Foundation
import XCTest
#if canImport(FoundationXML)
import FoundationXML
#endif
@testable import KestrelCore
@testable import KestrelNN
@testable import KestrelFormats
import Kestrel

/// Training curves drawn from a History: the PNG decodes to the chart's size with the
/// series' colours on it, the SVG is well-formed XML with every label, bad requests throw.
final class TrainingCurvesTests: XCTestCase {
    private func history() -> History {
        let h = History()
        for epoch in 0..<6 {
            h.record(epoch: epoch, logs: ["loss": 1 / Float(epoch + 1), "val_loss": 1.2 / Float(epoch + 1) + 0.05,
                                          "accuracy": 0.5 + 0.08 * Float(epoch), "val_accuracy": 0.48 + 0.07 * Float(epoch)])
        }
        return h
    }

    private func temporary(_ ext: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("curves-\(UUID().uuidString).\(ext)")
    }

    func testOneChartPerQuantityWithTrainingAndValidation() {
        let charts = history().trainingCurves
        XCTAssertEqual(charts.map(\.title), ["loss", "accuracy"])
        XCTAssertEqual(charts[0].series.map(\.name), ["train", "validation"])
        XCTAssertEqual(charts[1].series[1].values.count, 6)
        XCTAssertEqual(LineChart.niceStep(0.13), 0.2, accuracy: 1e-12)
        XCTAssertEqual(LineChart.niceStep(3.1), 5)
        XCTAssertEqual(charts[0].layout.yTicks.first, 0, "loss axis starts at a round value")
    }

    func testThePNGHasTheChartsSizeAndBothSeriesColours() throws {
        let url = temporary("png")
        defer { try? FileManager.default.removeItem(at: url) }
        try history().writeTrainingCurves(to: url)
        let png = try Data(contentsOf: url)
        let ihdr = try XCTUnwrap(png.range(of: Data("IHDR".utf8)))
        func u32(_ at: Int) -> Int { png[at..<at + 4].reduce(0) { (v: Int, b: UInt8) in v << 8 | Int(b) } }
        XCTAssertEqual(u32(ihdr.upperBound), 2 * 560)
        XCTAssertEqual(u32(ihdr.upperBound + 4), 400)
        let idat = try XCTUnwrap(png.range(of: Data("IDAT".utf8)))
        let raw = [UInt8](try Inflate.decompress(Data(png[(idat.upperBound + 2)..<(idat.upperBound + u32(idat.lowerBound - 4) - 4)])))
        var colours = Set<[UInt8]>()
        for row in 0..<400 {
            let start = row * (1 + 3 * 1120) + 1
            for x in 0..<1120 { colours.insert(Array(raw[(start + 3 * x)..<(start + 3 * x + 3)])) }
        }
        XCTAssertTrue(colours.contains([31, 119, 180]), "training in blue")
        XCTAssertTrue(colours.contains([255, 127, 14]), "validation in orange")
        XCTAssertTrue(colours.contains([0, 0, 0]), "black text")
    }

    func testTheSVGIsWellFormedAndLabelled() throws {
        let url = temporary("svg")
        defer { try? FileManager.default.removeItem(at: url) }
        try history().writeTrainingCurves(to: url)
        let data = try Data(contentsOf: url)
        XCTAssertTrue(XMLParser(data: data).parse())
        let text = String(decoding: data, as: UTF8.self)
        for label in ["loss", "accuracy", "epoch", "train", "validation", ">6<"] { XCTAssertTrue(text.contains(label), label) }
        XCTAssertEqual(text.components(separatedBy: "<polyline points=").count - 1, 2 * 3, "two series and the axes, per chart")
    }

    func testUnknownFormatsAndAnEmptyHistoryThrow() {
        XCTAssertThrowsError(try history().writeTrainingCurves(to: temporary("jpg"))) { XCTAssertTrue("\($0)".contains(".png or .svg"), "\($0)") }
        XCTAssertThrowsError(try History().writeTrainingCurves(to: temporary("png")))
    }
}
