import Foundation
import VerdictCore

/// Receives what the inputs hold, as they are read.
protocol RecordSink: AnyObject {
    func begin(inputIndex: Int, path: String)
    func add(_ record: TestRecord)
    func add(input: InputReport)
    func add(job: JobSummary)
}

/// An input that could not be read at all.
struct RejectedInput {
    var path: String
    var message: String
}

/// Reads inputs in chunks, detects their kind from content, and streams records to the sink.
struct InputLoader {
    var sourceOverride: String?
    var chunkSize = 1 << 20
    /// Told how far a large input read on the calling thread has got: (path, bytes read, size).
    var onProgress: (@Sendable (String, Int, Int) -> Void)?

    private enum Sniffed {
        case xml, json, empty
        case rejected(IngestError)
    }

    /// How many inputs are read at once (small files in parallel; their records reach the sink in
    /// input order, so every output is the same as with one job).
    var jobs = ProcessInfo.processInfo.activeProcessorCount

    /// Inputs larger than this are streamed on the calling thread instead of being buffered by a worker.
    static let parallelSizeLimit = 32 << 20

    /// Whether an input streamed by the caller is parsed on a thread of its own while the caller
    /// handles its records (see `PipelinedRead`).
    var pipeline = false

    /// What reading one input produced, in order.
    enum Event: @unchecked Sendable {
        case begin(Int, String)
        case record(TestRecord)
        case input(InputReport)
        case job(JobSummary)
        case v2Page(folder: String, path: String, items: [CircleCITestItemValue])
        case rejected(RejectedInput)
        /// Records a worker folded into a partial report (instead of `.record`s).
        case partial(PartialReport, junit: String)
    }

    /// Reads every input; v2 `/tests` pages in one folder join into one input.
    func load(_ inputs: [InputSource], into sink: any RecordSink) -> [RejectedInput] {
        var rejected: [RejectedInput] = []
        var v2Pages: [(folder: String, path: String, items: [CircleCITestItemValue])] = []
        func deliver(_ event: Event) {
            switch event {
            case .begin(let index, let path): sink.begin(inputIndex: index, path: path)
            case .record(let record): sink.add(record)
            case .input(let report): sink.add(input: report)
            case .job(let job): sink.add(job: job)
            case .v2Page(let folder, let path, let items): v2Pages.append((folder, path, items))
            case .rejected(let input): rejected.append(input)
            case .partial(let partial, let junit): (sink as? any PartialSink)?.merge(partial, junit: junit)
            }
        }
        let factory = (sink as? any PartialSink)?.partialFactory
        let quiet: InputLoader = {
            var loader = self
            loader.onProgress = nil  // workers read small files: no progress from them
            return loader
        }()
        let parallel = ParallelReads(inputs: inputs, jobs: jobs) { input, index in
            let this = quiet
            var events: [Event] = []
            guard let factory else {
                this.read(input, index: index) { events.append($0) }
                return events
            }
            // Records go into a partial report, merged where the first record would have been.
            let partial = factory()
            var at: Int?
            this.read(input, index: index) { event in
                switch event {
                case .record(let record):
                    if at == nil { at = events.count }
                    partial.add(record)
                case .begin(let index, let path):
                    partial.begin(inputIndex: index, path: path)
                    events.append(event)
                default:
                    events.append(event)
                }
            }
            events.insert(.partial(partial, junit: partial.finish()), at: at ?? events.count)
            return events
        }
        for (index, input) in inputs.enumerated() {
            if let events = parallel.take(index) {
                events.forEach(deliver)
            } else if pipeline {
                let this = self
                PipelinedRead.run({ this.read(input, index: index, emit: $0) }, deliver: deliver)
            } else {
                read(input, index: index, emit: deliver)
            }
        }
        // Pages of one job sit in one folder: join them, in numeric file-name order.
        let folders = v2Pages.reduce(into: [String]()) { if !$0.contains($1.folder) { $0.append($1.folder) } }
        for (offset, folder) in folders.enumerated() {
            let pages = v2Pages.filter { $0.folder == folder }
                .sorted { $0.path.compare($1.path, options: .numeric) == .orderedAscending }
            let index = inputs.count + offset
            let path = pages.count == 1 ? pages[0].path : pages.map(\.path).joined(separator: " + ")
            sink.begin(inputIndex: index, path: path)
            let (records, warnings) = CircleCIDecoder.records(
                pages: pages.map(\.items), inputIndex: index, sourceOverride: sourceOverride)
            records.forEach(sink.add)
            sink.add(input: InputReport(path: path, kind: .circleciV2Tests, tests: records.count, warnings: warnings))
        }
        return rejected
    }

