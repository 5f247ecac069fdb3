import Foundation
import XCTest
#if canImport(FoundationXML)
import FoundationXML
#endif
@testable import KestrelNN
@testable import KestrelFormats
import Kestrel

/// `ModelDiagram`: boxes with Keras-style shapes, one arrow per connection, well-formed SVG.
final class ModelDiagramTests: XCTestCase {
    func testSequentialDiagramShowsEachLayerWithItsShapes() throws {
        let model = Sequential(name: "cnn")
        let input = Input(shape: [28, 28, 1])
        try model.add(input)
        try model.add(Conv2D(8, kernelSize: (3, 3), activation: .relu))
        try model.add(Flatten())
        try model.add(Dense(10, activation: .softmax))
        let diagram = try ModelDiagram(model)

        let svg = diagram.svg
        for layer in [input] + model.layers {
            XCTAssertTrue(svg.contains("\(layer.name) (\(type(of: layer).kerasClassName))"), "no box for \(layer.name)")
        }
        for shape in ["(None, 28, 28, 1)", "(None, 26, 26, 8)", "(None, 5408)", "(None, 10)"] {
            XCTAssertTrue(svg.contains(shape), "no \(shape) in the SVG")
        }
        XCTAssertEqual(try rectangleTops(in: svg).count, 4)
        XCTAssertTrue(diagram.dot.hasPrefix("digraph \"cnn\" {"))
        XCTAssertEqual(edgeCount(in: diagram.dot), 3, "input → conv, conv → flatten, flatten → dense")
    }

    func testFunctionalDiagramPutsBothInputsOnTheTopRow() throws {
        let left = Input(shape: [5], name: "diagram_left"), right = Input(shape: [5], name: "diagram_right")
        let merged = try Concatenate(name: "diagram_merged")([left.output, right.output])[0]
        let output = try Dense(1, name: "diagram_out")(merged)
        let model = try Model(inputs: [left, right], outputs: [output], name: "merge")
        let diagram = try ModelDiagram(model)

        XCTAssertTrue(diagram.svg.contains("input: [(None, 5), (None, 5)]"))
        XCTAssertTrue(diagram.svg.contains("output: (None, 10)"))
        XCTAssertEqual(edgeCount(in: diagram.dot), 3, "left → concatenate, right → concatenate, concatenate → dense")
        let tops = try rectangleTops(in: diagram.svg)
        let leftTop = try XCTUnwrap(tops["diagram_left (InputLayer)"])
        XCTAssertEqual(tops["diagram_right (InputLayer)"], leftTop)
        let mergedTop = try XCTUnwrap(tops["diagram_merged (Concatenate)"])
        let outputTop = try XCTUnwrap(tops["diagram_out (Dense)"])
        XCTAssertLessThan(leftTop, mergedTop)
        XCTAssertLessThan(mergedTop, outputTop)
    }

    func testWritesSVGOrDOTByExtensionAndRefusesOthers() throws {
        let input = Input(shape: [3])
        let model = try Model(inputs: input, outputs: try Dense(2)(input), name: "tiny")
        let diagram = try ModelDiagram(model)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kestrel-diagram-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }

        try diagram.write(to: folder.appendingPathComponent("tiny.svg"))
        XCTAssertEqual(try String(contentsOf: folder.appendingPathComponent("tiny.svg"), encoding: .utf8), diagram.svg)
        try diagram.write(to: folder.appendingPathComponent("tiny.dot"))
        XCTAssertEqual(try String(contentsOf: folder.appendingPathComponent("tiny.dot"), encoding: .utf8), diagram.dot)
        assertThrowsMessage([".png", ".svg", ".dot"]) { try diagram.write(to: folder.appendingPathComponent("tiny.png")) }
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("tiny.png").path))
    }

    func testUnbuiltSequentialIsRefused() {
        let model = Sequential([Dense(2)], name: "unbuilt")
        assertThrowsMessage(["unbuilt", "Input(shape:)"]) { _ = try ModelDiagram(model) }
    }

    func testNamesAreEscapedInSVGAndDOT() throws {
        let input = Input(shape: [2], name: "a<b>&\"c\\")
        let model = try Model(inputs: input, outputs: try Dense(1)(input), name: "quote\"d")
        let diagram = try ModelDiagram(model)
        XCTAssertNotNil(try rectangleTops(in: diagram.svg)["a<b>&\"c\\ (InputLayer)"], "the title reads back unescaped")
        XCTAssertTrue(diagram.dot.contains("digraph \"quote\\\"d\""))
        XCTAssertTrue(diagram.dot.contains("label=\"a<b>&\\\"c\\\\ (InputLayer)\\n"))
    }

    private func edgeCount(in dot: String) -> Int {
        dot.components(separatedBy: " -> ").count - 1
    }

    /// Parses the SVG as XML (failing the test when it is not well-formed) and returns the
    /// `y` of each box's rectangle, keyed by the box's `<title>`.
    private func rectangleTops(in svg: String) throws -> [String: Double] {
        let reader = BoxReader()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = reader
        XCTAssertTrue(parser.parse(), "the SVG is not well-formed XML: \(String(describing: parser.parserError))")
        return reader.tops
    }
}

/// Collects the rectangle of each `<g><title>…</title><rect …/>` group of the diagram.
private final class BoxReader: NSObject, XMLParserDelegate {
    var tops: [String: Double] = [:]
    private var title: String?
    private var readingTitle = false

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
        switch elementName {
        case "g": title = nil
        case "title": readingTitle = true; title = ""
        case "rect": if let title, let y = attributeDict["y"].flatMap(Double.init) { tops[title] = y }
        default: break
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if readingTitle { title? += string }
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
        if elementName == "title" { readingTitle = false }
    }
}
