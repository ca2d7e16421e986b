#!/usr/bin/env python3
"""`make bench`: B1 (scenarios/benchmark-fixed-fleet.yaml, 1 h) in Headroom beside its reference
Python peer (b1_heapq.py, B1.md's default case), same machine, same minute.

Both run as whole processes, timed here (wall, CPU and peak RSS from wait4), so start-up, loading
and the summary count on both sides (CPU time is the steadier figure on a shared machine); the inner figures are Headroom's own simulation wall (`headroom
bench`) and the peer's event loop (`sim_wall_s`). Headroom: best of --repeat runs; the peer: one
run (it takes seconds). Skipped, saying why, without python3's numpy or the peer's files.

With --markdown, a table for the README (`make docs`), machine figures marked `~`.

Usage: b1_vs_peer.py --binary .build/release/headroom --peers ../shared/peers [--markdown]
"""
import argparse
import json
import os
import re
import sys
import time


def timed_rss(command):
    """Stdout, wall seconds, CPU seconds (user + system) and peak RSS (MB) of one run (fork + wait4)."""
    read, write = os.pipe()
    started = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        os.dup2(write, 1)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        try:
            os.execvp(command[0], command)
        finally:
            os._exit(127)
    os.close(write)
    chunks = []
    with os.fdopen(read) as pipe:
        chunks.append(pipe.read())
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{' '.join(command)} exited with {os.waitstatus_to_exitcode(status)}")
    return "".join(chunks), wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", default=".build/release/headroom")
    parser.add_argument("--peers", default="../shared/peers")
    parser.add_argument("--scenario", default="scenarios/benchmark-fixed-fleet.yaml")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--markdown", action="store_true", help="a table for the README")
    args = parser.parse_args()

    peer = os.path.join(args.peers, "b1_heapq.py")
    if not os.path.exists(peer):
        print(f"B1 vs the Python peer: skipped (no {peer}; set PEERS=folder with b1_heapq.py and b1_common.py)")
        return
    try:
        import numpy  # noqa: F401  (the peer's one dependency)
    except ImportError:
        print("B1 vs the Python peer: skipped (python3 has no numpy: python3 -m pip install numpy)")
        return

    ours = []
    for _ in range(args.repeat):
        out, wall, cpu, rss = timed_rss([args.binary, "bench", args.scenario, "--duration", "1h", "--engine-events", "1000"])
        match = re.search(r": (\d+) requests, \d+ events in ([0-9.]+) s wall", out)
        if not match:
            sys.exit(f"cannot read `headroom bench`'s output:\n{out}")
        ours.append((wall, float(match.group(2)), cpu, rss, int(match.group(1))))
    # Each figure's best (least disturbed) over the runs; RSS and requests do not vary.
    wall, inner, cpu, rss, requests = (min(run[k] for run in ours) for k in range(5))

    out, peer_wall, peer_cpu, peer_rss = timed_rss([sys.executable, peer, "--duration", "3600", "--json"])
    result = json.loads(out)
    if args.markdown:
        print(f"| B1, 1 h | process wall | CPU | simulation alone | peak RSS | requests |")
        print("|---|---|---|---|---|---|")
        print(f"| Headroom, best of {args.repeat} | ~{wall * 1000:.0f} ms | ~{cpu * 1000:.0f} ms | ~{inner * 1000:.0f} ms "
              f"| ~{rss:.0f} MB | {requests:,} |")
        print(f"| Python peer (`b1_heapq.py`), one run | ~{peer_wall:.2f} s | ~{peer_cpu:.2f} s "
              f"| ~{result['sim_wall_s']:.2f} s (event loop) | ~{peer_rss:.0f} MB | {result['requests']:,} |")
        print(f"| Headroom is faster by | ~{peer_wall / wall:.0f}× | ~{peer_cpu / cpu:.0f}× "
              f"| ~{result['sim_wall_s'] / inner:.0f}× | | |")
        return
    print(f"B1 against the Python peer ({peer}; 1 h at 50 req/s on 16 warm replicas):")
    print(f"  {'':10}{'wall':>10}{'CPU':>10}{'inner':>10}{'peak RSS':>11}{'requests':>10}")
    print(f"  {'headroom':10}{wall:>9.3f}s{cpu:>9.3f}s{inner:>9.3f}s{rss:>8.1f} MB{requests:>10,}"
          f"   best of {args.repeat}; inner: the simulation")
    print(f"  {'peer':10}{peer_wall:>9.3f}s{peer_cpu:>9.3f}s{result['sim_wall_s']:>9.3f}s{peer_rss:>8.1f} MB{result['requests']:>10,}"
          f"   one run; inner: the event loop")
    print(f"  headroom is {peer_wall / wall:.1f}× faster in process wall time, {peer_cpu / cpu:.1f}× in CPU time, "
          f"{result['sim_wall_s'] / inner:.1f}× inner")


if __name__ == "__main__":
    main()
