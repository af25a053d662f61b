#!/usr/bin/env python3
"""Runs the course's crawler sketches against `concur serve` and checks what they reach.

usage: run_course_sketches.py --concur BUILD/concur [--only NAME] [--keep DIR]

Every program in programs/ is the course's code (blocks/, byte for byte) plus
the smallest completions it needs to run, each between a line starting
"# >>> not in the course:" and a line "# <<<"; this script first checks that
removing those regions gives back exactly the course's blocks. It then starts
three servers on loopback (small graph, delays x0.01, small puzzles) — the
default profile, `--link-format url`, and `--shares` without puzzle or failure
pages — and runs each program under course_recorder.py, with
http://localhost:5000 (and any start URL or placeholder id) replaced by the
test server's. Each run is checked against the graph (GET /api/cheat/): the
pages fetched are real and reached by links, a crawler that claims to crawl
everything reachable did, and the server's own /metrics counted exactly the
requests the program made. Exit 0 when every check passed, 1 otherwise
(missing Python modules included: they are never a skip).
"""
import argparse
import collections
import importlib.util
import json
import pathlib
import re
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

HERE = pathlib.Path(__file__).resolve().parent
MODULES = {"requests": "python3-requests", "aiohttp": "python3-aiohttp",
           "bs4": "python3-bs4", "requests_futures": "python3-requests-futures"}
COMMON = ["--port", "0", "--pages", "40", "--extra-edges", "120",
          "--delay-scale", "0.01", "--cpu-iterations", "20000", "--core-iterations", "5000"]
SERVERS = {
    "default": [],
    "url": ["--link-format", "url"],
    "links_only": ["--shares", "regular=0.9,delay=0.1,failure=0,cpu=0,core=0"],
}
PUZZLES = ("cpu", "core")
PROGRAM_TIMEOUT_S = 90
SEED = 3  # its random start pages have links: a one-page crawl would prove little


class CheckFailed(Exception):
    pass


def require(condition, message):
    if not condition:
        raise CheckFailed(message)


# ---------------------------------------------------------------- the server

class Server:
    """`concur serve` on a free loopback port, until stop()."""

    def __init__(self, concur, seed, extra):
        self.command = [concur, "serve", "--seed", str(seed), *COMMON, *extra]
        self.proc = subprocess.Popen(self.command, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, text=True)
        self.log = []
        self.base = self._read_base_url(deadline=time.monotonic() + 60)
        threading.Thread(target=self._drain, daemon=True).start()
        self._wait_ready(deadline=time.monotonic() + 60)
        self.graph = self.get_json("/api/cheat/")
        self.puzzle = self.get_json("/")["puzzle"]

    def _read_base_url(self, deadline):
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.proc.stderr], [], [], 0.5)
            if not ready:
                if self.proc.poll() is not None:
                    break
                continue
            line = self.proc.stderr.readline()
            if not line:
                break
            self.log.append(line)
            found = re.search(r"(http://127\.0\.0\.1:\d+)/", line)
            if found:
                return found.group(1)
        self.stop()
        raise CheckFailed(f"{' '.join(self.command)} gave no address:\n{''.join(self.log)}")

    def _drain(self):
        for line in self.proc.stderr:
            self.log.append(line)

    def _wait_ready(self, deadline):
        """A starting server answers 503: wait for /health's 200."""
        while True:
            try:
                with urllib.request.urlopen(self.base + "/health", timeout=5) as r:
                    if r.status == 200:
                        return
            except OSError:
                pass
            if time.monotonic() > deadline or self.proc.poll() is not None:
                self.stop()
                raise CheckFailed(f"{self.base}/health never answered 200:\n{''.join(self.log)}")
            time.sleep(0.1)

    def get_json(self, path):
        with urllib.request.urlopen(self.base + path, timeout=10) as r:
            return json.load(r)

    def request_counts(self):
        """/metrics' concur_requests_total as {(type, status): n}."""
        with urllib.request.urlopen(self.base + "/metrics", timeout=10) as r:
            text = r.read().decode()
        counts = collections.Counter()
        for m in re.finditer(r'^concur_requests_total\{type="(\w+)",status="(\d+)"\} (\d+)$',
                             text, re.M):
            counts[(m.group(1), int(m.group(2)))] = int(m.group(3))
        return counts

    def ids_of(self, page_type):
        return sorted(i for i, p in self.graph.items() if p["page_type"] == page_type)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def check_server(kind, server):
    """Each server is what its programs need."""
    types = collections.Counter(p["page_type"] for p in server.graph.values())
    if kind == "links_only":
        require(types["cpu"] == types["core"] == types["failure"] == 0,
                f"--shares left pages without links: {dict(types)}")
    else:
        require(all(types[t] for t in ("regular", "failure", "cpu", "core")),
                f"the {kind} server lacks a page type: {dict(types)}")
    if kind == "url":
        page = next(i for i in server.ids_of("regular") if server.graph[i]["links"])
        link = server.get_json(f"/api/{page}")["links"][0]
        require(link.startswith(server.base + "/api/"), f"--link-format url wrote {link}")


