#!/usr/bin/env python3
"""`concur report` end to end, in a real headless browser (Debian's chromium).

usage: check_report.py --concur BIN [--chromium PATH] [--keep DIR]

Runs a small experiment, makes its report, and checks that
  - the page is self-contained: no script, no stylesheet link, no src= of any kind;
  - it names every configuration and holds its four charts, and "Where time went"
    a timeline per configuration (drawn from the timeline file beside the runs CSV);
  - chromium loads it and renders the charts: the DOM it dumps holds the SVG
    elements, and a screenshot of it is far from blank — its PNG is several times
    the size of a screenshot of an empty page of the same size (a PNG of one
    colour compresses to almost nothing). The window is tall enough for the whole
    page, timelines included; --keep copies the screenshot and the page to DIR.
"""
import argparse
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile

CONFIG = """name: report-check
server: {seed: 5, pages: 120, extra_edges: 200, delay_scale: 0.003, cpu_iterations: 2000, core_iterations: 500}
strategies:
  - plugin: sequential
  - plugin: threads
    workers: [2, 8]
  - plugin: async
    concurrency: [4, 16]
repeat: 2
"""


def fail(message):
    sys.exit(f"check_report: {message}")


def chromium(binary, *args):
    cmd = [binary, "--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
           "--disable-dev-shm-usage", "--no-first-run", "--window-size=1000,4400", *args]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    if p.returncode != 0:
        fail(f"{' '.join(cmd)} exited {p.returncode}:\n{p.stderr[-2000:]}")
    return p.stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--concur", required=True)
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    ap.add_argument("--keep", help="copy the screenshot and the page into this folder")
    args = ap.parse_args()
    if not os.access(args.chromium, os.X_OK):
        fail(f"no browser at {args.chromium}: scripts/install-deps.sh installs Debian's chromium")
    with tempfile.TemporaryDirectory(prefix="concur-report.") as tmp:
        tmp = pathlib.Path(tmp)
        (tmp / "x.yaml").write_text(CONFIG)
        run = subprocess.run([args.concur, "run", "-q", str(tmp / "x.yaml"), "--out",
                              str(tmp / "runs.csv")], capture_output=True, text=True, timeout=600)
        if run.returncode != 0:
            fail(f"concur run exited {run.returncode}:\n{run.stderr}")
        rep = subprocess.run([args.concur, "report", str(tmp / "runs.csv")], capture_output=True,
                             text=True, timeout=60)
        if rep.returncode != 0:
            fail(f"concur report exited {rep.returncode}:\n{rep.stderr}")
        page = tmp / "runs.html"
        html = page.read_text()
        for banned in ("<script", "<link", "src=", "@import", "url("):
            if banned in html:
                fail(f"the report is not self-contained: it holds '{banned}'")
        for label in ("sequential", "threads workers=2", "threads workers=8",
                      "async concurrency=4", "async concurrency=16"):
            if label not in html:
                fail(f"the report does not name '{label}'")
        timelines = html.count('class="timeline"')
        if html.count("<svg") - timelines != 4:
            fail(f"expected 4 charts, found {html.count('<svg') - timelines}")
        if "<h2>Where time went</h2>" not in html or timelines != 5:
            fail(f"expected a timeline per configuration (5), found {timelines}")

        dom = chromium(args.chromium, "--dump-dom", page.as_uri())
        if len(re.findall(r"<svg", dom)) != 9 or "<rect" not in dom or "<polyline" not in dom:
            fail("chromium's DOM of the page lacks the charts")
        if len(re.findall(r'<path class="span-io" fill="[^"]+" d="M', dom)) != 5:
            fail("chromium's DOM lacks the timelines' spans of I/O")
        (tmp / "blank.html").write_text("<!DOCTYPE html><html><body></body></html>")
        chromium(args.chromium, f"--screenshot={tmp / 'blank.png'}", (tmp / "blank.html").as_uri())
        chromium(args.chromium, f"--screenshot={tmp / 'report.png'}", page.as_uri())
        blank, shot = (tmp / "blank.png").stat().st_size, (tmp / "report.png").stat().st_size
        print(f"check_report: screenshot {shot} bytes, blank page {blank} bytes")
        if args.keep:
            os.makedirs(args.keep, exist_ok=True)
            for name in ("report.png", "runs.html", "runs.timeline.csv"):
                shutil.copy(tmp / name, args.keep)
        if shot < 5 * blank or shot < 20000:
            fail(f"the screenshot looks blank: {shot} bytes against {blank} for an empty page")
    print("check_report: ok")


if __name__ == "__main__":
    main()
