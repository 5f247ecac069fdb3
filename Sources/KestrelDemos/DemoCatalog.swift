import Foundation

/// The demos `kestrel demo NAME` can run, best first. Each returns its closing line
/// (`test_accuracy=…`, `test_mse=…`, `val_bits_per_char=…`, `test_rmse=…`).
public enum DemoCatalog {
    public typealias Demo = (name: String, run: (DemoOptions) throws -> String)

    public static var all: [Demo] { convolutionDemos + recurrentDemos + mlpDemos }

    static let mlpDemos: [Demo] = [
        ("mlp-mnist", { "test_accuracy=\(format(try MLPDemos.mnist(options: $0)))" }),
        ("mlp-digits", { "test_accuracy=\(format(try MLPDemos.digits(options: $0)))" }),
    ]

    static func format(_ x: Float) -> String { String(format: "%.4f", x) }
}