# ---------------------------------------------------------------- programs

def course_text(program):
    """The program with its completions removed: must be the course's blocks."""
    kept, inside = [], False
    for line in program.splitlines(keepends=True):
        if line.startswith("# >>> not in the course:"):
            require(not inside, "a completion region opens inside another")
            inside = True
        elif line.startswith("# <<<"):
            require(inside, "'# <<<' closes no completion region")
            inside = False
        elif not inside:
            kept.append(line)
    require(not inside, "a completion region is not closed")
    return "".join(kept)


def check_faithful(name, blocks):
    program = (HERE / "programs" / f"{name}.py").read_text()
    course = "".join((HERE / "blocks" / f"{b}.py").read_text() for b in blocks)
    require(course_text(program) == course,
            f"programs/{name}.py without its completions is not blocks {blocks}")
    return program


def run_program(server, name, blocks, args, substitutions, workdir):
    source = check_faithful(name, blocks)
    for old, new in {"http://localhost:5000": server.base, **substitutions}.items():
        source = source.replace(old, new)
    path = workdir / f"{name}.py"
    path.write_text(source)
    out = workdir / f"{name}.{'-'.join(args) or 'run'}.json"
    out.unlink(missing_ok=True)
    before = server.request_counts()
    try:
        proc = subprocess.run([sys.executable, str(HERE / "course_recorder.py"), str(out),
                               str(path), *args], capture_output=True, text=True,
                              timeout=PROGRAM_TIMEOUT_S, cwd=workdir)
    except subprocess.TimeoutExpired:
        raise CheckFailed(f"did not end within {PROGRAM_TIMEOUT_S} s") from None
    after = server.request_counts()
    require(out.exists(), f"exited {proc.returncode} without a record:\n{proc.stderr[-2000:]}")
    record = json.loads(out.read_text())
    record.update(returncode=proc.returncode, stdout=proc.stdout, stderr=proc.stderr)
    check_metrics(server, record["exchanges"], before, after)
    return record


def path_of(url, base):
    url = url[len(base):] if url.startswith(base) else url
    return url.split("?")[0]


def page_id(path, graph):
    """The page a path names, or None."""
    if path.startswith("/api/") and path[5:] in graph:
        return path[5:]
    return None


def check_metrics(server, exchanges, before, after):
    """The server counted exactly the program's requests (by type and status);
    the one /metrics read between the two snapshots is counted as other/200."""
    expected = collections.Counter({("other", 200): 1})
    for e in exchanges:
        path = path_of(e["url"], server.base)
        pid = page_id(path, server.graph)
        kind = (server.graph[pid]["page_type"] if pid
                else "root" if path in ("/api", "/api/") else "other")
        expected[(kind, e["status"])] += 1
    seen = collections.Counter({k: after[k] - before[k] for k in after if after[k] != before[k]})
    require(seen == expected, f"server's /metrics counted {dict(seen)}, the program made "
                              f"{dict(expected)}")


# ---------------------------------------------------------------- what a crawl reached

