import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs the built `verdict` binary as a subprocess, and gives each test its own temporary folder.
/// Nothing here is shared mutable state: every value is immutable or made per call.
enum CLI {
    /// The package root (the folder holding Package.swift), from this file's path.
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // VerdictCLITests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()

    static let sampleData = packageRoot.appendingPathComponent("SampleData")
    static let goldenFolder = packageRoot.appendingPathComponent("Tests/VerdictCLITests/Golden")
    static let junitSchema = packageRoot.appendingPathComponent("../shared/schemas/junit.xsd").standardizedFileURL

    /// The `verdict` executable beside the running test bundle, or why it was not found.
    static let binary: Result<URL, LocateError> = locateBinary()

    struct LocateError: Error, CustomStringConvertible {
        var searched: [String]
        var description: String {
            "cannot find the built `verdict` executable next to the test bundle (build it with `swift build`, "
                + "or run `swift test`, which builds it first). Searched: " + searched.joined(separator: ", ")
        }
    }

    /// Walks up from the test process's own executable (and bundle) to the first folder that holds an
    /// executable file named `verdict`; VERDICT_BINARY overrides the search.
    private static func locateBinary() -> Result<URL, LocateError> {
        let fileManager = FileManager.default
        func isExecutableFile(_ url: URL) -> Bool {
            var isDirectory: ObjCBool = false
            return fileManager.fileExists(atPath: url.path, isDirectory: &isDirectory) && !isDirectory.boolValue
                && fileManager.isExecutableFile(atPath: url.path)
        }
        if let override = ProcessInfo.processInfo.environment["VERDICT_BINARY"], !override.isEmpty {
            let url = URL(fileURLWithPath: override)
            return isExecutableFile(url) ? .success(url) : .failure(LocateError(searched: [override]))
        }
        var starts: [URL] = []
        if let executable = Bundle.main.executableURL { starts.append(executable) }
        starts.append(Bundle.main.bundleURL)
        if let first = CommandLine.arguments.first, !first.isEmpty {
            starts.append(URL(fileURLWithPath: first).standardizedFileURL)
        }
        if let selfExe = try? fileManager.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            starts.append(URL(fileURLWithPath: selfExe))
        }
        var searched: [String] = []
        for start in starts {
            let resolved = start.resolvingSymlinksInPath()
            var isDirectory: ObjCBool = false
            let startIsFolder =
                fileManager.fileExists(atPath: resolved.path, isDirectory: &isDirectory)
                && isDirectory.boolValue
            var folder = startIsFolder ? resolved : resolved.deletingLastPathComponent()
            while true {
                searched.append(folder.path)
                let candidate = folder.appendingPathComponent("verdict")
                if isExecutableFile(candidate) { return .success(candidate) }
                let parent = folder.deletingLastPathComponent()
                if parent.path == folder.path || folder.path == "/" { break }
                folder = parent
            }
        }
        return .failure(LocateError(searched: Array(NSOrderedSet(array: searched)) as? [String] ?? searched))
    }

    /// The binary, or an error that says where it was looked for (the test fails with it).
    static func verdictBinary() throws -> URL {
        try binary.get()
    }

    struct RunResult: Sendable {
        var status: Int32
        var stdout: String
        var stderr: String
        var stdoutData: Data
        /// The process was killed after the time limit (it hung).
        var timedOut: Bool
        /// The process ended by a signal (a crash), not by exit.
        var signalled: Bool
    }

    /// Runs `verdict` with `arguments` in `directory`. `stdin` is piped in when given (else /dev/null).
    /// Standard output and error go to files in `captureFolder`, so big outputs never block a pipe.
    static func run(
        _ arguments: [String],
        in directory: URL,
        captureFolder: URL,
        stdin: Data? = nil,
        environment: [String: String] = [:],
        removingEnvironment: [String] = [],
        timeout: Double = 60
    ) async throws -> RunResult {
        let executable = try verdictBinary()
        let fileManager = FileManager.default
        try fileManager.createDirectory(at: captureFolder, withIntermediateDirectories: true)
        let id = UUID().uuidString
        let stdoutURL = captureFolder.appendingPathComponent("stdout-\(id)")
        let stderrURL = captureFolder.appendingPathComponent("stderr-\(id)")
        let stdoutHandle = try captureFile(stdoutURL)
        let stderrHandle = try captureFile(stderrURL)
        defer {
            try? stdoutHandle.close()
            try? stderrHandle.close()
            try? fileManager.removeItem(at: stdoutURL)
            try? fileManager.removeItem(at: stderrURL)
        }

        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = directory
        var env = ProcessInfo.processInfo.environment
        for key in removingEnvironment { env.removeValue(forKey: key) }
        env.merge(environment) { _, new in new }
        process.environment = env
        process.standardOutput = stdoutHandle
        process.standardError = stderrHandle
        let inputPipe: Pipe? = stdin == nil ? nil : Pipe()
        process.standardInput = inputPipe ?? FileHandle.nullDevice

        let watchdog = Watchdog()
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { finished in
                watchdog.finish()
                continuation.resume(returning: finished.terminationStatus)
            }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
                return
            }
            if let inputPipe, let stdin {
                // A child that stops reading must not kill the test process with SIGPIPE.
                signal(SIGPIPE, SIG_IGN)
                let writer = inputPipe.fileHandleForWriting
                DispatchQueue.global().async {
                    try? writer.write(contentsOf: stdin)
                    try? writer.close()
                }
            }
            watchdog.arm(process, after: timeout)
        }
        let reason = process.terminationReason
        try? stdoutHandle.close()
        try? stderrHandle.close()
        let out = (try? Data(contentsOf: stdoutURL)) ?? Data()
        let err = (try? Data(contentsOf: stderrURL)) ?? Data()
        let signalled = reason == .uncaughtSignal
        return RunResult(
            status: status, stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: err, as: UTF8.self),
            stdoutData: out, timedOut: watchdog.didFire, signalled: signalled)
    }

    /// An empty file, open for writing, to capture a subprocess's output in.
    private static func captureFile(_ url: URL) throws -> FileHandle {
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path])
        }
        return try FileHandle(forWritingTo: url)
    }

    /// The version `verdict --version` prints.
    static func version(scratch: URL) async throws -> String {
        let result = try await run(["--version"], in: packageRoot, captureFolder: scratch)
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The absolute path of an executable found on PATH (what `which` answers), or nil.
    static func which(_ tool: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for folder in path.split(separator: ":") {
            let candidate = String(folder) + "/" + tool
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Runs another tool (xmllint, cmark-gfm) to completion; its output is captured through files.
    static func runTool(
        _ path: String, _ arguments: [String], captureFolder: URL
    ) throws -> (
        status: Int32, stdout: String, stderr: String
    ) {
        let fileManager = FileManager.default
        let id = UUID().uuidString
        let outURL = captureFolder.appendingPathComponent("tool-out-\(id)")
        let errURL = captureFolder.appendingPathComponent("tool-err-\(id)")
        defer {
            try? fileManager.removeItem(at: outURL)
            try? fileManager.removeItem(at: errURL)
        }
        let outHandle = try captureFile(outURL)
        let errHandle = try captureFile(errURL)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.standardOutput = outHandle
        process.standardError = errHandle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try? outHandle.close()
        try? errHandle.close()
        return (
            process.terminationStatus, (try? String(contentsOf: outURL, encoding: .utf8)) ?? "",
            (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
        )
    }
}

/// Kills a hung subprocess after a time limit, unless it has finished (checked under a lock, so a
/// finished process's id is never signalled).
final class Watchdog: @unchecked Sendable {
    private let lock = NSLock()
    private var finished = false
    private(set) var fired = false

    /// Kills `process` after `seconds` unless it finished. The process object (not a bare pid) is
    /// asked whether it still runs: a reaped process's pid may already belong to another process.
    func arm(_ process: Process, after seconds: Double) {
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds) { [self] in
            lock.withLock {
                guard !finished, process.isRunning else { return }
                fired = true
                kill(process.processIdentifier, SIGKILL)
            }
        }
    }

    func finish() { lock.withLock { finished = true } }
    var didFire: Bool { lock.withLock { fired } }
}

/// A fresh temporary folder for one test: `input`, `output` and a private `capture` folder for the
/// subprocess's standard output and error. Removed when the test's closure ends.
struct Workspace: Sendable {
    let root: URL
    var input: URL { root.appendingPathComponent("in") }
    var output: URL { root.appendingPathComponent("out") }
    var capture: URL { root.appendingPathComponent("capture") }

    static func with<T>(_ body: (Workspace) async throws -> T) async throws -> T {
        let fileManager = FileManager.default
        let created = fileManager.temporaryDirectory.appendingPathComponent("verdict-cli-tests-\(UUID().uuidString)")
        try fileManager.createDirectory(at: created, withIntermediateDirectories: true)
        defer { try? fileManager.removeItem(at: created) }
        // The real path (macOS's /var is /private/var), so paths in messages compare equal.
        let workspace = Workspace(root: created.resolvingSymlinksInPath())
        for folder in [workspace.input, workspace.output, workspace.capture] {
            try fileManager.createDirectory(at: folder, withIntermediateDirectories: true)
        }
        return try await body(workspace)
    }

    func out(_ name: String) -> String { output.appendingPathComponent(name).path }

    /// Runs `verdict` (working directory: the package root unless told).
    func verdict(
        _ arguments: [String], in directory: URL? = nil, stdin: Data? = nil, environment: [String: String] = [:],
        removingEnvironment: [String] = [], timeout: Double = 60
    ) async throws -> CLI.RunResult {
        try await CLI.run(
            arguments, in: directory ?? CLI.packageRoot, captureFolder: capture, stdin: stdin,
            environment: environment, removingEnvironment: removingEnvironment, timeout: timeout)
    }

    @discardableResult
    func write(_ text: String, to relativePath: String, under base: URL? = nil) throws -> URL {
        try write(Data(text.utf8), to: relativePath, under: base)
    }

    @discardableResult
    func write(_ data: Data, to relativePath: String, under base: URL? = nil) throws -> URL {
        let url = (base ?? input).appendingPathComponent(relativePath)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: url)
        return url
    }

    func read(_ path: String) throws -> String {
        try String(contentsOfFile: path, encoding: .utf8)
    }

    /// Names in the output folder, sorted (hidden files included: temporary files start with `.`).
    func outputListing() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: output.path).sorted()
    }
}
