"""What a crawl *means*, shared by the Python peers of concur's strategies.

Each peer (crawl_sequential.py, crawl_threading.py, crawl_asyncio.py,
crawl_multiprocessing.py) owns only *how* pages are scheduled; this module owns
what concur's core owns (core/src/crawl), so that a peer does the same work as
concur's strategy of the same model:

- start: GET /api/ -> links[0] (a bare id); puzzle parameters from GET / ->
  "puzzle"; when the server announces nothing, the original's newest server
  (6-character ids) gets profile original's parameters, any other the course's;
- frontier: FIFO, de-duplicated at discovery (a page is queued once), max_pages
  (0 = all) counted when a page is *taken*; finished when the queue is empty and
  nothing is in flight, or the limit is reached, or the crawl was aborted;
- fetch: up to 1 + retries attempts, transport errors and 5xx retried at once,
  4xx not; every attempt counts as a request; a page none of whose attempts
  could even connect aborts the crawl ("server unreachable");
- interpret: links as "/api/<id>", "<id>" or absolute URLs; a body that is not
  a JSON object, or a link that cannot be read, fails the page;
- solve (PROTOCOL.md, "Puzzles"): cpu page "hashseed": "<seed>" -> chained
  cpu_iterations times -> link is result[:id_length]; core page "hashseed":
  {"1": s1, ...} -> each seed chained core_iterations times -> the first
  character of each result, in position order; rule indexed: md5(f"{r}_{i}"),
  plain: md5(r). The original's newest server (PROTOCOL.md, "Profiles"):
  "hashseeds": [s, ...] (one cpu puzzle per link) and "multiseeds": [[s1, ...],
  ...] (one core puzzle per link).
"""
import argparse
import collections
import hashlib
import json
import resource
import sys
import threading
import time
import urllib.error
import urllib.request

# The course's server defaults, used when GET / announces no "puzzle".
DEFAULT_PUZZLE = {"hash_rule": "indexed", "cpu_iterations": 50_000_000,
                  "core_iterations": 12_500_000, "id_length": 4}
# The original's newest server (PROTOCOL.md, "Profiles"): it announces nothing,
# and its ids have 6 characters.
ORIGINAL_PUZZLE = {"hash_rule": "plain", "cpu_iterations": 5_000_000,
                   "core_iterations": 1_250_000, "id_length": 6}


class PageError(Exception):
    """A body that cannot be read as a page: the page is failed, not retried."""


class Unreachable(Exception):
    """Every attempt for a page failed to connect: the server is gone."""


# ---------------------------------------------------------------- arguments

def parse_args(peer, extra=None):
    """BASE_URL [--max-pages N] [--retries N] [--timeout-ms N] (+ the peer's own)."""
    p = argparse.ArgumentParser(prog=f"{peer}.py",
                                description=f"Python peer '{peer}' of concur's crawl strategies: "
                                            "prints one JSON line with its figures.")
    p.add_argument("base_url", help="the demo server, e.g. http://127.0.0.1:5000")
    p.add_argument("--max-pages", type=nonneg, default=0, help="pages to take at most (0: all)")
    p.add_argument("--retries", type=retries_arg, default="auto",
                   help="extra attempts per page, or auto (the default): as concur's crawl.retries")
    p.add_argument("--timeout-ms", type=positive, default=10000, help="per request (default 10000)")
    if extra:
        extra(p)
    a = p.parse_args()
    a.base_url = a.base_url.rstrip("/")
    if not a.base_url.startswith(("http://", "https://")):
        p.error("BASE_URL must start with http:// or https://")
    a.timeout_s = a.timeout_ms / 1000.0
    return a


def nonneg(s):
    v = int(s)
    if v < 0:
        raise argparse.ArgumentTypeError(f"expected an integer >= 0, got {s}")
    return v


def retries_arg(s):
    return s if s == "auto" else nonneg(s)


def auto_retries(failure_rate, failure_pages):
    """concur's crawl.retries: auto (crawl/policy.cpp): the fewest r >= 3 with
    failure_pages * failure_rate^(r+1) < 0.001 pages given up per crawl."""
    if not 0 < failure_rate < 1 or failure_pages <= 0:
        return 3
    r = 0
    while failure_pages * failure_rate ** (r + 1) >= 0.001:
        r += 1
    return max(r, 3)


def positive(s):
    v = int(s)
    if v < 1:
        raise argparse.ArgumentTypeError(f"expected an integer >= 1, got {s}")
    return v


# ---------------------------------------------------------------- links, pages, puzzles

_ID_CHARS = frozenset("0123456789abcdefghijklmnopqrstuvwxyz")


def link_to_id(link):
    """'/api/ab12', 'ab12', 'http://h:5000/api/ab12/' -> 'ab12'; None if unreadable
    (the same rule as concur's crawl/page.cpp: what follows the last '/api/')."""
    if not isinstance(link, str):
        return None
    at = link.rfind("/api/")
    if at >= 0:
        link = link[at + 5:]
    link = link.rstrip("/")
    if not link or any(c not in _ID_CHARS for c in link):
        return None
    return link


