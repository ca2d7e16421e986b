#!/usr/bin/env python3
"""Every figure and output block the README quotes, printed by the current binary.

The README marks what it quotes with HTML comments, which Markdown does not render:

    <!-- docs: COMMAND -->            a fenced block: the command's stdout, verbatim
    ```text
    ...
    ```
    <!-- /docs -->

    <!-- docs:table COMMAND -->       the command's stdout inserted as Markdown (a table)
    ...
    <!-- /docs -->

    text <!--docs: COMMAND-->25 s<!--/docs--> text     an inline figure: stdout, stripped

    <!-- docs:setup COMMAND -->       run for its side effects (a sweep into $DOCS_TMP); no output

    <!-- docs:slow COMMAND -->        like `table`, but minutes of benchmarks: `--write` runs it,
    ...                                `--check` keeps the committed text (make docs, make bench)
    <!-- /docs -->

Commands run with bash in the repository root, in document order, with `headroom` (the binary
given) and `figure` (this folder's JSON picker) first on PATH and $DOCS_TMP a fresh directory. A
command that fails stops everything with its stderr. Wall-clock times, which differ run to run,
are masked before comparing (MASKS below).

    readme_figures.py --binary .build/release/headroom --write README.md   # make docs
    readme_figures.py --binary .build/release/headroom --check README.md   # make test
"""
import argparse
import difflib
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))

BLOCK_START = re.compile(r"^<!-- docs:(?:(table|setup|slow) )? ?(.+?) -->\s*$")
BLOCK_END = "<!-- /docs -->"
INLINE = re.compile(r"<!--docs: (.+?)-->(.*?)<!--/docs-->")

# Figures that measure this machine, not the model: the same binary prints other values each run.
MASKS = [
    (re.compile(r"simulated in [0-9.,]+ (?:ms|s)"), "simulated in <wall time>"),
    (re.compile(r"[0-9.,]+ runs/s"), "<runs/s>"),
    (re.compile(r"in [0-9.,]+ (?:ms|s) \([0-9.,]+ runs/s\)"), "in <wall time>"),
    # Tests/Bench/performance.py marks every wall-clock and memory figure with a leading `~`.
    (re.compile(r"~[0-9.,]+"), "~<measured>"),
]


def mask(text):
    for pattern, replacement in MASKS:
        text = pattern.sub(replacement, text)
    return text


class Runner:
    """Runs the README's commands once each (identical commands share one run)."""

    def __init__(self, binary, root):
        self.root = root
        self.tmp = tempfile.mkdtemp(prefix="headroom-docs-")
        bindir = os.path.join(self.tmp, "bin")
        os.mkdir(bindir)
        os.symlink(os.path.abspath(binary), os.path.join(bindir, "headroom"))
        os.symlink(os.path.join(HERE, "figure.py"), os.path.join(bindir, "figure"))
        self.env = dict(os.environ, PATH=bindir + os.pathsep + os.environ.get("PATH", ""),
                        DOCS_TMP=self.tmp, NO_COLOR="1", COLUMNS="100")
        self.env.pop("HEADROOM_DB", None)
        self.cache = {}

    def __call__(self, command, where):
        if command in self.cache:
            return self.cache[command]
        done = subprocess.run(["bash", "-o", "pipefail", "-c", command], cwd=self.root, env=self.env,
                              stdin=subprocess.DEVNULL, capture_output=True, text=True)
        if done.returncode != 0:
            sys.exit(f"{where}: `{command}` exited {done.returncode}:\n{done.stderr.strip()}")
        self.cache[command] = done.stdout
        return done.stdout


def render(lines, run, path, slow=True):
    """The README with every marked block and figure replaced by what its command prints now
    (`slow` blocks kept as they are unless `slow`)."""
    out, i = [], 0
    while i < len(lines):
        line = lines[i]
        where = f"{path}:{i + 1}"
        start = BLOCK_START.match(line)
        if start:
            kind, command = start.group(1), start.group(2)
            end = next((j for j in range(i + 1, len(lines)) if lines[j].strip() == BLOCK_END), None)
            if kind == "setup":
                run(command, where)
                out.append(line)
                i += 1
                continue
            if end is None:
                sys.exit(f"{where}: `{line.strip()}` has no `{BLOCK_END}` after it")
            if kind == "slow" and not slow:
                print(f"{where}: kept as committed (a slow block; `make docs` regenerates it)", file=sys.stderr)
                out.extend(lines[i:end + 1])
                i = end + 1
                continue
            text = run(command, where).rstrip("\n")
            out.append(line)
            if kind in ("table", "slow"):
                out.extend(text.split("\n"))
            else:
                fence = lines[i + 1].strip() if lines[i + 1].startswith("```") else "```"
                out.append(fence)
                out.extend(text.split("\n"))
                out.append("```")
            out.append(lines[end])
            i = end + 1
            continue
        out.append(INLINE.sub(lambda m: m.group(0).replace(
            f"-->{m.group(2)}<!--", f"-->{run(m.group(1), where).strip()}<!--", 1), line))
        i += 1
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--binary", required=True, help="the headroom binary whose output is quoted")
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", action="store_true", help="rewrite the marked blocks in place")
    mode.add_argument("--check", action="store_true", help="fail when a marked block differs")
    parser.add_argument("readme")
    args = parser.parse_args()
    if not os.access(args.binary, os.X_OK):
        sys.exit(f"{args.binary}: no such binary; build it first (make release)")
    with open(args.readme, encoding="utf-8") as f:
        lines = f.read().split("\n")
    root = os.path.dirname(os.path.abspath(args.readme))
    runner = Runner(args.binary, root)
    try:
        rendered = render(lines, runner, args.readme, slow=args.write)
    finally:
        shutil.rmtree(runner.tmp, ignore_errors=True)  # $DOCS_TMP: what the commands wrote
    if args.write:
        with open(args.readme, "w", encoding="utf-8") as f:
            f.write("\n".join(rendered))
        print(f"{args.readme}: every marked block regenerated")
        return
    old, new = [mask(l) for l in lines], [mask(l) for l in rendered]
    if old != new:
        diff = difflib.unified_diff(old, new, f"{args.readme} (as committed)", f"{args.readme} (printed now)",
                                    lineterm="", n=2)
        print("\n".join(diff))
        sys.exit(f"{args.readme}: quoted output differs from what {args.binary} prints; "
                 "run `make docs`, then re-read the prose around each changed figure")
    marks = sum(1 for l in lines if BLOCK_START.match(l)) + sum(len(INLINE.findall(l)) for l in lines)
    print(f"{args.readme}: {marks} quoted blocks and figures match the binary")


if __name__ == "__main__":
    main()
