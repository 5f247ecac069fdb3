import Foundation
import Kestrel

/// Finds and loads the datasets shipped in the repository's `Data/` folder. The demos live
/// outside the core library so that apps using Kestrel do not carry demo data.
public enum DemoData {
    /// The `Data` folder: `$KESTREL_DATA_DIR`, else `./Data`, else the one beside the
    /// sources this was built from, else one above the executable.
    public static func root() throws -> URL {
        var candidates: [URL] = []
        if let env = ProcessInfo.processInfo.environment["KESTREL_DATA_DIR"] { candidates.append(URL(fileURLWithPath: env)) }
        candidates.append(URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("Data"))
        var source = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { source.deleteLastPathComponent() }
        candidates.append(source.appendingPathComponent("Data"))
        var exe = URL(fileURLWithPath: CommandLine.arguments.first ?? ".").resolvingSymlinksInPath()
        for _ in 0..<5 {
            exe.deleteLastPathComponent()
            candidates.append(exe.appendingPathComponent("Data"))
        }
        for url in candidates where FileManager.default.fileExists(atPath: url.appendingPathComponent("digits").path) {
            return url
        }
        throw KestrelError(.invalidFile, "demo data not found: looked for a Data folder in \(candidates.map(\.path)). Run from the repository root or set KESTREL_DATA_DIR")
    }

    /// An image classification split: images scaled to [0, 1] with a trailing channels axis
    /// `(N, rows, cols, 1)`, labels as class ids `(N)`.
    public struct ImageSplit {
        public let images: Tensor
        public let labels: Tensor
    }

    /// Reads `<name>/<split>-images-idx3-ubyte` and labels, scaling pixels by `1/maxValue`.
    public static func images(_ name: String, split: String, maxValue: Float) throws -> ImageSplit {
        let folder = try root().appendingPathComponent(name)
        let images = try IDXFile.readTensor(contentsOf: folder.appendingPathComponent("\(split)-images-idx3-ubyte"))
        let labels = try IDXFile.readIntTensor(contentsOf: folder.appendingPathComponent("\(split)-labels-idx1-ubyte"))
        return ImageSplit(images: (images / maxValue).expandingDimensions(at: -1), labels: labels.asTensor)
    }
}
