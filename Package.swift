// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Mimic",
    platforms: [.macOS(.v15)],  // Synchronization.Atomic (PartialFile, Interrupts)
    products: [
        .executable(name: "mimic", targets: ["mimic"]),
        .library(name: "MimicMath", targets: ["MimicMath"]),
        .library(name: "MimicCore", targets: ["MimicCore"]),
        .library(name: "MimicHDF5", targets: ["MimicHDF5"]),
        .library(name: "MimicSim", targets: ["MimicSim"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.0.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.0.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CHDF5",
            pkgConfig: "hdf5-serial",
            providers: [.apt(["libhdf5-dev"])]
        ),
        .target(name: "CHDF5Shim", dependencies: ["CHDF5"]),
        .systemLibrary(name: "CDeflate", pkgConfig: "libdeflate", providers: [.apt(["libdeflate-dev"])]),
        .systemLibrary(name: "CMuJoCo", pkgConfig: "mujoco"),  // scripts/setup_mujoco.sh installs it
        // OSMesa (Debian libosmesa6-dev, installed by scripts/setup.sh): the offscreen GL context of MuJoCo's renderer.
        .target(name: "CMuJoCoShim", dependencies: ["CMuJoCo"], linkerSettings: [.linkedLibrary("OSMesa")]),
        .target(
            name: "MimicMath",
            dependencies: [.product(name: "RealModule", package: "swift-numerics")]
        ),
        .target(name: "MimicCore", dependencies: ["CDeflate", "MimicMath"]),
        .target(
            name: "MimicHDF5",
            dependencies: ["CHDF5", "CHDF5Shim", "MimicCore", "MimicMath", .product(name: "Crypto", package: "swift-crypto")]
        ),
        .target(name: "MimicSim", dependencies: ["CMuJoCo", "CMuJoCoShim", "MimicCore", "MimicMath"]),
        .target(name: "MimicReport", dependencies: ["MimicCore"]),
        .target(name: "MimicLeRobot", dependencies: ["MimicCore"]),
        .executableTarget(
            name: "mimic",
            dependencies: [
                "MimicCore", "MimicHDF5", "MimicLeRobot", "MimicMath", "MimicSim", "MimicReport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "MimicMathTests", dependencies: ["MimicMath"]),
        .testTarget(name: "MimicCoreTests", dependencies: ["CDeflate", "MimicCore", "MimicMath"]),
        .testTarget(name: "MimicHDF5Tests", dependencies: ["CDeflate", "MimicHDF5", "MimicCore", "MimicMath"]),
        .testTarget(name: "MimicSimTests", dependencies: ["MimicSim", "MimicHDF5", "MimicCore", "MimicMath"]),
        .testTarget(name: "MimicReportTests", dependencies: ["MimicReport", "MimicCore"]),
        .testTarget(name: "mimicTests", dependencies: ["mimic", "MimicHDF5", "MimicCore", "MimicSim"]),
        .testTarget(name: "MimicLeRobotTests", dependencies: ["MimicLeRobot", "MimicCore"]),
    ]
)
