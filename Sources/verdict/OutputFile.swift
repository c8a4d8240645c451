import Foundation

/// A report file written atomically: everything goes to a temporary file beside the target,
/// renamed over it only when complete. A failed run leaves the old file (or none), never half a file.
/// The path `-` means standard output (written at commit).
final class OutputFile {
    let path: String
    private let temporaryPath: String?
    private var handle: FileHandle?
    private var buffer = Data()
    private var committed = false

    struct Failure: Error, CustomStringConvertible {
        var path: String
        var reason: String
        var description: String { "cannot write \(path): \(reason)" }
    }

    init(path: String) throws(Failure) {
        self.path = path
        guard path != "-" else {
            temporaryPath = nil
            return
        }
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw Failure(path: path, reason: "the folder \(folder) does not exist")
        }
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw Failure(path: path, reason: "it is a folder")
        }
        let temporary =
            folder + "/." + url.lastPathComponent + ".verdict-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: nil),
            let handle = FileHandle(forWritingAtPath: temporary)
        else {
            throw Failure(path: path, reason: "cannot create a file in \(folder) (permission denied?)")
        }
        self.temporaryPath = temporary
        self.handle = handle
    }

    deinit { discard() }

    /// Removes the temporary file unless it was committed.
    func discard() {
        guard !committed, let temporaryPath else { return }
        try? handle?.close()
        handle = nil
        try? FileManager.default.removeItem(atPath: temporaryPath)
        committed = true
    }

    func write(_ text: String) throws(Failure) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= 1 << 20 { try flush() }
    }

    func write(_ data: Data) throws(Failure) {
        buffer.append(data)
        if buffer.count >= 1 << 20 { try flush() }
    }

    private func flush() throws(Failure) {
        guard let handle, !buffer.isEmpty else { return }
        do {
            try handle.write(contentsOf: buffer)
        } catch {
            throw Failure(path: path, reason: (error as NSError).localizedDescription)
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Copies a whole file's bytes in (the streamed JUnit body).
    func append(contentsOf other: String) throws(Failure) {
        try flush()
        guard let source = FileHandle(forReadingAtPath: other) else {
            throw Failure(path: path, reason: "cannot read back \(other)")
        }
        defer { try? source.close() }
        do {
            while let chunk = try source.read(upToCount: 4 << 20), !chunk.isEmpty {
                if handle == nil { buffer.append(chunk) } else { try handle?.write(contentsOf: chunk) }
            }
        } catch {
            throw Failure(path: path, reason: (error as NSError).localizedDescription)
        }
    }

    /// Makes the file visible under its name.
    func commit() throws(Failure) {
        guard let temporaryPath else {
            FileHandle.standardOutput.write(buffer)
            committed = true
            return
        }
        try flush()
        do {
            try handle?.synchronize()
            try handle?.close()
            handle = nil
        } catch {
            throw Failure(path: path, reason: (error as NSError).localizedDescription)
        }
        guard rename(temporaryPath, path) == 0 else {
            throw Failure(path: path, reason: String(cString: strerror(errno)))
        }
        committed = true
    }

    /// A scratch file beside the output (for the JUnit body); removed with this object.
    static func scratch(besides path: String) throws(Failure) -> OutputFile {
        let folder = path == "-" ? NSTemporaryDirectory() : URL(fileURLWithPath: path).deletingLastPathComponent().path
        return try OutputFile(path: folder + "/verdict-body-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
    }

    /// Where the bytes written so far are (before commit).
    func flushForReading() throws(Failure) -> String {
        try flush()
        return temporaryPath ?? path
    }
}
