import ArgumentParser
import VerdictCore

@main
struct VerdictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verdict",
        abstract: "Test-result analytics and reports from JUnit XML and CircleCI test metadata.",
        version: Verdict.version,
        subcommands: [ReportCommand.self]
    )
}

/// Exit codes, as documented in README.md.
enum ExitStatus {
    static let ok: Int32 = 0
    static let failOnTriggered: Int32 = 1
    static let inputOrUsage: Int32 = 2
}
