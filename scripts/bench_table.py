#!/usr/bin/python3
"""Summaries for scripts/bench-*.sh: reads a benchmark CSV, appends median rows,
prints a readable table. Targets are printed beside the figures, never asserted.

  bench_table.py hash CSV      medians per (impl, rule), ratio python/concur
  bench_table.py server CSV    medians per (phase, path), ratio page/health
  bench_table.py hostile CSV   one run's rows as they are (no repeats), ratio attack/baseline
"""
import csv
import statistics
import sys


def read(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def append(path, rows):
    with open(path, newline="") as f:
        header = next(csv.reader(f))
    with open(path, "a", newline="") as f:
        w = csv.DictWriter(f, fieldnames=header, extrasaction="raise")
        for r in rows:
            w.writerow({k: r.get(k, "") for k in header})


def table(rows, cols):
    cells = [[str(r.get(c, "")) for c in cols] for r in rows]
    widths = [max(len(c), *(len(x[i]) for x in cells)) for i, c in enumerate(cols)]
    line = lambda xs: "  ".join(x.rjust(w) for x, w in zip(xs, widths))
    print(line(cols))
    print(line(["-" * w for w in widths]))
    for x in cells:
        print(line(x))


def med(rows, key):
    return statistics.median(float(r[key]) for r in rows)


def hash_summary(path):
    rows = [r for r in read(path) if r["repeat"] != "median"]
    out, shown = [], []
    for rule in ("indexed", "plain"):
        c = [r for r in rows if r["rule"] == rule and r["impl"] == "concur"]
        p = [r for r in rows if r["rule"] == rule and r["impl"] == "python"]
        if not c or not p:
            continue
        cw, cc, pw, pc = med(c, "ns_per_iter"), med(c, "cpu_ns_per_iter"), med(p, "ns_per_iter"), med(p, "cpu_ns_per_iter")
        ratio = pw / cw
        base = {"run_id": c[0]["run_id"], "rule": rule, "repeat": "median", "load1": f"{med(rows, 'load1'):.2f}"}
        out.append(dict(base, impl="concur", iterations=c[0]["iterations"], ns_per_iter=f"{cw:.1f}",
                        cpu_ns_per_iter=f"{cc:.1f}", target="<=90 ns/iter", met="yes" if cw <= 90 else "no"))
        out.append(dict(base, impl="python", iterations=p[0]["iterations"], ns_per_iter=f"{pw:.1f}",
                        cpu_ns_per_iter=f"{pc:.1f}", ratio_vs_concur=f"{ratio:.2f}",
                        target=">=5x concur", met="yes" if ratio >= 5 else "no"))
        shown.append({"rule": rule, "concur ns/it": f"{cw:.1f}", "(cpu)": f"{cc:.1f}",
                      "target": "<=90", "met": "yes" if cw <= 90 else "NO",
                      "python ns/it": f"{pw:.1f}", "(cpu) ": f"{pc:.1f}",
                      "python/concur": f"{ratio:.2f}x", "(cpu ratio)": f"{pc / cc:.2f}x",
                      "target ": ">=5x", "met ": "yes" if ratio >= 5 else "NO",
                      "n": f"{len(c)}+{len(p)}"})
    append(path, out)
    table(shown, list(shown[0].keys()) if shown else ["rule"])
    print(f"medians over repeats; wall-clock ns/iteration (cpu = user+sys); load1 median {med(rows, 'load1'):.2f}")


def server_summary(path):
    rows = [r for r in read(path) if r["repeat"] != "median"]
    keys = []
    for r in rows:
        if (r["phase"], r["path"]) not in keys:
            keys.append((r["phase"], r["path"]))
    out = []
    for phase, p in keys:
        g = [r for r in rows if (r["phase"], r["path"]) == (phase, p)]
        m = dict(g[0], repeat="median", time_utc="", load1=f"{med(g, 'load1'):.2f}")
        for k in ("requests", "rps", "p50_ms", "p90_ms", "p99_ms", "max_ms", "server_peak_rss_mb", "server_conn_peak",
                  "server_delay_err_max_ms"):
            m[k] = f"{med(g, k):.2f}" if all(r[k] not in ("", "nan") for r in g) else ""
        for k in ("non2xx", "err_connect", "err_read", "err_write", "err_timeout"):
            m[k] = str(sum(int(r[k]) for r in g))  # errors: the total, not a median
        m["target"], m["met"] = g[0]["target"], "yes" if all(r["met"] == "yes" for r in g) else "no"
        m["n"] = len(g)
        out.append(m)
    page = [m for m in out if m["phase"] == "throughput" and m["page_type"] == "regular"]
    health = [m for m in out if m["phase"] == "throughput" and m["page_type"] == "health"]
    if page and health:
        page[0]["ratio_vs_health"] = f"{float(page[0]['rps']) / float(health[0]['rps']):.2f}"
    append(path, out)
    shown = []
    for m in out:
        errs = sum(int(m[k]) for k in ("non2xx", "err_connect", "err_read", "err_write", "err_timeout"))
        shown.append({"phase": m["phase"], "path": m["path"], "type": m["page_type"], "conns": m["connections"],
                      "requests": f"{float(m['requests']):.0f}", "req/s": f"{float(m['rps']):.0f}",
                      "p50 ms": m["p50_ms"], "p99 ms": m["p99_ms"], "max ms": m["max_ms"],
                      "errors": errs, "rss MB": m["server_peak_rss_mb"], "target": m["target"],
                      "met": m["met"] if m["met"] == "yes" else "NO", "n": m["n"]})
    table(shown, list(shown[0].keys()))
    if page and health:
        print(f"regular page / health req/s: {page[0]['ratio_vs_health']}")
    print(f"medians over repeats (errors summed); load1 median {med(rows, 'load1'):.2f}")


def hostile_summary(path):
    rows = read(path)
    shown = []
    for r in rows:
        shown.append({"phase": r["phase"], "what": r["what"], "path": r["path"], "conns": r["connections"],
                      "asked": r["asked"], "answers": r["requests"], "failed": r["failures"],
                      "p50 ms": r["p50_ms"], "p99 ms": r["p99_ms"], "max ms": r["max_ms"],
                      "vs base": f"{r['ratio_vs_baseline']}x" if r["ratio_vs_baseline"] else "",
                      "opened": r["opened"], "cut": r["closed_by_server"], "open@end": r["open_at_end"],
                      "rss MB": r["server_peak_rss_mb"], "tcp MB": r.get("tcp_mem_mb", ""), "cpu s": r["server_cpu_s"],
                      "conn peak": r["server_conn_peak"], "timed out": r["server_timed_out"],
                      "target": r["target"], "met": {"yes": "yes", "no": "NO"}.get(r["met"], r["met"])})
    table(shown, list(shown[0].keys()))
    probes = {(r["phase"], r["path"]): r for r in rows if r["what"] == "probe"}
    for (phase, p), r in probes.items():
        b = probes.get(("baseline", p))
        if phase == "attack" and b:
            print(f"probe {p}: p99 {b['p99_ms']} ms alone -> {r['p99_ms']} ms under attack "
                  f"({r['ratio_vs_baseline']}x, {float(r['p99_ms']) - float(b['p99_ms']):+.2f} ms; target <= +50 ms)")
    loads = [float(r["load1"]) for r in rows]
    print(f"one run, no repeats: 'cut' = attacker connections the server closed, 'open@end' = still open "
          f"when the phase ended; load1 {min(loads):.2f}-{max(loads):.2f}")


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("hash", "server", "hostile"):
        sys.exit(__doc__)
    {"hash": hash_summary, "server": server_summary, "hostile": hostile_summary}[sys.argv[1]](sys.argv[2])
