#!/usr/bin/python3
"""The table of scripts/bench-lua.sh: medians per case, the crawl's pages/s
ratio with and without an empty on_page. Targets printed, never asserted."""
import csv
import statistics
import sys


def main(path):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    calls = {}
    crawls = {}
    for r in rows:
        if r["part"] == "call":
            calls.setdefault(r["case"], []).append(float(r["ns_per_call"]))
        else:
            crawls.setdefault(r["case"], []).append((float(r["pages_per_s"]), float(r["cpu_s"])))
    print(f"{'per call':<20} {'median ns':>10} {'min ns':>10}  target")
    for case, ns in calls.items():
        if case == "state_kb":
            print(f"{'state size (KB)':<20} {statistics.median(ns):>10.1f}")
            continue
        target = "< 1000 ns: " + ("met" if statistics.median(ns) < 1000 else "MISSED") \
            if case == "empty_on_page" else ""
        print(f"{case:<20} {statistics.median(ns):>10.1f} {min(ns):>10.1f}  {target}")
    print()
    print(f"{'crawl':<20} {'median pages/s':>15} {'median cpu s':>13} {'runs':>5}")
    med = {}
    for case, runs in crawls.items():
        med[case] = (statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs))
        print(f"{case:<20} {med[case][0]:>15.1f} {med[case][1]:>13.3f} {len(runs):>5}")
    if "no_script" in med and "empty_on_page" in med:
        a, b = med["no_script"], med["empty_on_page"]
        print(f"\nempty on_page / no script: {b[0] / a[0]:.3f} x pages/s, "
              f"{b[1] / a[1]:.3f} x client CPU")


if __name__ == "__main__":
    main(sys.argv[1])
