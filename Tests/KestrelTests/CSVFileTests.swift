import Foundation
import XCTest
@testable import KestrelCore
@testable import KestrelNN
@testable import KestrelFormats
@testable import KestrelConformance
import Kestrel

final class CSVFileTests: XCTestCase {
    func testTabularFileWithLabelColumn() throws {
        let table = try CSVFile.read(contentsOf: IOFixtures.dataset("iris/iris.csv"), labelColumn: "label")
        XCTAssertEqual(table.columnNames, ["sepal_length_cm", "sepal_width_cm", "petal_length_cm", "petal_width_cm"])
        XCTAssertEqual(table.values.shape, [150, 4])
        XCTAssertEqual(Array(table.values.scalars.prefix(4)), [5.1, 3.5, 1.4, 0.2])
        let labels = try XCTUnwrap(table.labels)
        XCTAssertEqual(labels.shape, [150])
        XCTAssertEqual(Dictionary(grouping: labels.scalars, by: { $0 }).mapValues(\.count), [0: 50, 1: 50, 2: 50])
    }

    func testWideAndLongTimeSeriesLayouts() throws {
        let wide = try CSVFile.read(contentsOf: IOFixtures.dataset("GunPoint/train.csv"), labelColumn: "label")
        XCTAssertEqual(wide.values.shape, [50, 150])
        XCTAssertEqual(wide.columnNames.first, "t0")
        XCTAssertEqual(Set(try XCTUnwrap(wide.labels).scalars), [0, 1])

        let channels = (0..<12).map { "d\($0)" }
        let long = try CSVFile.read(contentsOf: IOFixtures.dataset("JapaneseVowels/train.csv"), labelColumn: "label",
                                    columns: ["series", "t"] + channels)
        XCTAssertEqual(long.values.shape[1], 14)
        XCTAssertEqual(long.values[0, 0], 0)
        XCTAssertEqual(long.values[0, 2], 1.860936)
        XCTAssertEqual(long.labels?.count, long.values.shape[0])
    }

    func testSkippingDateColumnsAndMissingValues() throws {
        let airline = try CSVFile.read(contentsOf: IOFixtures.dataset("airline/airline.csv"), skipping: ["month"])
        XCTAssertEqual(airline.columnNames, ["passengers_thousands"])
        XCTAssertEqual(airline.values.shape, [144, 1])
        XCTAssertEqual(Array(airline.values.scalars.prefix(2)), [112, 118])
        XCTAssertNil(airline.labels)
        let co2 = try CSVFile.read(contentsOf: IOFixtures.dataset("co2/weekly.csv"), skipping: ["date"])
        XCTAssertEqual(co2.values.scalars.filter(\.isNaN).count, 59)
    }

    func testDelimiterLineEndingsAndColumnOrder() throws {
        let text = "a; b ;c;label\r\n1;2;3;0\r\n4; 5;nan;2\r\n\r\n"
        let table = try CSVFile.read(data: Data(text.utf8), delimiter: ";", labelColumn: "label", columns: ["c", "a"])
        XCTAssertEqual(table.columnNames, ["c", "a"])
        XCTAssertEqual(table.values.shape, [2, 2])
        XCTAssertEqual(table.values[0, 0], 3)
        XCTAssertTrue(table.values[1, 0].isNaN)
        XCTAssertEqual(table.values[1, 1], 4)
        XCTAssertEqual(table.labels, IntTensor([0, 2]))
        let headerOnly = try CSVFile.read(data: Data("x,y\n".utf8))
        XCTAssertEqual(headerOnly.values.shape, [0, 2])
    }

    func testErrorsNameFileLineAndColumn() {
        func read(_ text: String, label: String? = nil, columns: [String]? = nil) throws {
            _ = try CSVFile.read(data: Data(text.utf8), source: "t.csv", labelColumn: label, columns: columns)
        }
        assertThrowsKestrel(.invalidFile, ["t.csv", "line 3", "column 'b'", "field 2", "'x1'"]) { try read("a,b\n1,2\n3,x1\n") }
        assertThrowsKestrel(.invalidFile, ["t.csv", "line 2", "3 fields", "header has 2"]) { try read("a,b\n1,2,3\n") }
        assertThrowsKestrel(.invalidFile, ["line 2", "column 'label'", "integer label"]) { try read("a,label\n1,1.5\n", label: "label") }
        assertThrowsKestrel(.invalidFile, ["line 2", "column 'b'", "''"]) { try read("a,b\n1,\n") }
        assertThrowsKestrel(.invalidArgument, ["no column 'z'", "a, b"]) { try read("a,b\n1,2\n", columns: ["z"]) }
        assertThrowsKestrel(.invalidFile, ["appears twice"]) { try read("a,a\n1,2\n") }
        assertThrowsKestrel(.invalidFile, ["empty"]) { try read("\n\n") }
        assertThrowsKestrel(.invalidArgument, ["delimiter"]) { _ = try CSVFile.read(data: Data(), delimiter: "é") }
    }

    func testMutatedTextThrowsOrParses() throws {
        let original = Data(("a,b,label\n" + (0..<50).map { "\($0).5,-\($0)e-3,\($0 % 3)" }.joined(separator: "\n")).utf8)
        var generator = RandomGenerator(seed: 4180)
        for _ in 0..<2000 {
            do {
                let table = try CSVFile.read(data: IOFixtures.mutate(original, &generator), labelColumn: "label")
                XCTAssertEqual(table.labels?.count, table.values.shape[0])
            } catch is KestrelError {}
        }
    }
}
