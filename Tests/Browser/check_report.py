"""Opens Headroom's HTML reports in headless Chromium as a user would, and checks that:
  - the page loads with no console message at all (it has no script; anything logged is a fault),
  - every chart figure rendered an <svg> with drawn marks (paths, rects or circles) in the live DOM,
  - the screenshot shows the charts: the palette's colours cover a visible share of pixels,
  - every chart's axes (`<g data-axis>`) carry a title with its unit in parentheses, and no text of
    a chart (tick label, title, legend, point label) falls outside its SVG: measured with the
    browser's own layout (getBoundingClientRect) on a copy of the page with a measuring script
    added (the report itself has none).

usage: python3 check_report.py REPORT.html [REPORT.html ...]   (screenshots go beside each report)
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

from PIL import Image

# A throwaway profile folder: CI's HOME may be read-only or unset.
PROFILE = tempfile.mkdtemp(prefix="headroom-chromium-")
CHROMIUM = ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-gpu-sandbox", "--hide-scrollbars", "--enable-logging=stderr", "--v=0",
            f"--user-data-dir={PROFILE}"]
# Line colours every run report draws (arrivals, TTFT p50 / desired replicas) and the p99 / concurrency orange.
PALETTE = {"blue": (0x1F, 0x77, 0xB4), "orange": (0xFF, 0x7F, 0x0E)}


# Runs in the copy of the page: measures every chart's text against its SVG and reads its axes,
# and writes the findings into the DOM, which --dump-dom prints.
MEASURE = """<script>
(() => {
  const problems = [], axes = [], charts = [];
  document.querySelectorAll("figure[data-chart]").forEach((figure, index) => {
    const chart = figure.getAttribute("data-chart") + " #" + index;
    const svg = figure.querySelector("svg");
    if (!svg) return;
    charts.push(chart);
    const box = svg.getBoundingClientRect();
    svg.querySelectorAll("text").forEach(text => {
      const r = text.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) return;
      if (r.left < box.left - 0.5 || r.right > box.right + 0.5 || r.top < box.top - 0.5 || r.bottom > box.bottom + 0.5)
        problems.push(`${chart}: "${text.textContent}" at [${r.left.toFixed(1)}, ${r.right.toFixed(1)}] x ` +
                      `[${r.top.toFixed(1)}, ${r.bottom.toFixed(1)}] outside the svg [${box.left.toFixed(1)}, ${box.right.toFixed(1)}] x ` +
                      `[${box.top.toFixed(1)}, ${box.bottom.toFixed(1)}]`);
    });
    svg.querySelectorAll("g[data-axis]").forEach(axis => {
      const title = axis.querySelector("text.axis-title");
      const ticks = [...axis.querySelectorAll("text:not(.axis-title)")].map(t => t.textContent).filter(t => t.length);
      axes.push({chart, axis: axis.getAttribute("data-axis"), title: title ? title.textContent : null, ticks});
    });
  });
  const pre = document.createElement("pre");
  pre.id = "layout-check";
  pre.textContent = JSON.stringify({problems, axes, charts});
  document.body.appendChild(pre);
})();
</script>"""

# A title names its unit in parentheses: "simulated time (hours)", "TTFT p99 (seconds, log)".
UNIT = re.compile(r"\([^()]*[A-Za-z%$][^()]*\)")


def check_layout(path):
    """Axis titles with units, and every chart's text inside its SVG, as Chromium lays them out."""
    folder = tempfile.mkdtemp(prefix="headroom-layout-")
    copy = os.path.join(folder, os.path.basename(path))
    with open(path, encoding="utf-8") as source:
        page = source.read()
    with open(copy, "w", encoding="utf-8") as target:
        target.write(page.replace("</body>", MEASURE + "</body>"))
    dom = subprocess.run(CHROMIUM + ["--window-size=1400,1000", "--dump-dom", "file://" + copy],
                         capture_output=True, text=True, timeout=120)
    shutil.rmtree(folder, ignore_errors=True)
    assert dom.returncode == 0, f"{path}: chromium failed: {dom.stderr[-2000:]}"
    found = re.search(r'<pre id="layout-check">(.*?)</pre>', dom.stdout, re.S)
    assert found, f"{path}: the layout check did not run"
    report = json.loads(found.group(1).replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&"))
    assert not report["problems"], f"{path}: text outside its chart:\n  " + "\n  ".join(report["problems"])
    charts = set(report["charts"])
    for axis in report["axes"]:
        where = f'{path}: chart {axis["chart"]}, {axis["axis"]} axis'
        assert axis["title"], f"{where} has no title"
        assert UNIT.search(axis["title"]), f'{where}: title "{axis["title"]}" names no unit in parentheses'
    xs = {axis["chart"] for axis in report["axes"] if axis["axis"] == "x"}
    assert charts and xs == charts, f"{path}: charts without a titled x axis (<g data-axis=\"x\">): {sorted(charts - xs)}"
    return len(report["axes"])


def check(path):
    url = "file://" + path
    dom = subprocess.run(CHROMIUM + ["--dump-dom", url], capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, f"{path}: chromium failed: {dom.stderr[-2000:]}"
    console = [line for line in dom.stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line]
    assert not console, f"{path}: console messages: {console}"
    figures = re.findall(r'<figure data-chart="([^"]+)">(.*?)</figure>', dom.stdout, re.S)
    assert figures, f"{path}: no chart figures in the rendered page"
    for name, body in figures:
        assert "<svg" in body, f"{path}: chart {name} has no svg"
        marks = len(re.findall(r"<(path|rect|circle)[^>]*(data-series|fill=\"#)", body))
        assert marks > 0, f"{path}: chart {name} drew nothing"
    shot = path.rsplit(".", 1)[0] + ".png"
    height = 900 + 330 * len(figures)
    run = subprocess.run(CHROMIUM + [f"--window-size=1000,{height}", f"--screenshot={shot}", url],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, f"{path}: screenshot failed: {run.stderr[-2000:]}"
    image = Image.open(shot).convert("RGB")
    pixels = list(image.get_flattened_data() if hasattr(image, "get_flattened_data") else image.getdata())
    for colour, rgb in PALETTE.items():
        count = sum(1 for p in pixels if all(abs(a - b) <= 24 for a, b in zip(p, rgb)))
        assert count > 300, f"{shot}: only {count} {colour} pixels: the charts did not draw"
    distinct = len(set(pixels[:: max(1, len(pixels) // 200000)]))
    assert distinct > 50, f"{shot}: {distinct} distinct colours: a blank page?"
    axes = check_layout(path)
    print(f"{path}: {len(figures)} charts rendered, {axes} axes titled with units, all text inside its chart, "
          f"no console messages, screenshot {shot} ({image.width}x{image.height})")


if __name__ == "__main__":
    for report in sys.argv[1:]:
        check(report)
