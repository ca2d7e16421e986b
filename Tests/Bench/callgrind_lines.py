#!/usr/bin/env python3
"""Where a function's instructions come from, by source line, from a callgrind profile.

`make profile` names the functions; in a release build most of the work is inlined into a few
of them (`afterEngineStep`, `planIteration`), so this maps each instruction back to source with
`addr2line -i`. Valgrind cannot read Swift 6.3's debug info and a link-time-optimized binary
maps every instruction to `ld-temp.o`, so profile a release build without LTO, stripped, and
give this script the unstripped binary (the addresses are the same):

    swift build -c release --static-swift-stdlib --scratch-path /tmp/nolto
    strip -g -o /tmp/headroom-stripped /tmp/nolto/release/headroom
    valgrind --tool=callgrind --dump-instr=yes --callgrind-out-file=/tmp/cg.out \\
        /tmp/headroom-stripped run scenarios/benchmark-day-kpa.yaml --no-store --duration 2h
    callgrind_lines.py outer /tmp/cg.out /tmp/nolto/release/headroom afterEngineStep

Commands (FUNCTION and CALLEE match a substring of the mangled name):
  calls OUT                          calls made to each function, most first
  lines OUT BINARY FUNCTION          FUNCTION's own instructions by innermost source line
  outer OUT BINARY FUNCTION          ... by the outermost inlined frame's line (the line of the
                                     function's own file that the instruction was inlined from)
  callsites OUT BINARY CALLEE [N]    calls to CALLEE by call site, as chains of N inlined frames
"""
import collections
import os
import re
import subprocess
import sys

FUNCTION = re.compile(r"^(fn|cfn)=\((\d+)\)(?: (.*))?$")
COST = re.compile(r"^(0x[0-9a-f]+|[+-]\d+|\*)\s+\S+\s+(\d+)$")
POSITION = re.compile(r"^(0x[0-9a-f]+|[+-]\d+|\*)\s")


def read_profile(path, function=None, callee=None):
    """Self cost per instruction address of `function`, or calls per call-site address of
    `callee`, or (neither) calls per callee name."""
    names, by_address, calls = {}, collections.Counter(), collections.Counter()
    current = callee_name = ""
    position, pending = 0, None
    with open(path) as profile:
        for line in profile:
            line = line.rstrip("\n")
            match = FUNCTION.match(line)
            if match:
                kind, number, name = match.groups()
                if name:
                    names[number] = name
                if kind == "fn":
                    current = names.get(number, "")
                else:
                    callee_name = names.get(number, "")
                continue
            if line.startswith("calls="):
                pending = int(line.split()[0][6:])
                continue
            match = POSITION.match(line)
            if not match:
                continue
            place = match.group(1)
            if place.startswith("0x"):
                position = int(place, 16)
            elif place != "*":
                position += int(place)
            if pending is not None:
                # The line after `calls=` is the call's cost (inclusive), not the caller's own.
                if callee is not None and callee in callee_name:
                    by_address[position] += pending
                calls[callee_name] += pending
                pending = None
                continue
            cost = COST.match(line)
            if cost and function is not None and function in current:
                by_address[position] += int(cost.group(2))
    return by_address if (function or callee) else calls


def inline_chains(binary, addresses):
    """Each address's inlined frames, innermost first, as `file:line`."""
    chains = {}
    addresses = sorted(addresses)
    for start in range(0, len(addresses), 500):
        chunk = addresses[start:start + 500]
        output = subprocess.run(["addr2line", "-i", "-a", "-e", binary] + ["%x" % a for a in chunk],
                                capture_output=True, text=True, check=True).stdout
        address = None
        for line in output.split("\n"):
            if line.startswith("0x"):
                address = int(line, 16)
                chains[address] = []
            elif line and address is not None:
                chains[address].append(line.split("/")[-1].split(" (")[0])
    return chains


def known(frames):
    return [f for f in frames if not f.startswith("<compiler") and not f.endswith(":?")]


def print_table(counter, unit):
    total = sum(counter.values())
    print(f"total {total:,} {unit}")
    for key, value in counter.most_common(int(os.environ.get("TOP", "30"))):
        print(f"{value:14,} {100 * value / max(total, 1):5.1f}%  {key}")


def main():
    args = sys.argv[1:]
    if not args or args[0] not in ("calls", "lines", "outer", "callsites"):
        sys.exit(__doc__)
    command = args[0]
    if command == "calls" and len(args) == 2:
        print_table(read_profile(args[1]), "calls")
    elif command in ("lines", "outer") and len(args) == 4:
        cost = read_profile(args[1], function=args[3])
        chains = inline_chains(args[2], cost)
        by_line = collections.Counter()
        for address, value in cost.items():
            frames = chains.get(address, [])
            good = known(frames)
            if command == "lines":
                by_line[frames[0] if frames else "?"] += value
            else:
                by_line[good[-1] if good else (frames[-1] if frames else "?")] += value
        print_table(by_line, "instructions")
    elif command == "callsites" and len(args) in (4, 5):
        depth = int(args[4]) if len(args) == 5 else 3
        sites = read_profile(args[1], callee=args[3])
        chains = inline_chains(args[2], sites)
        by_chain = collections.Counter()
        for address, value in sites.items():
            by_chain[" < ".join(known(chains.get(address, []))[:depth]) or "?"] += value
        print_table(by_chain, "calls")
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
