#!/usr/bin/python3
"""Helpers of scripts/bench-async.sh (not a command of its own).

  bench_async_table.py plan URL --min-delay N [--tries T]
      Test 3's crawl plan, from the server's /api/cheat/ adjacency: a regular start
      page and the set S of pages reachable from it through regular pages only.
      Regular pages answer at once and delay pages discover nothing before they
      answer, so S is exactly what a crawl can find before its first delay page
      answers; with max_pages = |S| the crawl takes S and nothing else. Prints
      "START MAX_PAGES DELAY_PAGES REGULAR_PAGES" (the first start whose S holds
      at least N delay pages, else the best of T tries).

  bench_async_table.py report --dir DIR --out CSV --run-id ID
      Reads every run of DIR (K.meta key=value lines, beside K.csv: concur's runs
      CSV, or K.json: a Python peer's JSON line), writes CSV (one row per run, then
      repeat=median rows) and prints one table per test. Targets are printed, never
      asserted.
"""
import argparse
import collections
import csv
import json
import os
import statistics
import sys
import urllib.request

sys.dont_write_bytecode = True   # no __pycache__ left in scripts/ by the import below
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_table import read, table  # noqa: E402  (shared with bench-hash/-server)

INFLIGHT_NEEDED = 10_000   # test 3 counts only at this many requests in flight
DELAY_S = 5.0              # test 3's delay pages
INFLIGHT_RATIO = 1.03      # ... and must end within this x the 5 s a delay page takes
INFLIGHT_RSS_MB = 150      # ... in at most this much memory
BOUND_RATIO = 1.2          # test 1: wall <= 1.2 x lower bound
PPS_TARGET = {"async": 60_000, "fibers": 60_000}   # test 2, pages/s, one client thread
CPU_RATIO_TARGET = 10      # test 4: Python's client CPU >= 10 x concur's
KB_PER_PAGE_TARGET = 0.3   # test 5: peak memory grows <= this per page crawled

COLUMNS = ["run_id", "time_utc", "test", "impl", "strategy", "options", "repeat", "status",
           "pages_ok", "pages_failed", "requests", "wall_s", "lower_bound_s", "wall_over_bound",
           "pages_per_s", "cpu_s", "max_rss_mb", "in_flight_limit", "rss_kb_per_in_flight",
           "in_flight_high_water", "in_flight_inferred_min", "loop_blocked_s", "latency_p50_ms", "latency_p99_ms",
           "latency_max_ms", "ratio_pps_concur_over_python", "ratio_cpu_python_over_concur",
           "kb_per_page",
           "target", "met", "load1", "server", "server_start_s", "server_delay_err_max_ms",
           "error", "n"]


# ---------------------------------------------------------------- plan (test 3)

def plan(args):
    graph = json.load(urllib.request.urlopen(args.url + "/api/cheat/", timeout=60))
    kind = {p: v["page_type"] for p, v in graph.items()}

    def reach(start):
        seen, queue = {start}, collections.deque([start])
        while queue:
            page = queue.popleft()
            if kind[page] != "regular":
                continue            # a delay page's links come 5 s later: not before
            for nxt in graph[page]["links"]:
                if nxt not in seen:
                    seen.add(nxt)
                    queue.append(nxt)
        return seen

    best = None
    for start in sorted(p for p in graph if kind[p] == "regular")[:args.tries]:
        s = reach(start)
        delay = sum(1 for p in s if kind[p] == "delay")
        if best is None or delay > best[2]:
            best = (start, len(s), delay, len(s) - delay)
        if delay >= args.min_delay:
            break
    if best is None:
        sys.exit("plan: the graph has no regular page")
    print(*best)


# ---------------------------------------------------------------- report

def meta_of(path):
    meta = {}
    with open(path) as f:
        for line in f:
            key, _, value = line.rstrip("\n").partition("=")
            meta[key] = value
    return meta


def fnum(value, default=None):
    try:
        x = float(value)
        return x if x == x else default   # NaN: no figure
    except (TypeError, ValueError):
        return default


def fmt(x, digits=2):
    return "" if x is None else f"{x:.{digits}f}"


def metric(metrics, name):
    for item in (metrics or "").split():
        key, _, value = item.partition("=")
        if key == name:
            return fnum(value)
    return None


