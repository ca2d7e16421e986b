#!/usr/bin/env python3
"""Compares two headroom binaries' CPU time on one run, in interleaved pairs.

On a shared or virtual machine wall time drifts by 10-30 % over minutes, more than most changes
move it; runs of the two binaries taken in turn (A B, B A, A B, ...) see the same drift, so the
ratio within a pair is steadier than either run. Each run's time is its user + system CPU
seconds (`wait4`), not wall time. Prints both binaries' figures, how many pairs B won, and the
median of the pairs' B/A ratios (the figure the closing notes report).

Usage: cpu_pairs.py PAIRS SCENARIO BINARY_A BINARY_B [run arguments...]
e.g.   cpu_pairs.py 8 scenarios/benchmark-day-kpa.yaml old/headroom .build/release/headroom --duration 6h
"""
import os
import statistics
import subprocess
import sys


def cpu_seconds(binary, scenario, extra):
    process = subprocess.Popen([binary, "run", scenario, "--no-store", *extra], stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    if status != 0:
        sys.exit(f"{binary} run {scenario} failed (status {status})")
    return usage.ru_utime + usage.ru_stime


def main():
    if len(sys.argv) < 5:
        sys.exit(__doc__.strip().split("\n\n")[-1])
    pairs, scenario, a, b, extra = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:]
    times_a, times_b = [], []
    for pair in range(pairs):
        first, second = ((a, times_a), (b, times_b)) if pair % 2 == 0 else ((b, times_b), (a, times_a))
        first[1].append(cpu_seconds(first[0], scenario, extra))
        second[1].append(cpu_seconds(second[0], scenario, extra))
    ratios = [y / x for x, y in zip(times_a, times_b)]
    wins = sum(1 for ratio in ratios if ratio < 1)
    for name, times in (("A", times_a), ("B", times_b)):
        print(f"{name} {a if name == 'A' else b}: median {statistics.median(times):.3f} s, "
              f"min {min(times):.3f}, mean {statistics.mean(times):.3f}")
    print(f"B faster in {wins} of {pairs} pairs; median B/A ratio {statistics.median(ratios):.3f}")


if __name__ == "__main__":
    main()
