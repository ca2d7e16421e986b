#!/usr/bin/env python3
"""Picks one figure out of Headroom's --json output on stdin, for the README's inline figures.

    figure summary.ttft.p90 --format .0f --suffix " s"
    figure summary.slo.both --scale 100 --format .0f --suffix " %"
    figure summary.requests.arrived --format ,     # 59,101

A path is dot-separated keys (list items by index); a missing key is an error naming it.
"""
import argparse
import json
import sys

parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
parser.add_argument("path")
parser.add_argument("--scale", type=float, default=None, help="multiply by this first")
parser.add_argument("--format", default="", help="a Python format spec, e.g. ',.1f'")
parser.add_argument("--suffix", default="")
args = parser.parse_args()

value = json.load(sys.stdin)
for key in args.path.split("."):
    try:
        value = value[int(key)] if isinstance(value, list) else value[key]
    except (KeyError, IndexError, ValueError):
        sys.exit(f"figure: no `{key}` in `{args.path}`")
if args.scale is not None:
    value = value * args.scale
print(format(value, args.format) + args.suffix)