def run_row(directory, key, meta, run_id):
    """One output row from a run's meta and its CSV row or JSON line."""
    row = {"run_id": run_id, "time_utc": meta.get("time_utc", ""), "test": meta["test"],
           "impl": meta["impl"], "repeat": meta.get("repeat", ""), "load1": meta.get("load1", ""),
           "server": meta.get("server", ""), "server_start_s": meta.get("server_start_s", ""),
           "server_delay_err_max_ms": meta.get("server_delay_err_max_ms", ""),
           "in_flight_limit": meta.get("in_flight_limit", ""), "strategy": meta.get("strategy", ""),
           "options": meta.get("options", "")}
    rc = meta.get("rc", "")
    if meta["impl"] == "python":
        path = os.path.join(directory, key + ".json")
        line = open(path).read().strip().splitlines() if os.path.exists(path) else []
        if not line:
            row.update(status="timeout" if rc in ("124", "137") else "error", error=meta.get("err", ""))
            return row
        d = json.loads(line[-1])
        wall, cpu = fnum(d["wall_s"]), fnum(d["cpu_s"])
        row.update(strategy=f"python {d['peer']}", options=d["options"], status=d["status"],
                   pages_ok=d["pages_ok"], pages_failed=d["pages_failed"], requests=d["requests"],
                   wall_s=fmt(wall, 3), cpu_s=fmt(cpu, 3), error=d.get("error", ""),
                   pages_per_s=fmt(d["pages_ok"] / wall if wall else None, 1))
        return row
    path = os.path.join(directory, key + ".csv")
    rows = read(path) if os.path.exists(path) else []
    if not rows:
        status = "timeout" if rc in ("124", "137") else "error"
        row.update(status=status, error=meta.get("err", "") or f"concur run exited {rc}, no row")
        return row
    r = rows[-1]
    wall, bound = fnum(r["wall_s"]), fnum(r["lower_bound_s"])
    cpu = (fnum(r["cpu_user_s"], 0) + fnum(r["cpu_sys_s"], 0))
    rss = fnum(r["max_rss_mb"])
    hw = metric(r["metrics"], "in_flight_high_water")
    limit = fnum(meta.get("in_flight_limit"))
    inferred = None
    if meta["test"] == "inflight" and hw is None:
        inferred = inferred_in_flight(meta, r, wall)
    # Test 3: per request actually in flight; elsewhere per slot of the limit.
    per = (hw or inferred) if meta["test"] == "inflight" and (hw or inferred) else limit
    # Test 5 runs one option set at several sizes: the size keeps them apart.
    options = r["options"] + (f" pages={meta['max_pages']}" if meta["test"] == "memory" else "")
    row.update(strategy=r["strategy"], options=options, status=r["status"],
               pages_ok=r["pages_ok"], pages_failed=r["pages_failed"], requests=r["requests"],
               wall_s=fmt(wall, 3), lower_bound_s=fmt(bound, 3),
               wall_over_bound=fmt(wall / bound if wall and bound else None, 3),
               pages_per_s=fmt(fnum(r["pages_per_s"]), 1), cpu_s=fmt(cpu, 3), max_rss_mb=fmt(rss, 1),
               rss_kb_per_in_flight=fmt(rss * 1024 / per if rss and per else None, 1),
               in_flight_high_water=fmt(hw, 0), in_flight_inferred_min=fmt(inferred, 0), loop_blocked_s=fmt(metric(r["metrics"], "loop_blocked_s"), 3),
               latency_p50_ms=r["latency_p50_ms"], latency_p99_ms=r["latency_p99_ms"],
               latency_max_ms=r["latency_max_ms"], error=r["error"])
    return row


def inferred_in_flight(meta, r, wall):
    """Test 3, for a plugin that does not report in_flight_high_water: the plan's
    delay pages were all in flight at once when the run took every planned page
    with one request each and ended before 2 x the delay. Proof: a delay request
    lasts >= DELAY_S, so each one started before wall - DELAY_S < DELAY_S, and none
    ended before DELAY_S: just before the first one ended, all were in flight."""
    delay, planned = fnum(meta.get("plan_delay")), fnum(meta.get("plan_pages"))
    pages, requests = fnum(r["pages_ok"]), fnum(r["requests"])
    if None in (delay, planned, pages, requests, wall) or r["status"] != "ok":
        return None
    if pages == planned == requests and wall < 2 * DELAY_S:
        return delay
    return None


