#!/usr/bin/python3
"""The course's crawl_sequential, doing the same work as concur's `sequential`:
one page at a time, breadth-first, one keep-alive requests.Session.

  crawl_sequential.py BASE_URL [--max-pages N] [--retries N] [--timeout-ms N]
"""
import sys

import requests

import common


def crawl_sequential(base_url, start_page, puzzle, max_pages, retries, timeout_s):
    frontier = common.Frontier(start_page, max_pages)      # the course's to_visit + visited
    stats = common.Stats()
    with requests.Session() as session:
        get = common.requests_getter(session, timeout_s)
        while True:
            state, page = frontier.take()
            if state != "task":                            # sequential: never "again"
                break
            links = []
            try:
                body = common.fetch_with_retries(get, f"{base_url}/api/{page}", retries, stats)
                if body is not None:
                    links = common.links_of(body, puzzle)  # solves the puzzle right here
                    stats.pages_ok += 1
                else:
                    stats.pages_failed += 1
            except common.PageError:
                stats.pages_failed += 1
            except common.Unreachable as e:
                stats.pages_failed += 1
                frontier.abort(f"server {base_url} unreachable: {e}")
            frontier.done(links)
    return stats, frontier.error


def main():
    args = common.parse_args("crawl_sequential")
    start, puzzle, args.retries = common.describe_server(args.base_url, args.timeout_s,
                                                          args.retries)
    clock = common.Clock()
    stats, error = crawl_sequential(args.base_url, start, puzzle, args.max_pages, args.retries,
                                    args.timeout_s)
    wall, cpu = clock.stop()
    return common.report("sequential", "", args, start, stats, wall, cpu, error)


if __name__ == "__main__":
    sys.exit(main())
