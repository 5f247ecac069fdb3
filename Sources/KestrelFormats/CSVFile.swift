import Foundation
import KestrelCore
import KestrelNN

/// A numeric table read from a CSV file: the chosen columns as a `[rows, columns]` Float32
/// tensor, plus an optional integer label column kept apart, as training code wants them.
public struct CSVTable {
    /// Names of the columns of `values`, in order.
    public let columnNames: [String]
    /// One row per data line and one column per name in `columnNames`.
    public let values: Tensor
    /// The label column, when one was requested.
    public let labels: IntTensor?
}

/// Reads CSV files of numbers with a header row (the layout of the project's datasets).
/// Fields are not quoted; `nan` marks a missing value. Errors name the file, line and column.
public enum CSVFile {
    /// Reads the CSV file at `url`. `columns` picks and orders the value columns (default:
    /// every column except the label column and `skipping`); `labelColumn` is returned
    /// separately as integers; `skipping` names non-numeric columns to ignore (e.g. dates).
    public static func read(contentsOf url: URL, delimiter: Character = ",", labelColumn: String? = nil,
                            columns: [String]? = nil, skipping: [String] = []) throws -> CSVTable {
        try read(data: try readFile(url, what: "csv"), source: url.lastPathComponent, delimiter: delimiter,
                 labelColumn: labelColumn, columns: columns, skipping: skipping)
    }

    /// Reads CSV text; `source` names it in errors.
    public static func read(data: Data, source: String = "data", delimiter: Character = ",", labelColumn: String? = nil,
                            columns: [String]? = nil, skipping: [String] = []) throws -> CSVTable {
        guard let separator = delimiter.asciiValue, separator != UInt8(ascii: "\n"), separator != UInt8(ascii: "\r") else {
            throw KestrelError(.invalidArgument, "csv: the delimiter must be one ASCII character other than a line break, not \(delimiter.debugDescription)")
        }
        let bytes = [UInt8](data)
        var lines: [(number: Int, fields: [ArraySlice<UInt8>])] = []
        var lineNumber = 0
        for var line in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
            if line.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }) { continue }
            lines.append((lineNumber, line.split(separator: separator, omittingEmptySubsequences: false)))
        }
        func text(_ field: ArraySlice<UInt8>) -> String {
            String(decoding: field, as: UTF8.self).trimmingCharacters(in: .whitespaces)
        }
        guard let header = lines.first else { throw KestrelError(.invalidFile, "csv: \(source) is empty; expected a header row") }
        let names = header.fields.map(text)
        var index: [String: Int] = [:]
        for (i, name) in names.enumerated() {
            guard index[name] == nil else {
                throw KestrelError(.invalidFile, "csv: \(source) line \(header.number): column name '\(name)' appears twice")
            }
            index[name] = i
        }
        func position(_ name: String) throws -> Int {
            guard let i = index[name] else {
                throw KestrelError(.invalidArgument, "csv: \(source) has no column '\(name)' (columns: \(names.prefix(30).joined(separator: ", ")))")
            }
            return i
        }
        let labelIndex = try labelColumn.map(position)
        let skipped = Set(try skipping.map(position))
        let selected = try columns.map { try $0.map(position) }
            ?? names.indices.filter { $0 != labelIndex && !skipped.contains($0) }

        var values: [Float] = []
        values.reserveCapacity((lines.count - 1) * selected.count)
        var labels: [Int] = []
        for line in lines.dropFirst() {
            guard line.fields.count == names.count else {
                throw KestrelError(.invalidFile, "csv: \(source) line \(line.number) has \(line.fields.count) fields but the header has \(names.count)")
            }
            func fail(_ column: Int, _ what: String) -> KestrelError {
                KestrelError(.invalidFile, "csv: \(source) line \(line.number), column '\(names[column])' (field \(column + 1)): cannot parse '\(text(line.fields[column]))' as \(what)")
            }
            for column in selected {
                guard let v = Float(text(line.fields[column])) else { throw fail(column, "a number") }
                values.append(v)
            }
            if let labelIndex {
                let field = text(line.fields[labelIndex])
                if let label = Int(field) {
                    labels.append(label)
                } else if let real = Double(field), real == real.rounded(), abs(real) < 1e15 {
                    labels.append(Int(real))
                } else {
                    throw fail(labelIndex, "an integer label")
                }
            }
        }
        let rows = lines.count - 1
        return CSVTable(columnNames: selected.map { names[$0] },
                        values: Tensor(shape: [rows, selected.count], scalars: values),
                        labels: labelIndex == nil ? nil : IntTensor(labels))
    }
}
