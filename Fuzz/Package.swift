// swift-tools-version:6.0
// Fuzz targets for Verdict's readers (libFuzzer), run by ../scripts/fuzz. The reader code is the
// main package's own (Sources/ here links to it), built with coverage instrumentation and
// AddressSanitizer; rendering is left out. Kept apart so a normal build never needs the sanitizers.
import PackageDescription

let fuzz: [SwiftSetting] = [.unsafeFlags(["-sanitize=fuzzer,address"])]
let link: [LinkerSetting] = [.unsafeFlags(["-sanitize=fuzzer,address", "-use-ld=lld"])]

let package = Package(
    name: "VerdictFuzz",
    targets: [
        .systemLibrary(name: "CLibXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
        .target(name: "CXMLShim", dependencies: ["CLibXML2"]),
        .target(name: "VerdictCore", dependencies: ["CXMLShim"], swiftSettings: fuzz),
        .target(name: "CFuzzDriver"),
        .executableTarget(
            name: "FuzzJUnit", dependencies: ["VerdictCore", "CFuzzDriver"],
            swiftSettings: fuzz, linkerSettings: link),
        .executableTarget(
            name: "FuzzCircleCI", dependencies: ["VerdictCore", "CFuzzDriver"],
            swiftSettings: fuzz, linkerSettings: link),
    ],
    swiftLanguageModes: [.v6]
)
