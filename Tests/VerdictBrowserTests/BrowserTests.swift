import Foundation
import Testing

/// The HTML reports as a real browser sees them: headless Chromium loads each page, and the test
/// reads the DOM it built, the console, and keeps a screenshot under .build/browser/.
@Suite("Reports in Chromium", .serialized)
struct BrowserTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let artifacts = root.appendingPathComponent(".build/browser")

    static var chromium: String? {
        for candidate in ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        where FileManager.default.isExecutableFile(atPath: candidate) {
            return candidate
        }
        return nil
    }

    /// The built `verdict` beside this test bundle.
    static var verdict: URL? {
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = folder.appendingPathComponent("verdict")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            folder = folder.deletingLastPathComponent()
        }
        let debug = root.appendingPathComponent(".build/debug/verdict")
        return FileManager.default.isExecutableFile(atPath: debug.path) ? debug : nil
    }

    @discardableResult
    static func run(
        _ executable: String, _ arguments: [String], in directory: URL = root
    ) throws -> (
        status: Int32, stdout: String, stderr: String
    ) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = directory
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent(
            "verdict-browser-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let out = scratch.appendingPathComponent("out")
        let err = scratch.appendingPathComponent("err")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return (
            process.terminationStatus, (try? String(contentsOf: out, encoding: .utf8)) ?? "",
            (try? String(contentsOf: err, encoding: .utf8)) ?? ""
        )
    }

    /// Loads `page` in Chromium: the serialized DOM, the browser's log, and a screenshot.
    static func load(_ page: URL, screenshot name: String) throws -> (dom: String, log: String) {
        guard let chromium else { throw BrowserError.missing }
        try FileManager.default.createDirectory(at: artifacts, withIntermediateDirectories: true)
        let flags = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions"]
        // Chromium runs in its own session: on exit it may signal its process group, which must not
        // be the test runner's (other tests' helper servers live there).
        let setsid = "/usr/bin/setsid"
        let dom = try run(
            setsid,
            ["--wait", chromium] + flags + ["--enable-logging=stderr", "--v=0", "--dump-dom", page.absoluteString])
        try run(
            setsid,
            ["--wait", chromium] + flags + [
                "--window-size=1280,1600", "--screenshot=\(artifacts.appendingPathComponent(name).path)",
                page.absoluteString,
            ])
        return (dom.stdout, dom.stderr)
    }

    enum BrowserError: Error, CustomStringConvertible {
        case missing
        var description: String { "Chromium is not installed (apt-get install chromium); .ci/run installs it" }
    }

    /// Locally, without Chromium, the browser checks are skipped; on CI (CI=true) they must run.
    static var enabled: Bool {
        chromium != nil || ProcessInfo.processInfo.environment["CI"] == "true"
    }

    static func report(_ inputs: [String], extra: [String] = [], folder: URL) throws -> URL {
        guard let verdict else { throw BrowserError.missing }
        let html = folder.appendingPathComponent("report.html")
        _ = try run(verdict.path, ["report"] + inputs + ["--html", html.path] + extra)
        return html
    }

    @Test(
        "the sample report: totals, failures, groups, script ran under the CSP, no console errors",
        .enabled(if: enabled))
    func sampleReport() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "verdict-browser-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let page = try Self.report(["SampleData"], folder: folder)
        let (dom, log) = try Self.load(page, screenshot: "sample-report.png")
        #expect(dom.contains("<b>97</b> tests"))
        #expect(dom.contains("<b>11</b> failed"))
        #expect(dom.components(separatedBy: "<details class=\"failure\"").count - 1 == 14)
        #expect(dom.contains("rejectsExpiredCoupon"))
        // The page's own script ran (the CSP nonce let it): it made every table header focusable.
        #expect(dom.contains("tabindex=\"0\""), "the sorting script did not run")
        #expect(!log.contains("Content Security Policy"), "CSP violation: \(log)")
        #expect(!log.contains("Uncaught"), "script error: \(log)")
    }

    @Test("hostile names render as text: no injected element, no script but the page's own", .enabled(if: enabled))
    func hostileReport() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "verdict-browser-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let hostile = """
            <testsuite name="&lt;script&gt;alert('suite')&lt;/script&gt;">
              <testcase classname="&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" name="&lt;script&gt;alert(1)&lt;/script&gt;" file="javascript:alert(1)">
                <failure message="&lt;iframe src=javascript:alert(2)&gt;">&lt;svg onload=alert(3)&gt; &#x202E;txt.exe</failure>
              </testcase>
              <testcase classname="a|b" name="line1&#10;line2"><error message="x"/></testcase>
            </testsuite>
            """
        let input = folder.appendingPathComponent("hostile.xml")
        try Data(hostile.utf8).write(to: input)
        let page = try Self.report([input.path], folder: folder)
        let (dom, log) = try Self.load(page, screenshot: "hostile-report.png")
        #expect(!dom.contains("<img src=\"x\""))
        #expect(!dom.contains("<iframe"))
        #expect(!dom.contains("<svg onload"))
        #expect(dom.components(separatedBy: "<script").count - 1 == 1, "only the page's own script")
        #expect(dom.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(!log.contains("Uncaught"))
    }

    @Test("the comparison page loads with its script", .enabled(if: enabled))
    func comparePage() throws {
        guard let verdict = Self.verdict else { throw BrowserError.missing }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "verdict-browser-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let html = folder.appendingPathComponent("compare.html")
        try Self.run(
            verdict.path, ["compare", "SampleData/circleci-v1.1", "SampleData/circleci-v2", "--html", html.path])
        let (dom, log) = try Self.load(html, screenshot: "compare.png")
        #expect(dom.contains("Only in head (added)"))
        #expect(dom.contains("tabindex=\"0\""))
        #expect(!log.contains("Content Security Policy"))
    }

    @Test("the flaky and trends pages load with their script and rows", .enabled(if: enabled))
    func historyPages() throws {
        guard let verdict = Self.verdict else { throw BrowserError.missing }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "verdict-browser-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let db = folder.appendingPathComponent("h.sqlite").path
        for build in ["1", "2"] {
            try Self.run(verdict.path, ["history", "record", "SampleData", "--db", db, "--build", build])
        }
        let flaky = folder.appendingPathComponent("flaky.html")
        let trends = folder.appendingPathComponent("trends.html")
        try Self.run(verdict.path, ["flaky", "--db", db, "--html", flaky.path])
        try Self.run(verdict.path, ["trends", "--db", db, "--html", trends.path])
        let (flakyDOM, flakyLog) = try Self.load(flaky, screenshot: "flaky.png")
        #expect(flakyDOM.contains("TestSyncStockFromWarehouse"))
        #expect(flakyDOM.contains("tabindex=\"0\""))
        #expect(!flakyLog.contains("Content Security Policy"))
        let (trendsDOM, _) = try Self.load(trends, screenshot: "trends.png")
        #expect(trendsDOM.contains("spec.services.payment_gateway_spec"))
        #expect(trendsDOM.contains("tabindex=\"0\""))
    }
}
