import ArgumentParser
import Foundation
import VerdictCore

@main
struct VerdictCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verdict",
        abstract: "Test-result analytics and reports from JUnit XML and CircleCI test metadata.",
        discussion: "Example:\n  verdict report test-results --html report.html --markdown report.md --fail-on failed",
        version: Verdict.version,
        subcommands: [
            ReportCommand.self, CompareCommand.self, HistoryCommand.self, FlakyCommand.self, SlowestCommand.self,
            TrendsCommand.self, SplitCommand.self, FetchCommand.self, JobCommand.self, PipelineCommand.self,
        ]
    )

    /// Like ArgumentParser's `main()`, but usage errors exit 2 (as documented), not 64.
    static func main() async {
        do {
            let arguments = EnvironmentDefaults.apply(
                Array(CommandLine.arguments.dropFirst()), environment: ProcessInfo.processInfo.environment)
            var command = try parseAsRoot(arguments)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            if code.rawValue == 64 {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(ExitStatus.inputOrUsage)
            }
            exit(withError: error)
        }
    }
}

/// Exit codes, as documented in README.md.
enum ExitStatus {
    static let ok: Int32 = 0
    static let failOnTriggered: Int32 = 1
    static let inputOrUsage: Int32 = 2
    static let apiFailure: Int32 = 3
}
