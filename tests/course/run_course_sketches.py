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
import importlib.util
import json
import pathlib
import subprocess
import sys
import tempfile
import time

from course_checks import (check_guide_asyncio, check_guide_comparison, check_guide_crash,
                           check_guide_crawl, check_guide_multiprocessing, check_html_crawler,
                           check_metrics, check_puzzle_answer, check_regular_page,
                           check_requests_futures, check_tolerant_crawl, not_found_fetches,
                           placeholder)
from course_server import SERVERS, CheckFailed, Server, check_server, require

HERE = pathlib.Path(__file__).resolve().parent
MODULES = {"requests": "python3-requests", "aiohttp": "python3-aiohttp",
           "bs4": "python3-bs4", "requests_futures": "python3-requests-futures"}
PROGRAM_TIMEOUT_S = 90
SEED = 3  # its random start pages have links: a one-page crawl would prove little


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
