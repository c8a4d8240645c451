import Foundation
import Testing

@Suite("Input forms: standard input, patterns, single files, symbolic links")
struct InputFormTests {
    @Test("- reads a JUnit file piped into standard input")
    func standardInput() async throws {
        try await Workspace.with { ws in
            let xml = try Data(contentsOf: CLI.sampleData.appendingPathComponent("go/report.xml"))
            let result = try await ws.verdict(["report", "-", "--json", ws.out("s.json")], stdin: xml)
            #expect(result.status == 0, "stderr: \(result.stderr)")
            let summary = try SummaryJSON.read(ws.out("s.json"))
            #expect(summary.totals == .go)
            #expect(summary.inputs.map(\.path) == ["<stdin>"])
            #expect(summary.inputs.first?.kind == "junit")
        }
    }

    @Test("a quoted pattern finds exactly SampleData's XML files; sources are the folders below its base")
    func globPattern() async throws {
        try await Workspace.with { ws in
            let result = try await ws.verdict(["report", "SampleData/**/*.xml", "--json", ws.out("s.json")])
            #expect(result.status == 0, "stderr: \(result.stderr)")
            let summary = try SummaryJSON.read(ws.out("s.json"))

            // What is on disk: SampleData holds 6 XML files (rspec, jest, pytest, go and two surefire).
            let onDisk = try Self.xmlFiles(below: CLI.sampleData).map { "SampleData/" + $0 }
            #expect(onDisk.count == 6)
            #expect(summary.inputs.map(\.path).sorted() == onDisk.sorted())
            #expect(summary.inputs.allSatisfy { $0.kind == "junit" })
            #expect(Set(summary.groups.source.compactMap(\.key)) == ["rspec", "jest", "pytest", "surefire", "go"])
            #expect(summary.totals == .init(48, passed: 35, failed: 5, errored: 2, skipped: 6, flaky: 2))
        }
    }

    @Test("a file given directly takes its parent folder's name as source")
    func singleFile() async throws {
        try await Workspace.with { ws in
            let file = ws.input.appendingPathComponent("nightly-rspec/out/results.xml")
            try FileManager.default.createDirectory(
                at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: CLI.sampleData.appendingPathComponent("rspec/rspec.xml"), to: file)
            let result = try await ws.verdict(["report", file.path, "--json", ws.out("s.json")])
            #expect(result.status == 0, "stderr: \(result.stderr)")
            let summary = try SummaryJSON.read(ws.out("s.json"))
            #expect(summary.totals == .rspec)
            #expect(summary.groups.source.map(\.key) == ["out"])

            // The same file through its folder: the first folder below the one given.
            let viaFolder = try await ws.verdict([
                "report", ws.input.path, "--json", ws.out("folder.json"),
            ])
            #expect(viaFolder.status == 0)
            #expect(try SummaryJSON.read(ws.out("folder.json")).groups.source.map(\.key) == ["nightly-rspec"])
        }
    }

    @Test("symbolic link loops and broken links inside an input folder neither hang nor crash")
    func symbolicLinks() async throws {
        try await Workspace.with { ws in
            let fileManager = FileManager.default
            let folder = ws.input.appendingPathComponent("runner")
            try fileManager.createDirectory(at: folder, withIntermediateDirectories: true)
            try fileManager.copyItem(
                at: CLI.sampleData.appendingPathComponent("rspec/rspec.xml"),
                to: folder.appendingPathComponent("rspec.xml"))
            // A folder loop (runner/loop -> ..), a link to the root, a file loop and a dangling link.
            try fileManager.createSymbolicLink(
                atPath: folder.appendingPathComponent("loop").path, withDestinationPath: "..")
            try fileManager.createSymbolicLink(
                atPath: ws.input.appendingPathComponent("self").path, withDestinationPath: ws.input.path)
            try fileManager.createSymbolicLink(
                atPath: ws.input.appendingPathComponent("ping.xml").path, withDestinationPath: "pong.xml")
            try fileManager.createSymbolicLink(
                atPath: ws.input.appendingPathComponent("pong.xml").path, withDestinationPath: "ping.xml")
            try fileManager.createSymbolicLink(
                atPath: ws.input.appendingPathComponent("dangling.xml").path, withDestinationPath: "nowhere/gone.xml")

            let result = try await ws.verdict(["report", "in", "--json", ws.out("s.json")], in: ws.root, timeout: 30)
            #expect(!result.timedOut, "verdict hung on a symbolic link loop")
            #expect(!result.signalled, "verdict crashed: signal \(result.status)")
            // Broken links found inside a folder are warnings (they were not asked for by name): exit 0;
            // the real file is read once.
            #expect(result.status == 0)
            #expect(result.stderr.contains("warning: in/dangling.xml"), "stderr: \(result.stderr)")
            #expect(result.stderr.contains("warning: in/ping.xml"))
            let summary = try SummaryJSON.read(ws.out("s.json"))
            #expect(summary.totals == .rspec)
            #expect(summary.inputs.map(\.path) == ["in/runner/rspec.xml"])
        }
    }

    /// Paths (relative to `root`) of every *.xml file below it.
    static func xmlFiles(below root: URL) throws -> [String] {
        let enumerator = FileManager.default.enumerator(atPath: root.path)
        var found: [String] = []
        while let path = enumerator?.nextObject() as? String {
            if path.lowercased().hasSuffix(".xml") { found.append(path) }
        }
        return found
    }
}
