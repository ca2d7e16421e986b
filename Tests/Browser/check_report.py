"""Opens Headroom's HTML reports in headless Chromium as a user would, and checks that:
  - the page loads with no console message at all (it has no script; anything logged is a fault),
  - every chart figure rendered an <svg> with drawn marks (paths, rects or circles) in the live DOM,
  - the screenshot shows the charts: the palette's colours cover a visible share of pixels.

usage: python3 check_report.py REPORT.html [REPORT.html ...]   (screenshots go beside each report)
"""
import re
import subprocess
import sys
import tempfile

from PIL import Image

# A throwaway profile folder: CI's HOME may be read-only or unset.
PROFILE = tempfile.mkdtemp(prefix="headroom-chromium-")
CHROMIUM = ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--enable-logging=stderr", "--v=0",
            f"--user-data-dir={PROFILE}"]
# Line colours every run report draws (arrivals, TTFT p50 / desired replicas) and the p99 / concurrency orange.
PALETTE = {"blue": (0x1F, 0x77, 0xB4), "orange": (0xFF, 0x7F, 0x0E)}


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
    print(f"{path}: {len(figures)} charts rendered, no console messages, screenshot {shot} ({image.width}x{image.height})")


if __name__ == "__main__":
    for report in sys.argv[1:]:
        check(report)
