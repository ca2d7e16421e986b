import ArgumentParser

/// The `headroom` command: simulate autoscaling for LLM inference before paying for GPUs.
@main
struct Headroom: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "headroom",
        abstract: "Simulate how LLM inference scales: latency, drops and GPU cost of a scenario.",
        discussion: """
            Exit codes: 0 success; 1 bad input (the message names the file, line and key); 64 bad usage (an unknown flag or a malformed value).
            """,
        subcommands: [Run.self, Sweep.self, Compare.self, Runs.self, Report.self, Export.self, Merge.self, Trace.self, Policy.self, Calibrate.self, Profile.self, ValidateProfile.self, Bench.self]
    )
}
