import Foundation
import Kestrel

/// The file readers a coverage-guided fuzzer drives, one per format: each takes any bytes
/// and must either read them (and everything reachable in them) or throw a `KestrelError`;
/// a trap, a hang or another kind of error is a finding. `Fuzz/run` builds these with
/// libFuzzer; the committed seed inputs are in `Fuzz/corpus/<target>/`.
public enum FuzzTarget: String, CaseIterable, Sendable {
    case safetensors, npy, npz, idx, gzip, csv, zip, inflate, hdf5, png
    case keras3 = "keras3-model"
    case legacyH5 = "h5-model"
    case modelLoad = "model-load"

    /// What any configuration may allocate while fuzzing, far below the default cap, so a
    /// file that asks for too much is refused instead of exhausting the fuzzer's memory.
    public static let elementCap = 1 << 22

    /// Reads `data` as this target's format; returns normally when the reader read it or
    /// threw a `KestrelError`, and stops the process (the fuzzer's crash) otherwise.
    public func run(_ data: Data) {
        do {
            try read(data)
        } catch is KestrelError {
            return
        } catch {
            fatalError("\(rawValue): a reader threw \(type(of: error)), not a KestrelError: \(error)")
        }
    }

    private func read(_ data: Data) throws {
        switch self {
        case .safetensors:
            let file = try SafeTensors(data: data, source: "fuzz")
            for name in file.tensors.keys { _ = try file.tensor(name) }
        case .npy:
            _ = try NumPyFile.tensor(from: data, source: "fuzz")
            _ = try NumPyFile.intTensor(from: data, source: "fuzz")
        case .npz:
            _ = try NumPyFile.tensors(fromArchive: data, source: "fuzz")
        case .idx:
            _ = try IDXFile.tensor(from: data, source: "fuzz")
        case .gzip:
            _ = try Gzip.decompress(data, source: "fuzz")
        case .csv:
            _ = try CSVFile.read(data: data, source: "fuzz")
        case .zip:
            let archive = try ZipArchive(data: data, source: "fuzz")
            for name in archive.entryNames { _ = try archive.data(for: name) }
        case .inflate:
            _ = try Inflate.decompress(data)
        case .hdf5:
            try Self.walk(try HDF5File(data: data, source: "fuzz").root, depth: 0)
        case .png:
            _ = try PNGDecoder.decode(data, source: "fuzz")
        case .keras3:
            try Self.exercise(try KerasModelFile.loadKeras3(data, source: "fuzz"))
        case .legacyH5:
            try Self.exercise(try KerasModelFile.loadLegacyH5(data, source: "fuzz"))
        case .modelLoad:
            try Self.exercise(try Model.load(data: data, source: "fuzz"))
        }
    }

    /// Every group, attribute and dataset of an HDF5 file, to a depth that damaged files
    /// with cyclic links cannot make endless.
    private static func walk(_ group: HDF5Group, depth: Int) throws {
        guard depth < 8 else { return }
        for link in group.children {
            switch link.kind {
            case .group: try walk(try group.group(named: link.name), depth: depth + 1)
            case .dataset: _ = try group.dataset(named: link.name).readTensor()
            case .namedDatatype, .softLink, .externalLink: continue
            }
        }
    }

    /// A loaded model must also run: one zero sample through it.
    private static func exercise(_ model: Model) throws {
        guard let shape = model.inputShape, shape.reduce(1, { $0 * Swift.max($1, 1) }) <= elementCap else { return }
        _ = try model.predict(Tensor.zeros([1] + shape))
    }
}