    /// Reads one input, emitting what it holds as it goes.
    func read(_ input: InputSource, index: Int, emit: @escaping (Event) -> Void) {
        do {
            let handle = try open(input)
            defer { try? handle.close() }
            var first = try handle.read(upToCount: chunkSize) ?? Data()
            switch Self.sniff(first) {
            case .empty:
                throw IngestError.empty
            case .rejected(let error):
                throw error
            case .xml:
                emit(.begin(index, input.displayPath))
                let reader = JUnitReader(inputIndex: index, source: sourceOverride ?? input.source) {
                    emit(.record($0))
                }
                var chunk = first
                var done = 0
                let size = onProgress == nil ? 0 : Self.size(of: input)
                while !chunk.isEmpty {
                    let more = chunk.withUnsafeBytes { reader.feed($0) }
                    guard more else { break }
                    done += chunk.count
                    if size > 64 << 20 { onProgress?(input.displayPath, done, size) }
                    chunk = try handle.read(upToCount: chunkSize) ?? Data()
                }
                emit(.input(try reader.finish(path: input.displayPath)))
            case .json:
                while let more = try handle.read(upToCount: chunkSize), !more.isEmpty { first.append(more) }
                switch try CircleCIDecoder.decode(first) {
                case .v1Tests(let items):
                    emit(.begin(index, input.displayPath))
                    let (records, warnings) = CircleCIDecoder.records(
                        pages: [items], inputIndex: index, sourceOverride: sourceOverride)
                    records.forEach { emit(.record($0)) }
                    emit(
                        .input(
                            InputReport(
                                path: input.displayPath, kind: .circleciV1Tests, tests: records.count,
                                warnings: warnings)))
                case .v2TestsPage(let items, _):
                    emit(.v2Page(folder: input.folder, path: input.displayPath, items: items))
                case .v1Job(let job), .v2Job(let job):
                    emit(.job(job))
                    emit(
                        .input(
                            InputReport(
                                path: input.displayPath, kind: job.api == "v2" ? .circleciV2Job : .circleciV1Job)))
                }
            }
        } catch let error as IngestError {
            emit(.rejected(RejectedInput(path: input.displayPath, message: error.description)))
        } catch {
            emit(.rejected(RejectedInput(path: input.displayPath, message: "cannot read: \(Self.reason(error))")))
        }
    }

    private static func size(of input: InputSource) -> Int {
        guard case .file(let path) = input.location else { return 0 }
        return (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int ?? 0
    }

    private func open(_ input: InputSource) throws -> FileHandle {
        switch input.location {
        case .standardInput:
            return FileHandle.standardInput
        case .file(let path):
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
                throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "it is a folder"])
            }
            guard let handle = FileHandle(forReadingAtPath: path) else {
                let reason = FileManager.default.isReadableFile(atPath: path) ? "cannot open it" : "permission denied"
                throw CocoaError(.fileReadNoPermission, userInfo: [NSLocalizedDescriptionKey: reason])
            }
            return handle
        }
    }

    /// XML or JSON, from the first bytes (after a byte-order mark and whitespace).
    private static func sniff(_ data: Data) -> Sniffed {
        if data.isEmpty { return .empty }
        let bytes = [UInt8](data.prefix(512))
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) { return .xml }
        var index = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
        guard index < bytes.count else { return data.count > bytes.count ? .rejected(.binary) : .empty }
        if bytes.count >= 4, bytes[1] == 0 && bytes[3] == 0 || bytes[0] == 0 && bytes[2] == 0 {
            if bytes[index] == 0x3C || bytes[index] == 0 { return .xml }  // UTF-16 without a byte-order mark
        }
        switch bytes[index] {
        case UInt8(ascii: "<"): return .xml
        case UInt8(ascii: "{"), UInt8(ascii: "["): return .json
        default: break
        }
        let binary = bytes.contains(0) || bytes.filter({ $0 < 0x09 }).count > 2
        if binary { return .rejected(.binary) }
        let start = String(decoding: bytes[index..<min(index + 24, bytes.count)], as: UTF8.self)
        return .rejected(.unknownContent(start: start))
    }

    static func reason(_ error: any Error) -> String {
        (error as NSError).localizedDescription
    }
}
