"""`concur serve` on a free loopback port, for run_course_sketches.py."""
import collections
import json
import re
import select
import signal
import subprocess
import threading
import time
import urllib.request

# Small and fast: 40 pages, delays x0.01, puzzles of 20,000 / 5,000 md5 steps.
COMMON = ["--port", "0", "--pages", "40", "--extra-edges", "120",
          "--delay-scale", "0.01", "--cpu-iterations", "20000", "--core-iterations", "5000"]
SERVERS = {
    "default": [],
    "url": ["--link-format", "url"],
    "links_only": ["--shares", "regular=0.9,delay=0.1,failure=0,cpu=0,core=0"],
}


class CheckFailed(Exception):
    pass


def require(condition, message):
    if not condition:
        raise CheckFailed(message)


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
