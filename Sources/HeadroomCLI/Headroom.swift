import ArgumentParser
import HeadroomCPUHints
import HeadroomStore

/// The `headroom` command: simulate autoscaling for LLM inference before paying for GPUs.
@main
struct Headroom: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "headroom",
        abstract: "Simulate how LLM inference scales: latency, drops and GPU cost of a scenario.",
        discussion: """
            Exit codes:
              0    success
              1    bad input or a failed step: the message names the file, line and key (a scenario), the run id, or the path
              64   bad usage: an unknown flag, a missing argument or a malformed value
              130  a sweep stopped by Ctrl-C (the runs finished so far are stored; --resume continues it)

            Colour only on a terminal (never in a pipe, with --json, or when NO_COLOR is set).
            Shell completion: `make completions` installs bash, zsh and fish scripts; or
              headroom --generate-completion-script bash > /etc/bash_completion.d/headroom

            Example:
              headroom run scenarios/quickstart.yaml
              headroom sweep scenarios/sweeps/signals.yaml --jobs 2 && headroom report --sweep signals -o signals.html
            """,
        // The version the store records with every run (`headroom_version`).
        version: RunStore.headroomVersion,
        subcommands: [Run.self, Sweep.self, Tune.self, Compare.self, Runs.self, Report.self, Export.self, Merge.self, Trace.self, Policy.self, Calibrate.self, Profile.self, ValidateProfile.self, Bench.self]
    )

    /// The commands that simulate: their memory goes in huge pages where the kernel gives them
    /// only on request (`headroom_reexecute_with_huge_pages`; `HEADROOM_HUGE_PAGES=0` turns it off).
    /// The full fleet's first minutes ~4–6 % less CPU, its hour within noise; the KPA day and B1
    /// unchanged (`Tests/Bench/cpu_pairs.py`).
    static let simulatingCommands: Set<String> = ["run", "sweep", "tune", "bench"]

    /// Called first by `main`: may replace the process with the same command, started again.
    static func useHugePagesIfSimulating() {
        if CommandLine.arguments.count > 1 && simulatingCommands.contains(CommandLine.arguments[1]) {
            headroom_reexecute_with_huge_pages(CommandLine.unsafeArgv)
        }
    }
}
