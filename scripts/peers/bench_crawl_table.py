#!/usr/bin/python3
"""Joins concur's runs CSV and the Python peers' JSON lines into one CSV (one row
per run) and prints a table with ratios. Used by scripts/bench-crawl.sh.

  bench_crawl_table.py --concur CSV --peers DIR --out CSV --run-id ID
                       --max-pages N --delay-scale X --expected N --concur-load L

DIR holds, per peer run k (in run order): k.out (the peer's stdout: one JSON line),
k.err, k.meta (key=value lines: peer, options, rc, load1, time_utc).
Targets are printed beside the figures, never asserted. Exit 1 when a run failed
or left no figures; 0 otherwise (whatever the figures).
"""
import argparse
import csv
import glob
import json
import os
import sys

COLUMNS = ["run_id", "time_utc", "implementation", "model", "strategy", "options", "status",
           "pages_ok", "pages_failed", "requests", "wall_s", "pages_per_s", "cpu_s",
           "speedup_vs_own_sequential", "speedup_vs_concur_sequential", "lower_bound_s",
           "efficiency", "target", "met", "load1", "max_pages", "delay_scale", "error"]

# One vocabulary for both implementations, so that rows of the same model line up.
CONCUR_MODEL = {"sequential": "sequential", "threads": "threads", "processes": "processes",
                "producer_consumer": "producer_consumer"}
PEER_MODEL = {"sequential": "sequential", "threading": "threads", "asyncio": "asyncio",
              "multiprocessing": "processes"}

# (implementation, strategy, options) -> minimum speedup over concur sequential (pages/s).
TARGETS = {("concur", "threads", "workers=32"): 20.0,
           ("concur", "producer_consumer", "producers=32 consumers=2 queue_capacity=16"): 20.0,
           ("concur", "processes", "workers=8"): 10.0}


def f(x, nd=3):
    return "" if x is None or x == "" else f"{float(x):.{nd}f}"


def concur_rows(path, a):
    rows, has_bound = [], False
    if not os.path.exists(path):
        return rows, has_bound
    with open(path, newline="") as fh:
        reader = csv.DictReader(fh)
        has_bound = {"lower_bound_s", "efficiency"} <= set(reader.fieldnames or [])
        for r in reader:
            wall, ok = float(r["wall_s"]), int(r["pages_ok"])
            rows.append({
                "run_id": a.run_id, "time_utc": "", "implementation": "concur",
                "model": CONCUR_MODEL.get(r["strategy"], r["strategy"]), "strategy": r["strategy"],
                "options": r["options"], "status": r["status"], "pages_ok": ok,
                "pages_failed": int(r["pages_failed"]), "requests": int(r["requests"]),
                "wall_s": wall, "pages_per_s": ok / wall if wall > 0 else None,
                "cpu_s": float(r["cpu_user_s"]) + float(r["cpu_sys_s"]),
                "lower_bound_s": r.get("lower_bound_s", "") if has_bound else "",
                "efficiency": r.get("efficiency", "") if has_bound else "",
                "load1": a.concur_load, "error": r.get("error", ""),
            })
    return rows, has_bound


def peer_rows(folder, a):
    rows = []
    metas = sorted(glob.glob(os.path.join(folder, "*.meta")),
                   key=lambda p: int(os.path.basename(p).split(".")[0]))
    for meta_path in metas:
        base = meta_path[:-len(".meta")]
        meta = dict(line.rstrip("\n").split("=", 1) for line in open(meta_path) if "=" in line)
        row = {"run_id": a.run_id, "time_utc": meta.get("time_utc", ""), "implementation": "python",
               "model": PEER_MODEL.get(meta["peer"], meta["peer"]), "strategy": meta["peer"],
               "options": meta.get("options", ""), "load1": meta.get("load1", "")}
        result = None
        try:
            lines = [x for x in open(base + ".out").read().splitlines() if x.strip()]
            result = json.loads(lines[-1]) if lines else None
        except (OSError, ValueError):
            result = None
        if result is None:
            err = ""
            try:
                err = " | ".join(open(base + ".err").read().strip().splitlines()[-3:])
            except OSError:
                pass
            why = "killed by the time bound" if meta.get("rc") in ("124", "137") else f"exit {meta.get('rc')}"
            row.update(status="failed", pages_ok=0, pages_failed=0, requests=0, wall_s=None,
                       pages_per_s=None, cpu_s=None, error=f"no figures ({why}): {err}"[:300])
        else:
            wall, ok = float(result["wall_s"]), int(result["pages_ok"])
            row.update(status=result.get("status", "ok"), options=result.get("options", row["options"]),
                       pages_ok=ok, pages_failed=int(result["pages_failed"]),
                       requests=int(result["requests"]), wall_s=wall,
                       pages_per_s=ok / wall if wall > 0 else None, cpu_s=float(result["cpu_s"]),
                       error=result.get("error", ""))
        rows.append(row)
    return rows


