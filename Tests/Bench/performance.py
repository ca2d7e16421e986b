#!/usr/bin/env python3
"""The README's Performance tables, measured now by the binary given (a release build).

Each row runs `headroom bench` (the simulation's own wall time, requests, events and the process's
peak RSS) or, for the store, `headroom run --db`. Figures that measure this machine rather than
the model are printed with a leading `~` (the README's docs check masks them); request and event
counts are the model's and must not change. Sections (`--section`):

  b1      B1 (scenarios/benchmark-fixed-fleet.yaml) synthetic and replayed from the Python peer's
          dumped trace (Tests/Data/b1, 600 s) in four formats, with rows/s read alone
  scale   the KPA day; the fleet at 1 %, 10 % and 100 % (same traffic per replica); the churn day
          hour by hour; the week of the Azure trace at 1 and 7 days
  store   MB per simulated hour of the KPA day's store with each --store-decisions setting
  sweep   runs/s of scenarios/sweeps/signals.yaml at --jobs 1 and 2, the CPU time per run, and what
          that predicts for a 64-core node

Usage: performance.py --binary .build/release/headroom --section b1
"""
import argparse
import os
import re
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))

SCENARIO = re.compile(r"scenario \S+ \((.+?) simulated\): (\d+) requests, (\d+) events in ([0-9.]+) s wall")
RATES = re.compile(r"([0-9.]+) M requests/s, ([0-9.]+) M events/s, peak RSS ([0-9.]+) MB")
ROWS = re.compile(r"trace read \((\w+)\): (\d+) rows in ([0-9.]+) s, ([0-9.]+) M rows/s")
PROGRESS = re.compile(r"^\s+(\S+–\S+)\s+(\d+)\s+([0-9.]+)\s+([0-9.]+|-)\s+([0-9.]+|-)\s*$")


def bench(binary, scenario, *options):
    """One `headroom bench` run: its printed figures, parsed."""
    command = [binary, "bench", scenario, "--engine-events", "1000", *options]
    out = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{out.stderr}")
    text = out.stdout
    match, rates = SCENARIO.search(text), RATES.search(text)
    result = {"requests": int(match[2]), "events": int(match[3]), "wall": float(match[4]), "rss": float(rates[3]),
              "text": text}
    rows = ROWS.search(text)
    if rows:
        result["rows_per_second"] = float(rows[4]) * 1e6
    return result


def best(binary, scenario, *options, repeat=3):
    """The fastest of `repeat` runs (the machine's noise only ever adds time)."""
    runs = [bench(binary, scenario, *options) for _ in range(repeat)]
    return min(runs, key=lambda r: r["wall"])


def m(x):
    return f"{x / 1e6:.2f} M"


def section_b1(binary):
    synthetic = best(binary, "scenarios/benchmark-fixed-fleet.yaml", repeat=5)
    print("| B1 run | requests | events | wall | requests/s | peak RSS |")
    print("|---|---|---|---|---|---|")
    print(f"| synthetic Poisson, 1 h | {synthetic['requests']:,} | {synthetic['events']:,} | ~{synthetic['wall'] * 1000:.0f} ms "
          f"| ~{m(synthetic['requests'] / synthetic['wall'])} | ~{synthetic['rss']:.0f} MB |")
    print()
    trace = os.path.join(ROOT, "Tests/Data/b1/trace.csv")
    with tempfile.TemporaryDirectory(prefix="headroom-perf-") as tmp:
        subprocess.run([sys.executable, os.path.join(HERE, "trace_formats.py"), trace, tmp], check=True)
        short = best(binary, "scenarios/benchmark-fixed-fleet.yaml", "--duration", "10m", repeat=5)
        print("| B1, 600 s | rows | wall | vs synthetic | rows/s read alone |")
        print("|---|---|---|---|---|")
        print(f"| synthetic Poisson | — | ~{short['wall'] * 1000:.1f} ms | 1× | — |")
        formats = [("peer's CSV (`csv`)", "{file: " + trace + ", format: csv, columns: {time: arrival, prompt: prompt, output: output}}"),
                   ("Azure CSV", os.path.join(tmp, "b1-azure.csv")),
                   ("BurstGPT CSV", os.path.join(tmp, "b1-burstgpt.csv")),
                   ("Mooncake JSON lines", os.path.join(tmp, "b1-mooncake.jsonl"))]
        for name, spec in formats:
            run = best(binary, "scenarios/benchmark-fixed-fleet.yaml", "--duration", "10m", "--trace", spec, repeat=5)
            print(f"| {name} | {run['requests']:,} | ~{run['wall'] * 1000:.1f} ms | ~{run['wall'] / short['wall']:.2f}× "
                  f"| ~{m(run['rows_per_second'])} |")


def fleet_settings(fraction):
    """The fleet scenario's traffic, replica bounds and pools scaled to `fraction` of it."""
    def scaled(value):
        return str(max(1, round(value * fraction)))
    return ["--set", f"workload.arrivals.mean={scaled(20000)}/s", "--set", f"workload.arrivals.amplitude={scaled(6000)}/s",
            "--set", f'policy.annotations["autoscaling.knative.dev/initial-scale"]="{scaled(7000)}"',
            "--set", f'policy.annotations["autoscaling.knative.dev/max-scale"]="{scaled(10000)}"',
            "--set", f"node_pools[0].max_nodes={scaled(1000)}", "--set", f"node_pools[1].max_nodes={scaled(600)}"]