def crawl_after_start(record, server):
    """(start id, [(id, status)] of the page fetches after the start page was found
    through /graph/random)."""
    exchanges = [(path_of(e["url"], server.base), e["status"]) for e in record["exchanges"]]
    paths = [p for p, _ in exchanges]
    require("/graph/random" in paths, "never asked /graph/random for a start page")
    landing = paths.index("/graph/random") + 1
    start = page_id(paths[landing], server.graph)
    require(start is not None, f"/graph/random led to {paths[landing]}, not a page")
    fetches = [(page_id(p, server.graph), s) for p, s in exchanges[landing + 1:]
               if p.startswith("/api/")]
    require(all(i is not None for i, _ in fetches), "fetched a page that does not exist")
    return start, fetches


def check_crawl(server, start, fetches, limit, complete=True, overshoot=0):
    """Pages reached only through links; once each; all that is reachable through
    the pages answered (none past a puzzle or a 500) unless the limit stopped it."""
    graph = server.graph
    ids = [i for i, _ in fetches]
    require(ids and ids[0] == start, f"the crawl did not begin at its start page {start}")
    twice = [i for i, n in collections.Counter(ids).items() if n > 1]
    require(not twice, f"fetched pages more than once: {twice}")
    followed = {i for i, status in fetches
                if status == 200 and graph[i]["page_type"] not in PUZZLES}
    linked = {link for i in followed for link in graph[i]["links"]}
    stray = [i for i in ids if i != start and i not in linked]
    require(not stray, f"fetched pages no answered page links to: {stray}")
    require(len(ids) <= limit + overshoot, f"{len(ids)} pages, past max_pages={limit}")
    if complete and len(ids) < limit:
        missed = sorted(linked - set(ids))
        require(not missed, f"stopped at {len(ids)} pages, missing reachable {missed}")
    return len(ids)


def printed_count(record, pattern):
    """The count a line of its output (stdout, or stderr: logging) says."""
    output = record["stdout"] + record["stderr"]
    found = re.search(pattern, output)
    require(found, f"printed no line matching {pattern!r}:\n{output[-1000:]}")
    return int(found.group(1))


def ran_to_end(record):
    require(record["returncode"] == 0 and not record["error"],
            f"exited {record['returncode']}:\n{(record['error'] or record['stderr'])[-2000:]}")


# ---------------------------------------------------------------- the checks, one per program

def not_found_fetches(expected):
    def check(server, record):
        ran_to_end(record)
        statuses = [e["status"] for e in record["exchanges"]]
        require(statuses == [404] * expected, f"expected {expected} answers 404, got {statuses}")
        return f"{expected} requests for ids no server has (page0…): 404 {{\"error\": …}} each"
    return check


def placeholder(page_type):
    return lambda server: {"a1b2": server.ids_of(page_type)[0]}


def check_regular_page(server, record):
    ran_to_end(record)
    page = server.ids_of("regular")[0]
    data = record["globals"]["data"]
    require(data["page_id"] == page, f"read {data.get('page_id')}, not {page}")
    require([link.split("/")[-1] for link in data["links"]] == server.graph[page]["links"],
            "its links are not the page's")
    return f"regular page {page}: {len(data['links'])} links, as the graph has them"


def check_puzzle_answer(page_type):
    def check(server, record):
        ran_to_end(record)
        page = server.ids_of(page_type)[0]
        answer = record["globals"].get("target_page")
        require(answer == server.graph[page]["links"][0],
                f"solved {page_type} page {page} to {answer!r}, its link is "
                f"{server.graph[page]['links'][0]}")
        return f"{page_type} page {page}: 'hashseed' solved to its link {answer}"
    return check


def check_tolerant_crawl(limit):
    """A crawler that skips what has no links (puzzles, 500s) and follows the rest."""
    def check(server, record):
        ran_to_end(record)
        start, fetches = crawl_after_start(record, server)
        n = check_crawl(server, start, fetches, limit)
        pages = record["globals"]["pages"]
        require(len(pages) == n, f"returned {len(pages)} pages, fetched {n}")
        return f"{n} pages from {start}, every one reachable without a puzzle or a 500"
    return check


