"""The table, the CSV and the SIGKILL verdict of bench-distributed.sh --scale.

    bench_distributed_scale_table.py RUNS_DIR OUT_CSV PAGES CONCURRENCY

RUNS_DIR holds, per `concur run`, NAME.csv (its row) and NAME.facts (what the
script read around it: Redis commands and CPU, the workers' CPU, the server's
successful page answers; for the run named `kill`, who was killed and when).
Exit 1 when the SIGKILL run lost a page or completed one twice.
"""
import csv
import os
import statistics
import sys


def facts_of(path):
    out = {}
    for line in open(path):
        key, _, value = line.strip().partition("=")
        out[key] = value
    return out


def metric(row, name):
    for item in row["metrics"].split():
        key, _, value = item.partition("=")
        if key == name:
            return float(value)
    return float("nan")


def delta(f, name):
    return float(f["after_" + name]) - float(f["before_" + name])


def measure(row, f):
    """The bench_* columns of one run."""
    pages = max(int(row["pages_ok"]), 1)
    workers_cpu = delta(f, "workers_cpu_s") + float(f.get("killed_workers_cpu_s", 0))
    coordinator_cpu = float(row["cpu_user_s"]) + float(row["cpu_sys_s"])
    return {
        "bench_run": f["bench_run"],
        "bench_coordinator_cpu_ms_per_page": round(1000 * coordinator_cpu / pages, 4),
        "bench_workers_cpu_s": round(workers_cpu, 2),
        "bench_redis_cpu_s": round(delta(f, "redis_cpu_s"), 2),
        "bench_redis_ops": int(delta(f, "redis_ops")),
        "bench_redis_ops_per_page": round(delta(f, "redis_ops") / pages, 3),
        "bench_server_ok": int(delta(f, "server_ok")),
        "bench_killed": f.get("killed", ""),
        "bench_killed_held": f.get("killed_held", ""),
        "bench_kill_after_answers": f.get("kill_after_answers", ""),
    }


def order(name):
    """Run order: repeat by repeat, threads before distributed; the kill run last."""
    repeat, _, strategy = name.partition("-")
    return (int(repeat), strategy != "threads") if repeat.isdigit() else (10**9, True)


def main():
    runs_dir, out_csv, graph_pages, concurrency = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    names = sorted((p[: -len(".facts")] for p in os.listdir(runs_dir) if p.endswith(".facts")), key=order)
    runs = []
    for name in names:
        row = next(csv.DictReader(open(f"{runs_dir}/{name}.csv")))
        row.update(measure(row, facts_of(f"{runs_dir}/{name}.facts")))
        runs.append(row)
    with open(out_csv, "w", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(runs[0].keys()))
        writer.writeheader()
        writer.writerows(runs)

    threads_wall = {r["bench_run"].split("-")[0]: float(r["wall_s"]) for r in runs if r["strategy"] == "threads"}
    threads_median = statistics.median(threads_wall.values())
    print(f"{concurrency} at once: threads {concurrency} in one process; distributed = workers x 2 threads")
    head = (f"{'run':<14} {'pages':>6} {'wall_s':>7} {'bound_s':>7} {'eff':>5} {'thr/this':>8} "
            f"{'coord':>6} {'workers':>7} {'redis':>6} {'ops/pg':>6} {'requeue':>7} {'dups':>4}  validity")
    print(head)
    print(f"{'':<14} {'':>6} {'':>7} {'':>7} {'':>5} {'':>8} {'ms CPU per page':>22}")
    for r in runs:
        wall = float(r["wall_s"])
        theirs = threads_wall.get(r["bench_run"].split("-")[0], threads_median)
        dist = r["strategy"] == "distributed"
        pages = max(int(r["pages_ok"]), 1)
        cell = lambda v, spec: format(v, spec) if dist else "-"
        print(f"{r['bench_run']:<14} {r['pages_ok']:>6} {wall:>7.2f} {float(r['lower_bound_s']):>7.2f} "
              f"{float(r['efficiency']):>5.3f} {theirs / wall:>8.3f} "
              f"{r['bench_coordinator_cpu_ms_per_page']:>6.3f} {cell(1000 * r['bench_workers_cpu_s'] / pages, '7.3f'):>7} "
              f"{cell(1000 * r['bench_redis_cpu_s'] / pages, '6.3f'):>6} {cell(r['bench_redis_ops_per_page'], '6.2f'):>6} "
              f"{cell(metric(r, 'pages_requeued'), '7.0f'):>7} {cell(metric(r, 'duplicates_suppressed'), '4.0f'):>4}  {r['validity']}")
    print("eff: the row's efficiency (lower bound / wall); thr/this: threads' wall / this run's (same repeat;")
    print("the kill run: threads' median). coord: the concur run process; workers: the worker processes")
    print("(all of them, idle in a threads run); redis: redis-server. ops/pg: commands of the two ACL users.")
    kill = next((r for r in runs if r["bench_run"] == "kill"), None)
    return verdict(kill, graph_pages) if kill else 0


def verdict(r, graph_pages):
    ok, failed = int(r["pages_ok"]), int(r["pages_failed"])
    requests, server_requests = int(r["requests"]), int(r["server_requests"])
    server_ok, requeued = r["bench_server_ok"], metric(r, "pages_requeued")
    print(f"\nSIGKILL run: killed {r['bench_killed']} (holding {r['bench_killed_held']} pages) after "
          f"{r['bench_kill_after_answers']} of {graph_pages} pages answered (the server's /metrics)")
    lost = not (r["status"] == "ok" and ok == graph_pages and failed == 0)
    print(f"  no page lost: status {r['status']}, pages_ok {ok} of the graph's {graph_pages}, "
          f"pages_failed {failed}: {'NOT SHOWN' if lost else 'held'}")
    extra = server_ok - ok
    twice = not (ok <= graph_pages and requests <= server_requests and 0 <= extra <= requeued)
    print(f"  none completed twice: the runner counted {requests} requests, the server answered "
          f"{server_requests} ({server_requests - requests} lost with the killed workers); "
          f"{server_ok} successful page answers - {ok} pages = {extra} fetched again, "
          f"<= {requeued:.0f} pages requeued: {'NOT SHOWN' if twice else 'held'}")
    if "server_mismatch" in r["validity"]:
        print("  (validity server_mismatch: the killed workers' requests reached the server, "
              "their outcomes never came back: expected here)")
    return 1 if lost or twice else 0


if __name__ == "__main__":
    sys.exit(main())
