import Foundation
import Kestrel

/// Readers for the shipped sequence datasets: the UCR/UEA time-series CSV layouts ("wide"
/// and "long"), a univariate series CSV, and plain text.
public enum SequenceData {
    /// Series with class labels: `series` (N, T, C), `labels` (N) as class ids, and each
    /// series' true length (shorter series are zero-padded at the end).
    public struct Labelled {
        public let series: Tensor
        public let labels: Tensor
        public let lengths: [Int]
    }

    static func file(_ dataset: String, _ name: String) throws -> URL {
        try DemoData.root().appendingPathComponent(dataset).appendingPathComponent(name)
    }

    /// A "wide" split (`label,t0,…`): every series has the same length; C = 1.
    public static func wide(_ dataset: String, split: String) throws -> Labelled {
        let table = try CSVFile.read(contentsOf: try file(dataset, "\(split).csv"), labelColumn: "label")
        let (n, t) = (table.values.shape[0], table.values.shape[1])
        return Labelled(series: table.values.reshaped([n, t, 1]), labels: table.labels!.asTensor,
                        lengths: Array(repeating: t, count: n))
    }

    /// A "long" split (`series,label,t,<channels>`), zero-padded to the longest series.
    public static func long(_ dataset: String, split: String) throws -> Labelled {
        let table = try CSVFile.read(contentsOf: try file(dataset, "\(split).csv"), labelColumn: "label")
        let names = table.columnNames
        guard let si = names.firstIndex(of: "series"), let ti = names.firstIndex(of: "t") else {
            throw KestrelError(.invalidData, "\(dataset)/\(split).csv: a long-layout file needs series and t columns; got \(names)")
        }
        let channels = names.indices.filter { $0 != si && $0 != ti }
        let v = table.values.scalars, width = names.count, rows = table.values.shape[0]
        let labelIds = table.labels!.scalars
        var lengths: [Int] = [], labels: [Float] = []
        for r in 0..<rows {
            let s = Int(v[r * width + si])
            if s == lengths.count { lengths.append(0); labels.append(Float(labelIds[r])) }
            lengths[s] = Swift.max(lengths[s], Int(v[r * width + ti]) + 1)
        }
        let (n, tMax, c) = (lengths.count, lengths.max() ?? 0, channels.count)
        var x = [Float](repeating: 0, count: n * tMax * c)
        for r in 0..<rows {
            let s = Int(v[r * width + si]), t = Int(v[r * width + ti])
            for (k, col) in channels.enumerated() { x[(s * tMax + t) * c + k] = v[r * width + col] }
        }
        return Labelled(series: Tensor(shape: [n, tMax, c], scalars: x), labels: Tensor(labels), lengths: lengths)
    }

    /// One numeric column of a CSV file.
    public static func column(_ dataset: String, file name: String, _ column: String) throws -> [Float] {
        try CSVFile.read(contentsOf: try file(dataset, name), columns: [column]).values.scalars
    }

    /// A text file's bytes.
    public static func text(_ dataset: String, file name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: try file(dataset, name)))
    }
}
