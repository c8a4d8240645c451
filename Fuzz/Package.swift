// swift-tools-version:6.0
// Fuzz targets for Verdict's readers (libFuzzer), run by ../scripts/fuzz. The reader code is the
// main package's own (Sources/ here links to it), built with coverage instrumentation and
// AddressSanitizer; rendering is left out. Kept apart so a normal build never needs the sanitizers.
import PackageDescription

let fuzz: [SwiftSetting] = [.unsafeFlags(["-sanitize=fuzzer,address"])]
// The reader's internals (the fast paths and the references they must agree with) seen by the targets.
let testable: [SwiftSetting] = [.unsafeFlags(["-sanitize=fuzzer,address", "-enable-testing"])]
// The C scan of plain text reads untrusted bytes too: instrumented and address-checked as well.
let cFuzz: [CSetting] = [.unsafeFlags(["-fsanitize=fuzzer-no-link,address"])]
let link: [LinkerSetting] = [.unsafeFlags(["-sanitize=fuzzer,address", "-use-ld=lld"])]

let package = Package(
    name: "VerdictFuzz",
    targets: [
        .systemLibrary(name: "CLibXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
        .target(name: "CXMLShim", dependencies: ["CLibXML2"], cSettings: cFuzz),
        .target(name: "VerdictCore", dependencies: ["CXMLShim"], swiftSettings: testable),
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
