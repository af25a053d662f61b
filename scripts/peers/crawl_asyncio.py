#!/usr/bin/python3
"""The course's crawl_with_asyncio, doing the same work as concur's strategies:
one event loop, one aiohttp.ClientSession, at most `--concurrency` pages in
flight (an asyncio.Semaphore, as in the course). Puzzles are solved inline on
the loop, as naive asyncio code does: while a chain runs, no other request
makes progress.

One change to the course's shape: the course gathers batches of
`max_concurrent` pages and waits for the slowest of each batch before it looks
at the next; here a page starts as soon as a slot is free and the frontier has
one, like concur's strategies (the work is the same; the barrier would only
add the wait for each batch's slowest page).

  crawl_asyncio.py BASE_URL [--concurrency N] [--max-pages N] [--retries N] [--timeout-ms N]
"""
import asyncio
import sys

import aiohttp

import common


async def crawl_with_asyncio(base_url, start_page, puzzle, max_pages, retries, timeout_s, max_concurrent):
    frontier = common.Frontier(start_page, max_pages)
    stats = common.Stats()
    semaphore = asyncio.Semaphore(max_concurrent)
    changed = asyncio.Event()   # set when a page completes: new links, or the end
    timeout = aiohttp.ClientTimeout(total=timeout_s)
    # One connection per slot at most, so a request never queues for a connection
    # inside its own timeout.
    connector = aiohttp.TCPConnector(limit=max_concurrent)

    async def fetch(session, url):
        """Up to 1 + retries attempts (common.fetch_with_retries, in async form)."""
        never_connected, last = True, ""
        for attempt in range(retries + 1):
            stats.requests += 1
            if attempt:
                stats.retries += 1
            try:
                async with session.get(url) as response:
                    body = await response.read()
                    status = response.status
            except aiohttp.ClientConnectorError as e:
                last = f"{type(e).__name__}: {e}"
                continue
            except (aiohttp.ClientError, asyncio.TimeoutError) as e:
                never_connected, last = False, f"{type(e).__name__}: {e}"
                continue
            if 200 <= status < 300:
                return body
            never_connected, last = False, f"HTTP {status}"
            if status < 500:
                break
        if never_connected:
            raise common.Unreachable(f"{url}: {last}")
        return None

    async def fetch_page(session, page):
        links = []
        try:
            body = await fetch(session, f"{base_url}/api/{page}")
            if body is not None:
                links = common.links_of(body, puzzle)   # blocks the loop while it solves
                stats.pages_ok += 1
            else:
                stats.pages_failed += 1
        except common.PageError:
            stats.pages_failed += 1
        except common.Unreachable as e:
            stats.pages_failed += 1
            frontier.abort(f"server {base_url} unreachable: {e}")
        except BaseException as e:
            frontier.abort(f"page task died: {type(e).__name__}: {e}")
            raise
        finally:
            frontier.done(links)
            semaphore.release()
            changed.set()

    tasks = set()
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
        while True:
            await semaphore.acquire()
            state, page = frontier.take()
            while state == "again":          # pages in flight, none queued: wait for one
                changed.clear()
                await changed.wait()
                state, page = frontier.take()
            if state == "finished":
                semaphore.release()
                break
            task = asyncio.create_task(fetch_page(session, page))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        if tasks:                            # max_pages or an abort: let the last ones end
            await asyncio.gather(*tasks, return_exceptions=True)
    return stats, frontier.error


def main():
    args = common.parse_args(
        "crawl_asyncio",
        lambda p: p.add_argument("--concurrency", type=common.positive, default=100,
                                 help="pages in flight at most (default 100)"))
    start, puzzle, args.retries = common.describe_server(args.base_url, args.timeout_s,
                                                          args.retries)
    clock = common.Clock()
    stats, error = asyncio.run(crawl_with_asyncio(args.base_url, start, puzzle, args.max_pages,
                                                  args.retries, args.timeout_s, args.concurrency))
    wall, cpu = clock.stop()
    return common.report("asyncio", f"concurrency={args.concurrency}", args, start, stats, wall, cpu, error)


if __name__ == "__main__":
    sys.exit(main())
