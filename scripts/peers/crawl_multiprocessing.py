#!/usr/bin/python3
"""concur's `processes` model with multiprocessing.Pool: the parent keeps the
frontier and hands one page at a time to each of `--workers` pool processes
(at most `workers` pages in flight, as concur sends a page only to an idle
child); a child fetches the page on its own keep-alive requests.Session,
interprets it and solves its puzzle, and sends back the page's links and its
counters. The course's crawl_and_analyze_parallel fetches first and analyses
in a ProcessPoolExecutor afterwards; here fetch and solve are both in the
children, so fetching and solving overlap across processes.

  crawl_multiprocessing.py BASE_URL [--workers N] [--max-pages N] [--retries N] [--timeout-ms N]
"""
import multiprocessing
import queue
import sys
import time

import requests

import common

# Per child process, set by init_child (forked: the Pool's default start method on Linux).
_child = {}


def init_child(base_url, puzzle, retries, timeout_s):
    session = requests.Session()
    _child.update(base_url=base_url, puzzle=puzzle, retries=retries,
                  get=common.requests_getter(session, timeout_s), session=session)


def fetch_and_solve(page):
    """In a child: (page, outcome, links, requests, retries, error).
    outcome: "ok" | "failed" | "unreachable"."""
    stats = common.Stats()
    try:
        body = common.fetch_with_retries(_child["get"], f"{_child['base_url']}/api/{page}",
                                         _child["retries"], stats)
        if body is None:
            return page, "failed", [], stats.requests, stats.retries, ""
        return page, "ok", common.links_of(body, _child["puzzle"]), stats.requests, stats.retries, ""
    except common.PageError as e:
        return page, "failed", [], stats.requests, stats.retries, str(e)
    except common.Unreachable as e:
        return page, "unreachable", [], stats.requests, stats.retries, str(e)


def crawl_with_multiprocessing(base_url, start_page, puzzle, max_pages, retries, timeout_s, num_workers):
    frontier = common.Frontier(start_page, max_pages)
    stats = common.Stats()
    outcomes = queue.Queue()        # filled by the Pool's result thread (callbacks)
    in_flight = {}                  # page -> time sent
    # A page's attempts are each bounded by the timeout; a page that takes far
    # longer than all of them can only be a lost task (a child that died: Pool
    # does not notice), so the crawl ends instead of waiting for ever.
    give_up_s = (retries + 1) * (timeout_s + 1) + 600

    pool = multiprocessing.Pool(num_workers, initializer=init_child,
                                initargs=(base_url, puzzle, retries, timeout_s))
    try:
        finished = False
        while True:
            while not finished and len(in_flight) < num_workers:
                state, page = frontier.take()
                if state == "finished":
                    finished = True
                if state != "task":
                    break
                in_flight[page] = time.monotonic()
                pool.apply_async(fetch_and_solve, (page,), callback=outcomes.put,
                                 error_callback=lambda e, p=page: outcomes.put((p, "error", [], 0, 0, repr(e))))
            if not in_flight:
                break
            try:
                page, outcome, links, n_requests, n_retries, why = outcomes.get(timeout=5)
            except queue.Empty:
                oldest = min(in_flight.values())
                if time.monotonic() - oldest > give_up_s:
                    frontier.abort(f"no outcome for a page in {give_up_s:.0f} s: a pool process died?")
                    break
                continue
            del in_flight[page]
            stats.requests += n_requests
            stats.retries += n_retries
            if outcome == "ok":
                stats.pages_ok += 1
            else:
                stats.pages_failed += 1
                if outcome == "unreachable":
                    frontier.abort(f"server {base_url} unreachable: {why}")
                elif outcome == "error":
                    frontier.abort(f"a pool task raised: {why}")
            frontier.done(links)
        if frontier.aborted:
            pool.terminate()
        else:
            pool.close()
        pool.join()                 # reaped: their CPU time reaches RUSAGE_CHILDREN
    except BaseException:
        pool.terminate()
        raise
    return stats, frontier.error


def main():
    args = common.parse_args(
        "crawl_multiprocessing",
        lambda p: p.add_argument("--workers", type=common.positive, default=8,
                                 help="pool processes (default 8)"))
    start, puzzle, args.retries = common.describe_server(args.base_url, args.timeout_s,
                                                          args.retries)
    clock = common.Clock()
    stats, error = crawl_with_multiprocessing(args.base_url, start, puzzle, args.max_pages,
                                              args.retries, args.timeout_s, args.workers)
    wall, cpu = clock.stop()
    return common.report("multiprocessing", f"workers={args.workers}", args, start, stats, wall, cpu, error)


if __name__ == "__main__":
    sys.exit(main())
