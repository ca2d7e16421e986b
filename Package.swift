// swift-tools-version: 6.1
import PackageDescription

/// Internal consistency checks (heap order, replica and KV accounting) run after every mutation
/// in debug builds, and compile to nothing in release.
let invariants: [SwiftSetting] = [.define("HEADROOM_INVARIANTS", .when(configuration: .debug))]

let package = Package(
    name: "Headroom",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "headroom", targets: ["HeadroomCLI"]),
        .library(name: "Headroom", targets: ["Headroom"]),
        .library(name: "HeadroomEngine", targets: ["HeadroomEngine"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-collections", exact: "1.6.0"),
        .package(url: "https://github.com/jpsim/Yams", exact: "6.2.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", exact: "0.2.0"),
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based", exact: "2.0.1"),
    ],
    targets: [
        .target(name: "HeadroomCPUHints"),
        .target(name: "HeadroomEngine", dependencies: ["HeadroomCPUHints"], swiftSettings: invariants),
        .target(
            name: "Headroom",
            dependencies: [
                "HeadroomEngine",
                "HeadroomCPUHints",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "DequeModule", package: "swift-collections"),
            ],
            swiftSettings: invariants
        ),
        .target(
            name: "HeadroomStore",
            dependencies: ["Headroom", .product(name: "GRDB", package: "GRDB.swift"), .product(name: "GRDBSQLite", package: "GRDB.swift")],
            swiftSettings: invariants
        ),
        .target(name: "HeadroomReport", dependencies: ["HeadroomStore"], swiftSettings: invariants),
        // OpenBLAS is opened with dlopen when a calibration first needs it (OpenBLAS.swift), not
        // linked: its constructor starts spinning worker threads in every process that loads it.
        .target(name: "HeadroomCalibration", dependencies: ["Headroom"], swiftSettings: invariants),
        .executableTarget(
            name: "HeadroomCLI",
            dependencies: [
                "Headroom",
                "HeadroomStore",
                "HeadroomReport",
                "HeadroomCalibration",
                "HeadroomCPUHints",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .target(name: "HeadroomTestSupport", dependencies: ["Headroom"], path: "Tests/HeadroomTestSupport"),
        .testTarget(name: "HeadroomEngineTests", dependencies: ["HeadroomEngine"], swiftSettings: invariants),
        .testTarget(
            name: "HeadroomStoreTests",
            dependencies: ["HeadroomStore", "HeadroomTestSupport", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: invariants
        ),
        .testTarget(
            name: "HeadroomReportTests",
            dependencies: ["HeadroomReport", "HeadroomStore", "HeadroomTestSupport", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: invariants
        ),
        .testTarget(
            name: "HeadroomCalibrationTests",
            dependencies: ["HeadroomCalibration"],
            swiftSettings: invariants
        ),
        .testTarget(
            name: "HeadroomTests",
            dependencies: [
                "Headroom", "HeadroomTestSupport", .product(name: "PropertyBased", package: "swift-property-based"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ],
            swiftSettings: invariants
        ),
    ]
)

// `make fuzz` only: libFuzzer targets, built with -sanitize=fuzzer,address into .build/fuzz.
if Context.environment["HEADROOM_FUZZ"] != nil {
    package.targets.append(.executableTarget(name: "HeadroomFuzz", dependencies: ["HeadroomTestSupport"], path: "Sources/HeadroomFuzz"))
}
