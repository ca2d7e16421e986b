#!/usr/bin/env python3
"""The README check itself: it passes on what it wrote, fails on a drifted block or figure, masks
wall-clock times, and names the command that failed. A stand-in `headroom` (a shell script) keeps
it fast and independent of the simulator."""
import os
import stat
import subprocess
import sys
import tempfile
import unittest

TOOL = os.path.join(os.path.dirname(os.path.abspath(__file__)), "readme_figures.py")

FAKE = """#!/bin/sh
case "$1" in
  run) echo "demo — seed 1, 1h simulated in $(date +%N | cut -c1-2).0 s"; echo "arrived ${ARRIVED:-100}";;
  json) echo '{"summary": {"arrived": '${ARRIVED:-100}'}}';;
  fail) echo "no such scenario" >&2; exit 1;;
  bench) echo "| run | wall |"; echo "| demo | ~$(date +%N | cut -c1-3) ms |"; echo "| requests | ${ARRIVED:-100} |";;
esac
"""

README = """# Demo
<!-- docs: headroom run -->
```
```
<!-- /docs -->
<!-- docs:setup headroom json > $DOCS_TMP/d.json -->
It saw <!--docs: figure summary.arrived --format , < $DOCS_TMP/d.json-->0<!--/docs--> requests.
<!-- docs:slow headroom bench -->
<!-- /docs -->
"""


class ReadmeFiguresTests(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp()
        self.binary = os.path.join(self.dir, "headroom")
        with open(self.binary, "w") as f:
            f.write(FAKE)
        os.chmod(self.binary, stat.S_IRWXU)
        self.readme = os.path.join(self.dir, "README.md")
        with open(self.readme, "w") as f:
            f.write(README)

    def tool(self, mode, arrived="100"):
        return subprocess.run([sys.executable, TOOL, "--binary", self.binary, mode, self.readme],
                              capture_output=True, text=True, env=dict(os.environ, ARRIVED=arrived))

    def test_write_then_check_passes_and_fills_blocks_and_figures(self):
        self.assertEqual(self.tool("--write").returncode, 0)
        text = open(self.readme).read()
        self.assertIn("arrived 100\n```", text)
        self.assertIn("-->100<!--/docs--> requests", text)
        checked = self.tool("--check")
        self.assertEqual(checked.returncode, 0, checked.stdout + checked.stderr)

    def test_slow_blocks_are_written_by_write_and_kept_by_check(self):
        self.tool("--write")
        self.assertIn("| requests | 100 |", open(self.readme).read())
        # The check does not rerun them: a different count is not noticed, and it says so.
        checked = self.tool("--check", arrived="100")
        self.assertEqual(checked.returncode, 0, checked.stdout + checked.stderr)
        self.assertIn("kept as committed", checked.stderr)

    def test_measured_figures_marked_with_a_tilde_are_masked(self):
        self.tool("--write")
        text = open(self.readme).read()
        self.assertRegex(text, r"\| demo \| ~[0-9]+ ms \|")
        with open(self.readme, "w") as f:
            f.write(text.replace("<!-- docs:slow headroom bench -->", "<!-- docs:table headroom bench -->"))
        self.tool("--write")
        checked = self.tool("--check")
        self.assertEqual(checked.returncode, 0, checked.stdout + checked.stderr)

    def test_check_fails_when_the_binary_prints_something_else(self):
        self.tool("--write", arrived="1234")
        checked = self.tool("--check", arrived="1235")
        self.assertNotEqual(checked.returncode, 0)
        self.assertIn("+arrived 1235", checked.stdout)
        self.assertIn("make docs", checked.stderr)

    def test_check_fails_on_a_drifted_inline_figure_alone(self):
        self.tool("--write")
        with open(self.readme) as f:
            text = f.read().replace("-->100<!--/docs-->", "-->99<!--/docs-->")
        with open(self.readme, "w") as f:
            f.write(text)
        self.assertNotEqual(self.tool("--check").returncode, 0)

    def test_a_failing_command_is_named_with_its_line(self):
        with open(self.readme, "a") as f:
            f.write("<!-- docs: headroom fail -->\n```\n```\n<!-- /docs -->\n")
        done = self.tool("--check")
        self.assertNotEqual(done.returncode, 0)
        self.assertIn("README.md:10: `headroom fail` exited 1", done.stderr)
        self.assertIn("no such scenario", done.stderr)


if __name__ == "__main__":
    unittest.main()
