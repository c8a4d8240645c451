import Foundation
import Testing

/// The release binary (`scripts/release` writes dist/verdict) copied to an empty folder elsewhere
/// still reports: its templates are inside it and the Swift runtime is linked statically.
@Suite("The release binary, moved")
struct MovedBinaryTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let binary = root.appendingPathComponent("dist/verdict")

    /// On CI (CI=true) `.ci/run` builds the release first, so the test must run; locally it runs
    /// after `scripts/release`.
    static var enabled: Bool {
        FileManager.default.isExecutableFile(atPath: binary.path) || ProcessInfo.processInfo.environment["CI"] == "true"
    }

    @Test("a copy in an empty folder writes every report from the sample data", .enabled(if: enabled))
    func movedBinary() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("verdict-moved-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let moved = folder.appendingPathComponent("verdict")
        try FileManager.default.copyItem(at: Self.binary, to: moved)
        let process = Process()
        process.executableURL = moved
        process.currentDirectoryURL = folder
        process.arguments = [
            "report", Self.root.appendingPathComponent("SampleData").path, "--html", "r.html", "--markdown", "r.md",
            "--junit", "j.xml", "--json", "s.json",
        ]
        // No Swift toolchain on the library path: only the system's libraries.
        process.environment = ["PATH": "/usr/bin:/bin", "LD_LIBRARY_PATH": ""]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let html = try String(contentsOf: folder.appendingPathComponent("r.html"), encoding: .utf8)
        #expect(html.contains("<b>97</b> tests"))
        let json = try Data(contentsOf: folder.appendingPathComponent("s.json"))
        let summary = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        #expect((summary["totals"] as? [String: Any])?["tests"] as? Int == 97)
        let junit = try String(contentsOf: folder.appendingPathComponent("j.xml"), encoding: .utf8)
        #expect(junit.contains("tests=\"97\""))
        // The Swift runtime is not a shared library of this binary.
        let ldd = Process()
        ldd.executableURL = URL(fileURLWithPath: "/usr/bin/ldd")
        ldd.arguments = [moved.path]
        let pipe = Pipe()
        ldd.standardOutput = pipe
        try ldd.run()
        let libraries = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        ldd.waitUntilExit()
        #expect(!libraries.contains("libswiftCore"), "\(libraries)")
    }
}