def chain(seed, iterations, rule):
    """The protocol's md5 chain, written plainly (as the course would)."""
    md5 = hashlib.md5
    r = seed
    if rule == "indexed":
        for i in range(iterations):
            r = md5(f"{r}_{i}".encode()).hexdigest()
    else:
        for _ in range(iterations):
            r = md5(r.encode()).hexdigest()
    return r


def _seed(s, field):
    if not isinstance(s, str):
        raise PageError(f"'{field}' holds a seed that is not a string")
    return s


def _seed_lists(page, puzzle):
    """The original's newest fields: one puzzle per link."""
    puzzles = []
    seeds = page.get("hashseeds", [])
    if not isinstance(seeds, list):
        raise PageError("'hashseeds' is not a list")
    for s in seeds:
        puzzles.append(("cpu", [(_seed(s, "hashseeds"), puzzle["cpu_iterations"])]))
    groups = page.get("multiseeds", [])
    if not isinstance(groups, list):
        raise PageError("'multiseeds' is not a list")
    for group in groups:
        if not isinstance(group, list) or not group:
            raise PageError("'multiseeds' holds a bad group")
        puzzles.append(("core", [(_seed(s, "multiseeds"), puzzle["core_iterations"])
                                 for s in group]))
    return puzzles


def interpret(body, puzzle):
    """A page body -> (links, puzzles): its ids, and its puzzles as
    ("cpu"|"core", [(seed, iterations)]), one per link they hide.
    Raises PageError for a body concur would fail."""
    try:
        page = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise PageError("body is not JSON") from None
    if not isinstance(page, dict):
        raise PageError("body is not a JSON object")
    links = page.get("links", [])
    if not isinstance(links, list):
        raise PageError("'links' is not a list")
    ids = []
    for link in links:
        i = link_to_id(link)
        if i is None:
            raise PageError(f"cannot read link {link!r}")
        ids.append(i)
    puzzles = _seed_lists(page, puzzle)
    if "hashseed" not in page:
        return ids, puzzles
    seed = page["hashseed"]
    if isinstance(seed, str):
        return ids, [("cpu", [(seed, puzzle["cpu_iterations"])])] + puzzles
    if not isinstance(seed, dict):
        raise PageError("'hashseed' is neither a string nor an object")
    work = []
    for pos in range(1, len(seed) + 1):
        s = seed.get(str(pos))
        if not isinstance(s, str):
            raise PageError(f"'hashseed' lacks position {pos}")
        work.append((s, puzzle["core_iterations"]))
    return ids, [("core", work)] + puzzles


def solve(kind, work, puzzle):
    """One puzzle's answer: the link it hides."""
    results = [chain(seed, n, puzzle["hash_rule"]) for seed, n in work]
    if kind == "cpu":
        return results[0][:puzzle["id_length"]]
    return "".join(r[0] for r in results)


def links_of(body, puzzle):
    """interpret + solve on the calling thread: the page's outgoing ids."""
    ids, puzzles = interpret(body, puzzle)
    return ids + [solve(kind, work, puzzle) for kind, work in puzzles]


# ---------------------------------------------------------------- the server's description

def _get_json(url, timeout_s):
    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as r:
            return json.loads(r.read())
    except (urllib.error.URLError, OSError, ValueError) as e:
        raise SystemExit(f"GET {url} failed: {e}")


def describe_server(base_url, timeout_s, retries="auto"):
    """(start id, puzzle parameters, retries): GET / for the puzzle, GET /api/ for
    the first page; retries "auto" resolved as concur does for a remote server
    (10% of the announced total_pages failing 90% of the time). Done before the
    clock starts, as concur does."""
    root = _get_json(base_url + "/", timeout_s)
    api = _get_json(base_url + "/api/", timeout_s)
    links = api.get("links") if isinstance(api, dict) else None
    if not isinstance(links, list) or not links:
        raise SystemExit(f"{base_url}/api/ lists no first page")
    start = link_to_id(links[0])
    if start is None:
        raise SystemExit(f"{base_url}/api/: cannot read link {links[0]!r}")
    announced = root.get("puzzle") if isinstance(root, dict) else None
    # A server that announces nothing with 6-character ids is the original's newest.
    original = not isinstance(announced, dict) and len(start) == 6
    puzzle = dict(ORIGINAL_PUZZLE if original else DEFAULT_PUZZLE)
    if original:
        print(f"{base_url} announces no puzzle settings and its ids have 6 characters: "
              "crawling it as the original's newest server (plain rule, 5000000/1250000 "
              "iterations)", file=sys.stderr)
    if isinstance(announced, dict):
        for k in puzzle:
            if k in announced:
                puzzle[k] = announced[k]
    if puzzle["hash_rule"] not in ("indexed", "plain"):
        raise SystemExit(f"{base_url}/ announces an unknown hash_rule {puzzle['hash_rule']!r}")
    if retries == "auto":
        total = root.get("total_pages") if isinstance(root, dict) else None
        pages = total if isinstance(total, int) and total > 0 else 1000
        retries = auto_retries(0.9, 0.1 * pages)
    return start, puzzle, retries


