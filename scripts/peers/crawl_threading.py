#!/usr/bin/python3
"""The course's crawl_with_threading, doing the same work as concur's `threads`:
`--workers` threads share one frontier (a lock and a condition variable instead
of the course's Queue.get(timeout=1), which ends a worker after any 1 s lull);
each thread has its own requests.Session (keep-alive connection) and solves
the puzzles of the pages it fetched — under the GIL, one solve at a time.

  crawl_threading.py BASE_URL [--workers N] [--max-pages N] [--retries N] [--timeout-ms N]
"""
import sys
import threading

import requests

import common


def crawl_with_threading(base_url, start_page, puzzle, max_pages, retries, timeout_s, num_threads):
    frontier = common.Frontier(start_page, max_pages)
    per_thread = [common.Stats() for _ in range(num_threads)]

    def worker(stats):
        try:
            with requests.Session() as session:
                get = common.requests_getter(session, timeout_s)
                while True:
                    state, page = frontier.take(wait=True)  # sleeps until a page or the end
                    if state != "task":
                        return
                    links = []
                    try:
                        body = common.fetch_with_retries(get, f"{base_url}/api/{page}", retries, stats)
                        if body is not None:
                            links = common.links_of(body, puzzle)
                            stats.pages_ok += 1
                        else:
                            stats.pages_failed += 1
                    except common.PageError:
                        stats.pages_failed += 1
                    except common.Unreachable as e:
                        stats.pages_failed += 1
                        frontier.abort(f"server {base_url} unreachable: {e}")
                    frontier.done(links)
        except BaseException as e:  # a bug must end the crawl, not leave a page in flight for ever
            frontier.abort(f"worker thread died: {type(e).__name__}: {e}")
            raise

    threads = [threading.Thread(target=worker, args=(s,), daemon=True) for s in per_thread]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    total = common.Stats()
    for s in per_thread:
        total.add(s)
    return total, frontier.error


def main():
    args = common.parse_args(
        "crawl_threading",
        lambda p: p.add_argument("--workers", type=common.positive, default=32, help="threads (default 32)"))
    start, puzzle, args.retries = common.describe_server(args.base_url, args.timeout_s,
                                                          args.retries)
    clock = common.Clock()
    stats, error = crawl_with_threading(args.base_url, start, puzzle, args.max_pages, args.retries,
                                        args.timeout_s, args.workers)
    wall, cpu = clock.stop()
    return common.report("threading", f"workers={args.workers}", args, start, stats, wall, cpu, error)


if __name__ == "__main__":
    sys.exit(main())
