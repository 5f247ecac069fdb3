// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Kestrel",
    products: [
        .library(name: "Kestrel", targets: ["Kestrel"]),
        .executable(name: "kestrel", targets: ["kestrel"]),
        .executable(name: "kestrel-bench", targets: ["KestrelBench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .target(name: "CKestrelKernels"),
        .target(name: "Kestrel", dependencies: ["CKestrelKernels"]),
        .target(name: "KestrelDemos", dependencies: ["Kestrel"]),
        .executableTarget(
            name: "kestrel",
            dependencies: ["Kestrel", "KestrelDemos", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .executableTarget(
            name: "KestrelBench",
            dependencies: ["Kestrel", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Benchmarks",
            exclude: ["results", "Probes"]),
        .testTarget(name: "KestrelTests", dependencies: ["Kestrel", "KestrelDemos"], exclude: ["Fixtures"]),
        // Needs Debian's dataset-fashion-mnist: the README's test command skips it and CI runs it
        // in a step that installs the package.
        .testTarget(name: "KestrelSystemDataTests", dependencies: ["Kestrel"]),
    ],
    swiftLanguageModes: [.v5]
)
