// swift-tools-version:6.0
import PackageDescription

let strictSwift: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "Verdict",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "verdict", targets: ["verdict"]),
        .library(name: "VerdictCore", targets: ["VerdictCore"]),
        .library(name: "VerdictCircleCI", targets: ["VerdictCircleCI"]),
        .library(name: "VerdictHistory", targets: ["VerdictHistory"]),
        .library(name: "VerdictPostgres", targets: ["VerdictPostgres"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.0.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.30.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
    ],
    targets: [
        // The system library only carries libxml2's compiler and linker flags to the C shim.
        .systemLibrary(
            name: "CLibXML2",
            pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"]), .yum(["libxml2-devel"]), .brew(["libxml2"])]
        ),
        // The one C boundary: the only code that includes <libxml/...>.
        .target(name: "CXMLShim", dependencies: ["CLibXML2"]),
        .executableTarget(name: "EmbedTemplates", path: "Sources/EmbedTemplates"),
        .plugin(
            name: "EmbedTemplatesPlugin",
            capability: .buildTool(),
            dependencies: ["EmbedTemplates"]
        ),
        .target(
            name: "VerdictCore",
            dependencies: [
                "CXMLShim",
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            swiftSettings: strictSwift,
            plugins: ["EmbedTemplatesPlugin"]
        ),
        .target(
            name: "VerdictCircleCI",
            dependencies: ["VerdictCore"],
            swiftSettings: strictSwift
        ),
        .target(
            name: "VerdictHistory",
            dependencies: ["VerdictCore", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strictSwift
        ),
        // The team store: the same schema and SQL as VerdictHistory, on PostgreSQL.
        .target(
            name: "VerdictPostgres",
            dependencies: [
                "VerdictCore",
                "VerdictHistory",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSwift
        ),
        .executableTarget(
            name: "verdict",
            dependencies: [
                "VerdictCore",
                "VerdictCircleCI",
                "VerdictHistory",
                "VerdictPostgres",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSwift
        ),
        // In-process benchmarks of each stage (`swift run -c release verdict-bench FILE`); see BENCHMARKS.md.
        .executableTarget(
            name: "verdict-bench",
            dependencies: ["VerdictCore"],
            path: "Sources/VerdictBench",
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "VerdictCoreTests",
            dependencies: ["VerdictCore"],
            exclude: ["Fixtures"],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "VerdictReleaseTests",
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "VerdictBrowserTests",
            dependencies: ["verdict"],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "VerdictHistoryTests",
            dependencies: ["VerdictHistory", "VerdictPostgres", "VerdictCore"],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "VerdictCircleCITests",
            dependencies: ["VerdictCircleCI"],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "VerdictCLITests",
            dependencies: ["VerdictCore", "verdict"],
            exclude: ["Golden", "Support"],
            swiftSettings: strictSwift
        ),
    ],
    swiftLanguageModes: [.v6]
)