def judge(row):
    """Sets target and met for a row (a run or a median) of a test with a target."""
    test, strategy = row["test"], row["strategy"]
    if test == "bound" and strategy in ("async", "fibers"):
        ratio = fnum(row.get("wall_over_bound"))
        row["target"] = f"wall <= {BOUND_RATIO} x bound"
        row["met"] = "" if ratio is None else ("yes" if ratio <= BOUND_RATIO else "no")
    elif test == "throughput" and strategy in PPS_TARGET:
        pps = fnum(row.get("pages_per_s"))
        row["target"] = f">= {PPS_TARGET[strategy]} pages/s"
        row["met"] = "" if pps is None else ("yes" if pps >= PPS_TARGET[strategy] else "no")
    elif test == "inflight":
        wall, rss = fnum(row.get("wall_s")), fnum(row.get("max_rss_mb"))
        hw = fnum(row.get("in_flight_high_water"), fnum(row.get("in_flight_inferred_min")))
        row["target"] = (f"wall <= {INFLIGHT_RATIO:g} x {DELAY_S:g} s, rss <= {INFLIGHT_RSS_MB} MB "
                         f"at >= {INFLIGHT_NEEDED} in flight")
        if wall is None or hw is None or rss is None:
            row["met"] = ""
        elif hw < INFLIGHT_NEEDED:
            row["met"] = "void"       # too few in flight: the test does not count
        else:
            row["met"] = "yes" if wall <= INFLIGHT_RATIO * DELAY_S and rss <= INFLIGHT_RSS_MB else "no"


DIGITS = {"pages_ok": 0, "pages_failed": 0, "requests": 0, "in_flight_high_water": 0, "in_flight_inferred_min": 0, "pages_per_s": 1,
          "max_rss_mb": 1, "rss_kb_per_in_flight": 1, "load1": 2, "server_delay_err_max_ms": 2}
MEDIAN_KEYS = ["pages_ok", "pages_failed", "requests", "wall_s", "lower_bound_s", "wall_over_bound",
               "pages_per_s", "cpu_s", "max_rss_mb", "rss_kb_per_in_flight", "in_flight_high_water",
               "in_flight_inferred_min", "loop_blocked_s", "latency_p50_ms", "latency_p99_ms", "latency_max_ms", "load1",
               "server_delay_err_max_ms"]


def medians(rows):
    """One repeat=median row per (test, impl, strategy, options), over its ok runs."""
    groups = collections.OrderedDict()
    for r in rows:
        groups.setdefault((r["test"], r["impl"], r["strategy"], r["options"]), []).append(r)
    out = []
    for (test, impl, strategy, options), g in groups.items():
        ok = [r for r in g if r.get("status") == "ok"] or g
        m = dict(g[0], repeat="median", time_utc="", error="; ".join(sorted({r["error"] for r in g if r.get("error")})))
        m["status"] = "ok" if all(r.get("status") == "ok" for r in g) else \
            f"{sum(r.get('status') == 'ok' for r in g)}/{len(g)} ok"
        for k in MEDIAN_KEYS:
            xs = [fnum(r.get(k)) for r in ok]
            xs = [x for x in xs if x is not None]
            m[k] = fmt(statistics.median(xs), DIGITS.get(k, 3)) if xs else ""
        m["n"] = len(g)
        out.append(m)
    return out


def python_ratios(meds):
    """Test 4: each concur row's pages/s over Python's, and Python's CPU over its own."""
    python = [m for m in meds if m["test"] == "python" and m["impl"] == "python"]
    for m in meds:
        if m["test"] == "python" and m["impl"] == "concur" and python:
            p = python[0]
            cp, pp = fnum(m["pages_per_s"]), fnum(p["pages_per_s"])
            cc, pc = fnum(m["cpu_s"]), fnum(p["cpu_s"])
            m["ratio_pps_concur_over_python"] = fmt(cp / pp if cp and pp else None, 2)
            m["ratio_cpu_python_over_concur"] = fmt(pc / cc if cc and pc else None, 2)
            m["target"] = f"python/concur cpu >= {CPU_RATIO_TARGET}"
            m["met"] = "" if not (cc and pc) else ("yes" if pc / cc >= CPU_RATIO_TARGET else "no")


def memory_growth(meds):
    """Test 5: how much peak memory each page adds, between the smallest and the
    largest crawl of one option set (the process's baseline cancels out)."""
    groups = collections.OrderedDict()
    for m in meds:
        if m["test"] == "memory" and m["status"] == "ok":
            groups.setdefault((m["strategy"], m["options"].rsplit(" pages=", 1)[0]), []).append(m)
    out = []
    for (strategy, options), g in groups.items():
        g.sort(key=lambda m: fnum(m["pages_ok"], 0))
        small, large = g[0], g[-1]
        dp = fnum(large["pages_ok"], 0) - fnum(small["pages_ok"], 0)
        drss = fnum(large["max_rss_mb"], 0) - fnum(small["max_rss_mb"], 0)
        kb = drss * 1024 / dp if dp > 0 else None
        large["kb_per_page"] = fmt(kb, 3)
        large["target"] = f"<= {KB_PER_PAGE_TARGET} KB/page"
        large["met"] = "" if kb is None else ("yes" if kb <= KB_PER_PAGE_TARGET else "no")
        out.append((f"{strategy} {options}".strip(), small, large, kb))
    return out