def section_scale(binary):
    print("| run | simulated | requests | events | wall | µs/request | peak RSS |")
    print("|---|---|---|---|---|---|---|")

    def row(name, run, simulated):
        print(f"| {name} | {simulated} | {run['requests']:,} | {run['events']:,} | ~{run['wall']:.2f} s "
              f"| ~{run['wall'] / run['requests'] * 1e6:.2f} | ~{run['rss']:.0f} MB |")

    row("the KPA day (0–200 replicas)", best(binary, "scenarios/benchmark-day-kpa.yaml", repeat=2), "24 h")
    for fraction, name in [(0.01, "fleet, 1 % (≤ 100 replicas)"), (0.1, "fleet, 10 % (≤ 1,000 replicas)"),
                           (1.0, "fleet (≤ 10,000 replicas)")]:
        row(name, best(binary, "scenarios/benchmark-fleet.yaml", *fleet_settings(fraction), repeat=1 if fraction == 1 else 2), "1 h")
    # A run keeps what its store would: every decision (`all`, the default) grows with the duration;
    # `--store-decisions none` shows the simulation's own memory. The better of two runs: one
    # alone moved by a fifth between two `make docs` of the same binary.
    for decisions in ["all", "none"]:
        for duration in ["24h", "168h"]:
            row(f"Azure trace ×20, looped, decisions `{decisions}`",
                best(binary, "scenarios/benchmark-week-azure.yaml", "--duration", duration, "--store-decisions", decisions, repeat=2),
                "1 day" if duration == "24h" else "7 days")
    # Two runs of the churn day: each hour's µs/request is the better of the two (one run's hour is
    # a third of a second, where the machine's noise alone moves it by a fifth).
    churns = [bench(binary, "scenarios/benchmark-churn.yaml", "--progress") for _ in range(2)]
    churn = churns[0]
    fastest = {}
    for run in churns:
        for h in (PROGRESS.match(line) for line in run["text"].splitlines()):
            if h and h[4] != "-":
                fastest[h[1]] = min(fastest.get(h[1], float("inf")), float(h[4]))
    # The same day keeping no decision log and a 1-minute series: the simulation's own memory.
    thin = bench(binary, "scenarios/benchmark-churn.yaml", "--progress", "--store-decisions", "none", "--series-interval", "1m")
    hours = [h for h in (PROGRESS.match(line) for line in churn["text"].splitlines()) if h]
    thin_rss = {h[1]: h[5] for h in (PROGRESS.match(line) for line in thin["text"].splitlines()) if h}
    if hours:
        print()
        print("The churn day (`scenarios/benchmark-churn.yaml`, 0 ↔ 1,000 replicas every 20 minutes), every third hour; "
              "µs/request the better of two runs; RSS keeping every decision (the default) and keeping none with a "
              "1-minute series:")
        print()
        print("| simulated hour | requests | µs/request | RSS | RSS, decisions `none` |")
        print("|---|---|---|---|---|")
        shown = hours[::3] + ([hours[-1]] if (len(hours) - 1) % 3 else [])
        for h in shown:
            speed = f"~{fastest[h[1]]:.3f}" if h[1] in fastest else "-"
            print(f"| {h[1]} | {int(h[2]):,} | {speed} | ~{h[5]} MB | ~{thin_rss.get(h[1], '-')} MB |")


def section_store(binary):
    print("| `--store-decisions` | decision rows | store | per simulated hour |")
    print("|---|---|---|---|")
    with tempfile.TemporaryDirectory(prefix="headroom-perf-") as tmp:
        for mode in ["all", "changes", "none"]:
            db = os.path.join(tmp, f"{mode}.sqlite")
            subprocess.run([binary, "run", "scenarios/benchmark-day-kpa.yaml", "--db", db, "--store-decisions", mode],
                           cwd=ROOT, check=True, capture_output=True)
            with sqlite3.connect(db) as connection:
                rows = connection.execute("select count(*) from decisions").fetchone()[0]
            size = os.path.getsize(db) / 1e6
            # File sizes depend on SQLite's page allocation, so they are marked as measured too.
            print(f"| `{mode}` | {rows:,} | ~{size:.1f} MB | ~{size / 24:.3f} MB |")


def section_sweep(binary):
    """Runs per second of one sweep at 1 and 2 jobs, with the machine's cores and load, and the CPU
    time each run took (getrusage of the child), from which a 64-core node's rate follows."""
    sweep = "scenarios/sweeps/signals.yaml"
    print("| `--jobs` | runs | wall | runs/s | CPU per run |")
    print("|---|---|---|---|---|")
    per_run = []
    with tempfile.TemporaryDirectory(prefix="headroom-perf-") as tmp:
        for jobs in [1, 2]:
            db = os.path.join(tmp, f"jobs-{jobs}.sqlite")
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.monotonic()
            subprocess.run([binary, "sweep", sweep, "--jobs", str(jobs), "--db", db], cwd=ROOT, check=True, capture_output=True)
            wall = time.monotonic() - start
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            with sqlite3.connect(db) as connection:
                runs = connection.execute("select count(*) from runs").fetchone()[0]
            per_run.append(cpu / runs)
            print(f"| {jobs} | {runs} | ~{wall:.2f} s | ~{runs / wall:.1f} | ~{cpu / runs * 1000:.0f} ms |")
    cpu_per_run = min(per_run)
    load = os.getloadavg()[0]
    print()
    print(f"Measured on ~{os.cpu_count()} cores (load average ~{load:.1f} when it ran). At ~{cpu_per_run * 1000:.0f} ms of "
          f"CPU per run, 64 cores would run ~{64 / cpu_per_run:.0f} runs/s.")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", default=".build/release/headroom")
    parser.add_argument("--section", choices=["b1", "scale", "store", "sweep"], required=True)
    args = parser.parse_args()
    binary = os.path.abspath(os.path.join(ROOT, args.binary)) if not os.path.isabs(args.binary) else args.binary
    {"b1": section_b1, "scale": section_scale, "store": section_store, "sweep": section_sweep}[args.section](binary)


if __name__ == "__main__":
    main()
