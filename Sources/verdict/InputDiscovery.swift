import Foundation
import VerdictCore

/// One input to read: a file (found directly, in a folder, or by a pattern) or standard input.
struct InputSource: Hashable {
    enum Location: Hashable {
        case file(String)
        case standardInput
    }

    var location: Location
    /// As shown in reports and messages.
    var displayPath: String
    /// CircleCI's rule: the first folder below the folder given; a file given directly takes its
    /// parent folder's name.
    var source: String
    /// The folder the file sits in, used to join v2 `/tests` pages of one job.
    var folder: String
}

/// A problem found while looking for inputs; the other inputs are still read.
struct DiscoveryProblem: Error, CustomStringConvertible {
    var path: String
    var message: String
    /// False for what is only worth a warning (a broken link found inside a folder).
    var isError = true
    var description: String { "\(path): \(message)" }
}

/// Finds inputs: files, folders (recursively: `*.xml` and `*.json`, hidden folders skipped),
/// shell-style patterns and `-` for standard input.
struct InputDiscovery {
    private let fileManager = FileManager.default

    func discover(_ arguments: [String]) -> (inputs: [InputSource], problems: [DiscoveryProblem]) {
        var inputs: [InputSource] = []
        var problems: [DiscoveryProblem] = []
        var seen: Set<String> = []
        func add(_ input: InputSource) {
            if case .file(let path) = input.location {
                let key = URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
                guard seen.insert(key).inserted else { return }
            }
            inputs.append(input)
        }
        for argument in arguments {
            if argument == "-" {
                add(InputSource(location: .standardInput, displayPath: "<stdin>", source: "unknown", folder: "<stdin>"))
                continue
            }
            var isDirectory: ObjCBool = false
            if fileManager.fileExists(atPath: argument, isDirectory: &isDirectory) {
                if isDirectory.boolValue {
                    let (found, walkProblems) = walk(argument, pattern: nil)
                    found.forEach(add)
                    problems += walkProblems
                } else {
                    let parent = URL(fileURLWithPath: argument).standardizedFileURL.deletingLastPathComponent()
                    add(
                        InputSource(
                            location: .file(argument), displayPath: argument, source: parent.lastPathComponent,
                            folder: parent.path))
                }
            } else if GlobPattern.isPattern(argument) {
                let pattern = GlobPattern(argument)
                let (found, walkProblems) = walk(pattern.baseDirectory, pattern: pattern)
                if found.isEmpty && walkProblems.isEmpty {
                    problems.append(DiscoveryProblem(path: argument, message: "the pattern matches no file"))
                }
                found.forEach(add)
                problems += walkProblems
            } else if (try? fileManager.destinationOfSymbolicLink(atPath: argument)) != nil {
                problems.append(DiscoveryProblem(path: argument, message: "broken symbolic link"))
            } else {
                problems.append(DiscoveryProblem(path: argument, message: "no such file or folder"))
            }
        }
        return (inputs, problems)
    }

    /// Every matching file below `root`, sorted; symbolic links to folders are not followed (no loops).
    private func walk(_ root: String, pattern: GlobPattern?) -> ([InputSource], [DiscoveryProblem]) {
        var found: [InputSource] = []
        var problems: [DiscoveryProblem] = []
        let rootName = URL(fileURLWithPath: root).standardizedFileURL.lastPathComponent

        func visit(_ relative: String) {
            let path = relative.isEmpty ? root : (root == "/" ? "/" : root + "/") + relative
            let entries: [String]
            do {
                entries = try fileManager.contentsOfDirectory(atPath: path).sorted()
            } catch {
                problems.append(DiscoveryProblem(path: path, message: "cannot list the folder (\(Self.reason(error)))"))
                return
            }
            for name in entries {
                let childRelative = relative.isEmpty ? name : relative + "/" + name
                let childPath = (path.hasSuffix("/") ? path : path + "/") + name
                guard let attributes = try? fileManager.attributesOfItem(atPath: childPath),
                    let type = attributes[.type] as? FileAttributeType
                else { continue }
                var resolvedType = type
                if type == .typeSymbolicLink {
                    var isDirectory: ObjCBool = false
                    guard fileManager.fileExists(atPath: childPath, isDirectory: &isDirectory) else {
                        if pattern?.matches(relativePath: childRelative) ?? Self.hasInputExtension(name) {
                            problems.append(
                                DiscoveryProblem(
                                    path: childPath, message: "broken symbolic link, skipped", isError: false))
                        }
                        continue
                    }
                    if isDirectory.boolValue { continue }  // never follow links to folders: no loops
                    resolvedType = .typeRegular
                }
                if resolvedType == .typeDirectory {
                    if !name.hasPrefix(".") { visit(childRelative) }
                } else if resolvedType == .typeRegular {
                    let wanted = pattern.map { $0.matches(relativePath: childRelative) } ?? Self.hasInputExtension(name)
                    guard wanted else { continue }
                    let components = childRelative.split(separator: "/")
                    let source = components.count > 1 ? String(components[0]) : rootName
                    found.append(
                        InputSource(
                            location: .file(childPath), displayPath: childPath, source: source,
                            folder: URL(fileURLWithPath: childPath).deletingLastPathComponent().path))
                }
            }
        }
        visit("")
        return (found, problems)
    }

    static func hasInputExtension(_ name: String) -> Bool {
        let lower = name.lowercased()
        return lower.hasSuffix(".xml") || lower.hasSuffix(".json")
    }

    static func reason(_ error: any Error) -> String {
        if let posix = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError {
            return posix.localizedDescription
        }
        return (error as NSError).localizedDescription
    }
}