def check_guide_crash(server, record):
    require(record["returncode"] == 1 and "KeyError: 'links'" in (record["error"] or ""),
            f"expected it to stop with KeyError: 'links' (a page without links), "
            f"exited {record['returncode']}")
    start, fetches = crawl_after_start(record, server)
    last = fetches[-1]
    require(last[1] != 200 or server.graph[last[0]]["page_type"] in PUZZLES,
            f"stopped after page {last[0]}, which has links")
    kind = (f"failure page {last[0]}'s 500" if last[1] != 200
            else f"{server.graph[last[0]]['page_type']} page {last[0]}")
    return f"stops with KeyError: 'links' at {kind}, as the README says"


def check_guide_crawl(pattern, limit):
    def check(server, record):
        ran_to_end(record)
        start, fetches = crawl_after_start(record, server)
        n = check_crawl(server, start, fetches, limit)
        require(printed_count(record, pattern) == n, "printed another count than it fetched")
        require(len(record["globals"]["pages"]) == n, "returned another count than it fetched")
        return f"{n} pages from {start}: every page reachable from it"
    return check


def check_guide_asyncio(server, record):
    """Its batches keep only the links of the last batch (to_visit is replaced):
    pages are real and linked, but it may stop short of all that is reachable."""
    ran_to_end(record)
    start, fetches = crawl_after_start(record, server)
    n = check_crawl(server, start, fetches, 50, complete=False)
    require(printed_count(record, r"Asyncio \(10 concurrent\): Visited (\d+) pages") == n,
            "printed another count than it fetched")
    return f"{n} pages from {start}, each reached by a link (puzzles and 500s end a branch)"


def check_guide_multiprocessing(server, record):
    ran_to_end(record)
    results = record["globals"]["results"]
    require(len(results) == 20, f"analysed {len(results)} pages, not 20")
    for r in results:
        require(r["page_id"] in server.graph, f"analysed unknown page {r['page_id']}")
        require(r["link_count"] == len(server.graph[r["page_id"]]["links"]),
                f"page {r['page_id']}: {r['link_count']} links, the graph has "
                f"{len(server.graph[r['page_id']]['links'])}")
    return "20 sampled pages fetched and analysed in 4 processes, link counts right"


def check_guide_comparison(server, record):
    ran_to_end(record)
    require("failed" not in record["stdout"], f"a crawler failed:\n{record['stdout']}")
    counts = {}
    for name in ("Sequential", "Threading", "Asyncio"):
        counts[name] = printed_count(record, rf"(?m)^{name}\s*: (\d+) pages in .* pages/sec")
    reach = reachable(server, printed_start(record))
    require(counts["Sequential"] == counts["Threading"] == min(30, len(reach)),
            f"sequential and threading should both visit min(30, {len(reach)}): {counts}")
    require(0 < counts["Asyncio"] <= 30, f"asyncio visited {counts['Asyncio']}")
    return f"summary printed: {counts}"


def printed_start(record):
    found = re.search(r"Starting from page: (\w+)", record["stdout"])
    require(found, "printed no start page")
    return found.group(1)


def reachable(server, start):
    seen, queue = {start}, [start]
    while queue:
        for link in server.graph[queue.pop()]["links"]:
            if link not in seen:
                seen.add(link)
                queue.append(link)
    return seen


def check_requests_futures(server, record):
    """Batches of 5, so it may pass max_pages by up to 4."""
    ran_to_end(record)
    start, fetches = crawl_after_start(record, server)
    n = check_crawl(server, start, fetches, 50, overshoot=4)
    require(printed_count(record, r"Requests-futures: Visited (\d+) pages") == n,
            "printed another count than it fetched")
    return f"{n} pages from {start}, every one reachable without a puzzle or a 500"


def check_html_crawler(pattern):
    def check(server, record):
        ran_to_end(record)
        require(printed_count(record, pattern) == 1, "expected its start page alone")
        paths = {path_of(e["url"], server.base) for e in record["exchanges"]}
        require(paths <= {"", "/"}, f"fetched {sorted(paths)} beyond its start")
        return "its start page only: it follows href= in HTML, the server answers JSON"
    return check


