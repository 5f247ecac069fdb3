// swift-tools-version:6.1
import PackageDescription

// Targets import only downwards: KestrelCore (tensors, autograd, ops, kernels) ← KestrelNN
// (layers, models, training) ← KestrelFormats (files, Keras import) ← the `Kestrel` umbrella,
// KestrelConformance, demos and tools. ARCHITECTURE.md describes each.
let package = Package(
    name: "Kestrel",
    products: [
        .library(name: "Kestrel", targets: ["Kestrel"]),
        .library(name: "KestrelConformance", targets: ["KestrelConformance"]),
        .library(name: "KestrelDistributed", targets: ["KestrelDistributed"]),
        .library(name: "KestrelFuzzTargets", type: .static, targets: ["KestrelFuzzTargets"]),
        .executable(name: "kestrel", targets: ["kestrel"]),
        .executable(name: "kestrel-bench", targets: ["KestrelBench"]),
    ],
    traits: [
        .trait(name: "MPI", description: "Data-parallel training over MPI (KestrelDistributed's MPICommunicator); needs Open MPI's development files (Debian: libopenmpi-dev)."),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // `swift package generate-documentation` (the DocC catalogue in Sources/Kestrel); a
        // command plugin only: nothing of it is linked into Kestrel.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.4.0"),
    ],
    targets: [
        .target(name: "CKestrelKernels"),
        .target(name: "KestrelCore", dependencies: ["CKestrelKernels"]),
        .target(name: "KestrelNN", dependencies: ["KestrelCore"]),
        .target(name: "KestrelFormats", dependencies: ["KestrelCore", "KestrelNN"]),
        .target(name: "Kestrel", dependencies: ["KestrelCore", "KestrelNN", "KestrelFormats"]),
        .target(name: "KestrelConformance", dependencies: ["Kestrel"]),
        // MPI through pkg-config (Open MPI's `ompi-c`); only built with the MPI trait.
        .systemLibrary(name: "CMPI", pkgConfig: "ompi-c", providers: [.apt(["libopenmpi-dev"])]),
        .target(name: "KestrelDistributed",
                dependencies: ["KestrelCore", "KestrelNN", .target(name: "CMPI", condition: .when(traits: ["MPI"]))]),
        .target(name: "KestrelDemos", dependencies: ["Kestrel"]),
        // The readers libFuzzer drives: Fuzz/run builds this static library with
        // -sanitize=fuzzer and links Fuzz/Entry.swift to it. Nothing else links it.
        .target(name: "KestrelFuzzTargets", dependencies: ["Kestrel"]),
        .executableTarget(
            name: "kestrel",
            dependencies: ["Kestrel", "KestrelConformance", "KestrelDemos", "KestrelDistributed",
                           .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .executableTarget(
            name: "KestrelBench",
            dependencies: ["Kestrel", "KestrelDistributed", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Benchmarks",
            exclude: ["results", "Probes", "reference"]),
        .testTarget(name: "KestrelTests", dependencies: ["Kestrel", "KestrelConformance", "KestrelDemos", "KestrelDistributed"],
                    exclude: ["Fixtures"]),
        // Needs Debian's dataset-fashion-mnist: the README's test command skips it and CI runs it
        // in a step that installs the package.
        .testTarget(name: "KestrelSystemDataTests", dependencies: ["Kestrel"]),
    ],
    swiftLanguageModes: [.v5]
)
