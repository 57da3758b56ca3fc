// swift-tools-version: 6.1
// Benchmarks for Mimic, a separate package so the main build and CI never pay for them.
// Run: swift run -c release --package-path Benchmarks mimic-bench
import PackageDescription

let package = Package(
    name: "MimicBenchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "Mimic", path: "..")
    ],
    targets: [
        .executableTarget(
            name: "mimic-bench",
            dependencies: [
                .product(name: "MimicMath", package: "Mimic"),
                .product(name: "MimicCore", package: "Mimic"),
                .product(name: "MimicHDF5", package: "Mimic"),
                .product(name: "MimicSim", package: "Mimic"),
            ]
        )
    ]
)