# ---------------------------------------------------------------- the frontier

class Frontier:
    """concur's LocalFrontier: FIFO, de-duplicated at discovery, max_pages counted at
    take. take() returns ("task", id), ("again", None) or ("finished", None); with
    wait=True it sleeps until a page is queued or the crawl is over (threads)."""

    def __init__(self, start, max_pages):
        self.queue = collections.deque([start])
        self.seen = {start}
        self.max_pages = max_pages
        self.taken = 0
        self.in_flight = 0
        self.aborted = False
        self.error = ""
        self.cond = threading.Condition()

    def _over(self):
        return (self.aborted or (self.max_pages > 0 and self.taken >= self.max_pages)
                or (not self.queue and self.in_flight == 0))

    def take(self, wait=False):
        with self.cond:
            if wait:
                self.cond.wait_for(lambda: self._over() or self.queue)
            if self._over():
                return "finished", None
            if not self.queue:
                return "again", None
            self.taken += 1
            self.in_flight += 1
            return "task", self.queue.popleft()

    def done(self, links):
        with self.cond:
            self.in_flight -= 1
            for link in links:
                if link not in self.seen:
                    self.seen.add(link)
                    self.queue.append(link)
            self.cond.notify_all()

    def abort(self, why):
        with self.cond:
            if not self.error:
                self.error = why
            self.aborted = True
            self.cond.notify_all()


class Stats:
    """Counters of one worker (summed at the end) or of a whole crawl."""

    def __init__(self):
        self.pages_ok = self.pages_failed = self.requests = self.retries = 0

    def add(self, other):
        self.pages_ok += other.pages_ok
        self.pages_failed += other.pages_failed
        self.requests += other.requests
        self.retries += other.retries
        return self


def fetch_with_retries(get, url, retries, stats):
    """Up to 1 + retries attempts of get(url) -> (status, body) or raises
    (connect_failed: bool, message) as TransportError. Returns the body of a 2xx
    answer or None. Raises Unreachable when no attempt could even connect."""
    never_connected = True
    last = ""
    for attempt in range(retries + 1):
        stats.requests += 1
        if attempt:
            stats.retries += 1
        try:
            status, body = get(url)
        except TransportError as e:
            never_connected = never_connected and e.connect_failed
            last = e.message
            continue                      # transport errors: retried at once
        if 200 <= status < 300:
            return body
        never_connected = False
        last = f"HTTP {status}"
        if status < 500:                  # 4xx (and 3xx): not retried
            break
    if never_connected:
        raise Unreachable(f"{url}: {last}")
    return None


class TransportError(Exception):
    def __init__(self, message, connect_failed):
        super().__init__(message)
        self.message = message
        self.connect_failed = connect_failed


# ---------------------------------------------------------------- measuring and reporting

class Clock:
    """Wall time (perf_counter) and CPU time (user+sys of this process and of its
    reaped children, from getrusage) from construction to stop()."""

    def __init__(self):
        self.cpu0 = self._cpu()
        self.t0 = time.perf_counter()

    @staticmethod
    def _cpu():
        s = resource.getrusage(resource.RUSAGE_SELF)
        c = resource.getrusage(resource.RUSAGE_CHILDREN)
        return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime

    def stop(self):
        return time.perf_counter() - self.t0, self._cpu() - self.cpu0


def report(peer, options, args, start, stats, wall_s, cpu_s, error=""):
    """The one JSON line on stdout; exit status 0 when the crawl ran to its end."""
    out = {"peer": peer, "options": options, "pages_ok": stats.pages_ok,
           "pages_failed": stats.pages_failed, "requests": stats.requests,
           "retries_used": stats.retries, "wall_s": round(wall_s, 4), "cpu_s": round(cpu_s, 4),
           "start": start, "max_pages": args.max_pages, "retry_limit": args.retries,
           "timeout_ms": args.timeout_ms, "status": "failed" if error else "ok", "error": error}
    print(json.dumps(out), flush=True)
    if error:
        print(f"{peer}: {error}", file=sys.stderr)
    return 1 if error else 0


# ---------------------------------------------------------------- HTTP with requests

def requests_getter(session, timeout_s):
    """get(url) -> (status, body bytes) over a requests.Session (keep-alive), with a
    timeout on connect and on every read; transport errors become TransportError."""
    import requests
    from urllib3.exceptions import NewConnectionError

    def get(url):
        try:
            r = session.get(url, timeout=(timeout_s, timeout_s))
            return r.status_code, r.content
        except requests.RequestException as e:
            reason = getattr(e.args[0], "reason", None) if e.args else None
            refused = isinstance(e, requests.ConnectionError) and isinstance(reason, NewConnectionError)
            raise TransportError(f"{type(e).__name__}: {e}", refused) from None

    return get