# name, course blocks, server, argv, substitutions (server -> {old: new}), check
PROGRAMS = [
    ("readme_threading", ["readme_threading"], "default", [], None, not_found_fetches(5)),
    ("readme_asyncio", ["readme_asyncio"], "default", [], None, not_found_fetches(10)),
    ("readme_regular_pages", ["readme_regular_pages"], "default", [], placeholder("regular"),
     check_regular_page),
    ("readme_cpu_pages", ["readme_cpu_pages"], "default", [],
     lambda s: {"a1b2": s.ids_of("cpu")[0], "50000000": str(s.puzzle["cpu_iterations"])},
     check_puzzle_answer("cpu")),
    ("readme_core_pages", ["readme_core_pages"], "default", [], placeholder("core"),
     check_puzzle_answer("core")),
    ("readme_performance", ["readme_performance"], "url", ["sequential"], None,
     check_tolerant_crawl(50)),
    ("readme_performance", ["readme_performance"], "url", ["threaded"], None,
     check_tolerant_crawl(50)),
    ("readme_performance", ["readme_performance"], "url", ["async"], None,
     check_tolerant_crawl(50)),
    ("guide_sequential", ["guide_sequential"], "default", [], None, check_guide_crash),
    ("guide_sequential", ["guide_sequential"], "links_only", [], None,
     check_guide_crawl(r"Sequential: Visited (\d+) pages", 50)),
    ("guide_threading", ["guide_threading"], "links_only", [], None,
     check_guide_crawl(r"Threading \(5 threads\): Visited (\d+) pages", 50)),
    ("guide_asyncio", ["guide_asyncio"], "default", [], None, check_guide_asyncio),
    ("guide_multiprocessing", ["guide_multiprocessing"], "links_only", [], None,
     check_guide_multiprocessing),
    ("guide_comparison",
     ["guide_sequential", "guide_threading", "guide_asyncio", "guide_comparison"],
     "links_only", [], None, check_guide_comparison),
    ("guide_requests_futures", ["guide_requests_futures"], "default", [], None,
     check_requests_futures),
    ("tutor_web_crawler", ["tutor_web_crawler"], "default", [],
     lambda s: {"https://www.google.com": s.base}, check_html_crawler(r"Crawled (\d+) URLs")),
    ("chapter11_web_scraping", ["chapter11_web_scraping"], "default", [],
     lambda s: {"https://www.python.org": s.base},
     check_html_crawler(r"Crawled (\d+) pages in")),
]


def missing_modules():
    return [f"{m} ({pkg})" for m, pkg in MODULES.items() if importlib.util.find_spec(m) is None]


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--concur", required=True, help="the concur binary")
    p.add_argument("--only", help="run the programs of this name alone")
    p.add_argument("--keep", help="write the programs as run, and their records, here")
    p.add_argument("--seed", type=int, default=SEED, help=f"the servers' seed (default {SEED})")
    a = p.parse_args()
    missing = missing_modules()
    if missing:
        print(f"course sketches: {sys.executable} lacks {', '.join(missing)}; "
              "scripts/install-deps.sh installs them", file=sys.stderr)
        return 1
    programs = [x for x in PROGRAMS if a.only in (None, x[0])]
    if not programs:
        print(f"course sketches: no program named {a.only}", file=sys.stderr)
        return 2
    failures = 0
    servers = {}
    with tempfile.TemporaryDirectory(prefix="course-") as scratch:
        workdir = pathlib.Path(a.keep or scratch)
        workdir.mkdir(parents=True, exist_ok=True)
        try:
            for name, blocks, kind, args, subs, check in programs:
                label = f"{name} {' '.join(args)}".strip() + f" [{kind}]"
                started = time.monotonic()
                try:
                    if kind not in servers:
                        servers[kind] = Server(a.concur, a.seed, SERVERS[kind])
                        check_server(kind, servers[kind])
                    server = servers[kind]
                    record = run_program(server, name, blocks, args,
                                         subs(server) if subs else {}, workdir)
                    verdict = "ok   " + check(server, record)
                except CheckFailed as e:
                    failures += 1
                    verdict = f"FAIL {e}"
                print(f"{label}: {verdict} ({time.monotonic() - started:.1f} s)", flush=True)
        finally:
            for server in servers.values():
                server.stop()
    print(f"course sketches: {len(programs) - failures} of {len(programs)} passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
