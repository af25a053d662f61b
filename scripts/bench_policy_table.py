#!/usr/bin/env python3
"""Reads scripts/bench-policy.sh's runs, writes one CSV and prints a table of medians.

usage: bench_policy_table.py RUNS_DIR OUT_CSV
RUNS_DIR holds NAME-REP.csv (concur's row) or NAME-REP.json (the Python peer's line).
The optimistic critical path is concur's own (bound_basis=graph: one attempt per page
over the whole graph); the Python peer crawls the same graph, so its ratio uses the
median critical path of the concur runs of the same repeat.
"""
import csv
import json
import pathlib
import re
import statistics
import sys

FIELDS = ["variant", "repeat", "status", "pages_ok", "pages_failed", "requests",
          "hedged_requests", "cancelled_requests", "requests_per_page", "wall_s",
          "critical_path_s", "bound_basis", "wall_over_critical_path", "cpu_s"]
PEER = "python asyncio"
# A run's own file: NAME-REP.csv or NAME-REP.json. concur writes other files beside
# its runs CSV (NAME-REP.summary.csv, ...), which are not runs.
RUN_FILE = re.compile(r"(.+)-([0-9]+)\.(csv|json)")


def read_run(path):
    name, rep, _ = RUN_FILE.fullmatch(path.name).groups()
    variant = name.replace("_", " ")
    if path.suffix == ".json":
        lines = [ln for ln in path.read_text().splitlines() if ln.strip()]
        if not lines:
            return None
        j = json.loads(lines[-1])
        return {"variant": variant, "repeat": int(rep), "status": j["status"],
                "pages_ok": j["pages_ok"], "pages_failed": j["pages_failed"],
                "requests": j["requests"], "hedged_requests": 0, "cancelled_requests": 0,
                "wall_s": j["wall_s"], "critical_path_s": None, "bound_basis": "",
                "cpu_s": j["cpu_s"]}
    rows = list(csv.DictReader(path.open()))
    if not rows:
        return None
    r = rows[-1]
    return {"variant": variant, "repeat": int(rep), "status": r["status"],
            "pages_ok": int(r["pages_ok"]), "pages_failed": int(r["pages_failed"]),
            "requests": int(r["requests"]), "hedged_requests": int(r["hedged_requests"]),
            "cancelled_requests": int(r["cancelled_requests"]), "wall_s": float(r["wall_s"]),
            "critical_path_s": float(r["critical_path_s"]), "bound_basis": r["bound_basis"],
            "cpu_s": float(r["cpu_user_s"]) + float(r["cpu_sys_s"])}


AUTO_RANK = 10_000       # sorts hedge=auto after every fixed number of copies
AUTO_RATIO = 1.01        # hedge: auto's goals: wall <= 1.01 x the critical path ...
AUTO_RPP = 1.6           # ... with at most this many requests per page


def main():
    runs_dir, out_csv = pathlib.Path(sys.argv[1]), sys.argv[2]
    runs = [r for p in sorted(runs_dir.iterdir()) if RUN_FILE.fullmatch(p.name)
            if (r := read_run(p))]
    if not runs:
        sys.exit("bench_policy_table.py: no runs to report")
    for r in runs:
        if r["critical_path_s"] is None:  # the peer: concur's path of the same repeat
            paths = [o["critical_path_s"] for o in runs
                     if o["repeat"] == r["repeat"] and o["critical_path_s"]]
            r["critical_path_s"] = statistics.median(paths) if paths else None
        taken = r["pages_ok"] + r["pages_failed"]
        r["requests_per_page"] = round(r["requests"] / taken, 3) if taken else None
        cp = r["critical_path_s"]
        r["wall_over_critical_path"] = round(r["wall_s"] / cp, 4) if cp else None
    with open(out_csv, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=FIELDS, extrasaction="ignore")
        w.writeheader()
        w.writerows(sorted(runs, key=lambda r: (r["repeat"], r["variant"])))

    def copies(v):  # hedge=auto sorts after every fixed number
        value = v.rsplit("=", 1)[1] if "hedge=" in v else "0"
        return AUTO_RANK if value == "auto" else int(value)

    def rank(v):  # the peer, then unhedged, then by model and number of copies
        hedge = copies(v)
        return (v != PEER, hedge > 0, v.split()[0], hedge)
    order = sorted({r["variant"] for r in runs}, key=rank)
    med = {}
    for v in order:
        rs = [r for r in runs if r["variant"] == v and r["status"] == "ok"]
        if not rs:
            continue
        m = lambda k: statistics.median(r[k] for r in rs if r[k] is not None)
        med[v] = {"n": len(rs), "wall": m("wall_s"), "ratio": m("wall_over_critical_path"),
                  "rpp": m("requests_per_page"), "hedged": m("hedged_requests"),
                  "cpu": m("cpu_s"), "pages": m("pages_ok"), "cp": m("critical_path_s")}
    peer = med.get(PEER)
    print(f"{'variant':<18}{'runs':>5}{'pages':>7}{'wall_s':>9}{'crit_s':>8}{'wall/crit':>10}"
          f"{'vs python':>10}{'req/page':>9}{'hedged':>8}{'cpu_s':>7}")
    for v, s in med.items():
        vs = f"{peer['wall'] / s['wall']:.2f}x" if peer else "-"
        print(f"{v:<18}{s['n']:>5}{s['pages']:>7.0f}{s['wall']:>9.2f}{s['cp']:>8.2f}"
              f"{s['ratio']:>10.3f}{vs:>10}{s['rpp']:>9.2f}{s['hedged']:>8.0f}{s['cpu']:>7.2f}")
    hedged = {v: s for v, s in med.items() if "hedge=" in v and not v.endswith("=auto")}
    if hedged:
        best = min(hedged, key=lambda v: hedged[v]["wall"])
        b = hedged[best]
        print(f"\nbest hedged: {best}: wall/critical path {b['ratio']:.3f} (target <= 1.15: "
              f"{'met' if b['ratio'] <= 1.15 else 'MISSED'})", end="")
        if peer:
            speed = peer["wall"] / b["wall"]
            print(f"; {speed:.2f}x faster than python asyncio (target >= 1.8: "
                  f"{'met' if speed >= 1.8 else 'MISSED'})")
        else:
            print()
    plain = med.get("async")
    if plain and hedged:
        print(f"server requests per page: {plain['rpp']:.2f} without hedging, "
              + ", ".join(f"{hedged[v]['rpp']:.2f} {v}" for v in hedged))
    auto = med.get("async hedge=auto")
    if auto:
        ok_ratio = auto["ratio"] <= AUTO_RATIO
        ok_rpp = auto["rpp"] <= AUTO_RPP
        print(f"hedge auto: wall/critical path {auto['ratio']:.3f} (goal <= {AUTO_RATIO}: "
              f"{'met' if ok_ratio else 'MISSED'}), requests/page {auto['rpp']:.2f} (goal <= "
              f"{AUTO_RPP}: {'met' if ok_rpp else 'MISSED'}"
              + (f"; the unhedged crawl itself makes {plain['rpp']:.2f}" if plain else "") + ")")


if __name__ == "__main__":
    main()