def shown(value, missing="-"):
    return missing if value in ("", None) else value


def mark(met):
    return {"yes": "yes", "no": "NO", "void": "VOID", "": "-"}.get(met, met)


def in_flight_shown(m):
    if m.get("in_flight_high_water"):
        return m["in_flight_high_water"]
    return f">={m['in_flight_inferred_min']}*" if m.get("in_flight_inferred_min") else "-"


def label(m):
    opts = m["options"]
    return f"{m['strategy']} {opts}".strip() if m["impl"] == "concur" else m["strategy"] + " " + opts


def report(args):
    rows = []
    keys = sorted(f[:-5] for f in os.listdir(args.dir) if f.endswith(".meta"))
    for key in keys:
        meta = meta_of(os.path.join(args.dir, key + ".meta"))
        row = run_row(args.dir, key, meta, args.run_id)
        judge(row)
        rows.append(row)
    if not rows:
        sys.exit("report: no runs to report")
    meds = medians(rows)
    for m in meds:
        judge(m)
    python_ratios(meds)
    growth = memory_growth(meds)
    with open(args.out, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=COLUMNS, extrasaction="ignore")
        w.writeheader()
        for r in rows + meds:
            w.writerow({k: r.get(k, "") for k in COLUMNS})

    by_test = collections.defaultdict(list)
    for m in meds:
        by_test[m["test"]].append(m)
    problems = []
    for m in meds:
        if m["status"] != "ok":
            problems.append(f"{m['test']}: {label(m)}: {m['status']}: {m['error'] or '(no message)'}")

    if by_test["bound"]:
        m0 = by_test["bound"][0]
        print(f"\n1. Bound test - {m0['server']}; medians of n runs")
        table([{"strategy/options": label(m), "pages": shown(m["pages_ok"]), "wall s": shown(m["wall_s"]),
                "bound s": shown(m["lower_bound_s"]), "wall/bound": shown(m["wall_over_bound"]),
                "target": m.get("target") or "(peer)", "met": mark(m.get("met", "")),
                "loop blocked s": shown(m["loop_blocked_s"]), "p99 ms": shown(m["latency_p99_ms"]),
                "n": m["n"]} for m in by_test["bound"]],
              ["strategy/options", "pages", "wall s", "bound s", "wall/bound", "target", "met",
               "loop blocked s", "p99 ms", "n"])
    if by_test["throughput"]:
        m0 = by_test["throughput"][0]
        print(f"\n2. Throughput - {m0['server']}; server start-up {m0['server_start_s']} s "
              f"(launch to /health answering); medians of n runs")
        table([{"strategy/options": label(m), "pages": shown(m["pages_ok"]), "wall s": shown(m["wall_s"]),
                "pages/s": shown(m["pages_per_s"]), "target": m.get("target") or "(peer)",
                "met": mark(m.get("met", "")), "cpu s": shown(m["cpu_s"]), "rss MB": shown(m["max_rss_mb"]),
                "in flight": shown(m["in_flight_limit"]), "KB/in-flight": shown(m["rss_kb_per_in_flight"]),
                "loop blocked s": shown(m["loop_blocked_s"]), "n": m["n"]} for m in by_test["throughput"]],
              ["strategy/options", "pages", "wall s", "pages/s", "target", "met", "cpu s", "rss MB",
               "in flight", "KB/in-flight", "loop blocked s", "n"])
        print("KB/in-flight = the client's whole-process peak RSS / its in-flight limit (concurrency, fibers or\n"
              "workers): an upper bound per request, since it includes the process's baseline and the\n"
              "crawl's own state (frontier, visited set, timeline of every request).")
    if by_test["inflight"]:
        m0 = by_test["inflight"][0]
        print(f"\n3. 10,000 in flight - {m0['server']}; medians of n runs")
        table([{"strategy/options": label(m), "pages": shown(m["pages_ok"]), "requests": shown(m["requests"]),
                "in flight": in_flight_shown(m), "wall s": shown(m["wall_s"]),
                "target": m.get("target", ""), "met": mark(m.get("met", "")),
                "p50 ms": shown(m["latency_p50_ms"]), "max ms": shown(m["latency_max_ms"]),
                "bound s": shown(m["lower_bound_s"]), "cpu s": shown(m["cpu_s"]),
                "rss MB": shown(m["max_rss_mb"]), "KB/in-flight": shown(m["rss_kb_per_in_flight"]),
                "srv late ms": shown(m["server_delay_err_max_ms"]), "n": m["n"]} for m in by_test["inflight"]],
              ["strategy/options", "pages", "requests", "in flight", "wall s", "target", "met", "p50 ms",
               "max ms", "bound s", "cpu s", "rss MB", "KB/in-flight", "srv late ms", "n"])
        print("in flight = the plugin's in_flight_high_water metric; '>=N*' = not reported by the\n"
              "plugin, inferred: every one of the plan's N delay pages was fetched once and the run\n"
              "ended before 2 x 5 s, so all N were in flight at once. KB/in-flight = peak RSS / that;\n"
              "srv late ms = the server's own worst lateness answering a delay page (its /metrics\n"
              "concur_delay_error_max_ms, cumulative over the runs so far): small here means any\n"
              "lateness in wall or latency is the client's.")
        for m in by_test["inflight"]:
            hw = fnum(m["in_flight_high_water"], fnum(m["in_flight_inferred_min"]))
            if hw is None:
                print(f"NOTE: {label(m)}: how many requests were in flight is unknown (no metric, and the\n"
                      "run does not allow the inference): the test does not count for it.")
            elif hw < INFLIGHT_NEEDED:
                print(f"NOTE: {label(m)} reached only {hw:.0f} requests in flight (< {INFLIGHT_NEEDED}): "
                      "this run does not count (VOID); the server settings need tuning.")
    if by_test["python"]:
        m0 = by_test["python"][0]
        print(f"\n4. Python asyncio+aiohttp side by side - {m0['server']}; medians of n runs")
        table([{"impl": m["impl"], "strategy/options": label(m), "pages": shown(m["pages_ok"]),
                "wall s": shown(m["wall_s"]), "pages/s": shown(m["pages_per_s"]), "cpu s": shown(m["cpu_s"]),
                "concur/python pages/s": shown(m.get("ratio_pps_concur_over_python")),
                "python/concur cpu": shown(m.get("ratio_cpu_python_over_concur")),
                "target": m.get("target", ""), "met": mark(m.get("met", "")), "n": m["n"]}
               for m in by_test["python"]],
              ["impl", "strategy/options", "pages", "wall s", "pages/s", "cpu s",
               "concur/python pages/s", "python/concur cpu", "target", "met", "n"])
        print("cpu s = the client's user+sys CPU (concur: its row, children included; Python: getrusage\n"
              "SELF+CHILDREN around the crawl); the server is a separate process in both.")
    if by_test["memory"]:
        m0 = by_test["memory"][0]
        print(f"\n5. Memory per page - {m0['server']}; medians of n runs")
        table([{"strategy/options": label(m), "pages": shown(m["pages_ok"]), "wall s": shown(m["wall_s"]),
                "rss MB": shown(m["max_rss_mb"]), "KB/page": shown(m.get("kb_per_page")),
                "target": m.get("target", ""), "met": mark(m.get("met", "")), "n": m["n"]}
               for m in by_test["memory"]],
              ["strategy/options", "pages", "wall s", "rss MB", "KB/page", "target", "met", "n"])
        for name, small, large, kb in growth:
            print(f"{name}: {shown(small['max_rss_mb'])} MB at {small['pages_ok']} pages, "
                  f"{shown(large['max_rss_mb'])} MB at {large['pages_ok']} pages: "
                  f"{'-' if kb is None else f'{kb:.3f}'} KB per page added")
        print("rss MB = the row's max_rss_mb: the run's peak resident memory, the making of its row\n"
              "(bound, validity) included. KB/page = (largest - smallest) x 1024 / (pages between):\n"
              "what one more page costs, the process's baseline cancelled out.")
    loads = [fnum(r["load1"]) for r in rows if fnum(r["load1"]) is not None]
    if loads:
        print(f"\nload1 after the runs: min {min(loads):.2f}, median {statistics.median(loads):.2f}, "
              f"max {max(loads):.2f} ({os.cpu_count()} cores); targets are printed, never asserted.")
    for p in problems:
        print("PROBLEM: " + p)
    return 1 if problems else 0


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("plan")
    a.add_argument("url")
    a.add_argument("--min-delay", type=int, required=True)
    a.add_argument("--tries", type=int, default=20)
    b = sub.add_parser("report")
    b.add_argument("--dir", required=True)
    b.add_argument("--out", required=True)
    b.add_argument("--run-id", required=True)
    args = p.parse_args()
    return plan(args) if args.cmd == "plan" else report(args)


if __name__ == "__main__":
    sys.exit(main())