def main():
    p = argparse.ArgumentParser()
    for k in ("--concur", "--peers", "--out", "--run-id", "--max-pages", "--delay-scale", "--expected",
              "--concur-load"):
        p.add_argument(k, required=True)
    a = p.parse_args()

    crows, has_bound = concur_rows(a.concur, a)
    prows = peer_rows(a.peers, a)
    rows = crows + prows

    def seq_rate(impl):
        for r in rows:
            if r["implementation"] == impl and r["model"] == "sequential" and r["status"] == "ok":
                return r["pages_per_s"]
        return None

    base = {"concur": seq_rate("concur"), "python": seq_rate("python")}
    for r in rows:
        rate = r["pages_per_s"]
        own = base[r["implementation"]]
        r["speedup_vs_own_sequential"] = rate / own if rate and own else None
        r["speedup_vs_concur_sequential"] = rate / base["concur"] if rate and base["concur"] else None
        want = TARGETS.get((r["implementation"], r["strategy"], r["options"]))
        if want is not None:
            r["target"] = f">={want:g}x concur sequential"
            got = r["speedup_vs_concur_sequential"]
            r["met"] = "" if got is None else ("yes" if got >= want else "no")
        r["max_pages"], r["delay_scale"] = a.max_pages, a.delay_scale

    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    with open(a.out, "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=COLUMNS)
        w.writeheader()
        for r in rows:
            out = dict(r)
            for k, nd in (("wall_s", 3), ("pages_per_s", 3), ("cpu_s", 3),
                          ("speedup_vs_own_sequential", 2), ("speedup_vs_concur_sequential", 2)):
                out[k] = f(out.get(k), nd)
            w.writerow({k: out.get(k, "") for k in COLUMNS})

    # The table.
    shown = []
    for r in rows:
        line = {
            "impl": r["implementation"], "model": r["model"], "options": r["options"] or "-",
            "status": r["status"], "ok": r["pages_ok"], "fail": r["pages_failed"], "reqs": r["requests"],
            "wall_s": f(r["wall_s"], 2), "pages/s": f(r["pages_per_s"], 1), "cpu_s": f(r["cpu_s"], 2),
            "x own seq": f(r["speedup_vs_own_sequential"], 2),
            "x concur seq": f(r["speedup_vs_concur_sequential"], 2),
        }
        if has_bound:
            line["bound_s"] = f(r.get("lower_bound_s"), 2)
            line["effic"] = f(r.get("efficiency"), 2)
        line["target"] = r.get("target", "").replace(" concur sequential", "")
        line["met"] = {"yes": "yes", "no": "NO"}.get(r.get("met", ""), "")
        line["load1"] = r.get("load1", "")
        shown.append(line)
    cols = list(shown[0].keys()) if shown else ["impl"]
    widths = [max(len(c), *(len(str(s[c])) for s in shown)) for c in cols]
    print("  ".join(c.rjust(w) for c, w in zip(cols, widths)))
    print("  ".join("-" * w for w in widths))
    for s in shown:
        print("  ".join(str(s[c]).rjust(w) for c, w in zip(cols, widths)))

    # Ratios a reader wants without computing them.
    def find(impl, model, options=None):
        for r in rows:
            if (r["implementation"], r["model"]) == (impl, model) and r["pages_per_s"] and \
                    (options is None or r["options"] == options):
                return r
        return None

    pairs = [("sequential", None, None), ("threads", "workers=32", "workers=32"),
             ("processes", "workers=8", "workers=8")]
    notes = []
    for model, copt, popt in pairs:
        c, py = find("concur", model, copt), find("python", model, popt)
        if c and py:
            notes.append(f"  {model} {copt or ''}: concur / python pages/s = "
                         f"{c['pages_per_s'] / py['pages_per_s']:.2f}x, CPU s python / concur = "
                         f"{(py['cpu_s'] / c['cpu_s']) if c['cpu_s'] else float('nan'):.2f}x")
    if notes:
        print("same model, concur vs python:")
        print("\n".join(notes))
    if not has_bound:
        print("(concur's CSV has no lower_bound_s/efficiency columns: this binary predates them)")

    # Checks (warnings, not failures): every run should account for the same pages.
    expected = int(a.expected)
    bad = False
    for r in rows:
        label = f"{r['implementation']} {r['strategy']} {r['options']}".strip()
        if r["status"] != "ok":
            bad = True
            print(f"FAILED: {label}: {r.get('error', '')}", file=sys.stderr)
        elif expected and r["pages_ok"] + r["pages_failed"] != expected:
            print(f"warning: {label}: {r['pages_ok']} ok + {r['pages_failed']} failed pages, "
                  f"expected {expected} in all", file=sys.stderr)
        if r["status"] == "ok" and r["pages_failed"]:
            print(f"warning: {label}: {r['pages_failed']} page(s) failed (pages behind them were "
                  f"not reached, so this run did less work)", file=sys.stderr)
    return 1 if bad or not rows else 0


if __name__ == "__main__":
    sys.exit(main())
