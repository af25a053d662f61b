#!/usr/bin/python3
"""Hostile and well-behaved clients for scripts/bench-hostile.sh (standard library
only; 127.0.0.1 only; every mode bounded in count and time).

  hostile_clients.py probe URL --paths P1,P2 --count N [--timeout S] [--deadline EPOCH] [--out F]
      N rounds of sequential GETs, one per path per round (interleaved), each on a new
      connection (Connection: close), latency from connect() to the last body byte.
      A failure: connect error, no answer within --timeout, status != 200, short body,
      body not JSON. Stops early at --deadline (unix seconds). JSON to --out / stdout.
  hostile_clients.py attack URL --slowloris S --nonreaders R --duration D [...] [--out F]
      S slowloris connections (a valid GET header sent one byte per second, longer than
      the phase, never finished) and R non-readers (SO_RCVBUF small, P pipelined GETs of
      a big page, never read) held for D seconds; with --reconnect a connection the
      server closes is opened again at once. Reports per kind: opened, closed by the
      server (and their ages), still open at the end.
  hostile_clients.py metrics URL
      The server's /metrics connection gauges as key=value lines.
  hostile_clients.py wait-open URL (--at-least N | --at-most N) --timeout S
      Polls /metrics every 0.2 s until concur_connections_open (minus the poll's own
      connection) is >= N (or <= N); prints "open=.. waited_s=.. reached=0|1".
"""
import argparse
import errno
import json
import os
import re
import select
import socket
import statistics
import sys
import time
import urllib.parse
import urllib.request

MAX_CONNS = 5000       # per kind of attacker
MAX_DURATION = 120     # seconds, any mode


def parse_url(url):
    u = urllib.parse.urlsplit(url)
    if u.scheme != "http" or u.hostname != "127.0.0.1" or not u.port:
        sys.exit(f"{url}: only http://127.0.0.1:PORT is allowed")
    return u.hostname, u.port


def percentile(xs, p):
    """Nearest rank: the smallest value with at least p% of the samples at or below it."""
    if not xs:
        return float("nan")
    s = sorted(xs)
    k = max(1, -(-len(s) * p // 100))  # ceil(n * p / 100)
    return s[int(k) - 1]


def dump(obj, out):
    text = json.dumps(obj, indent=1, sort_keys=True)
    if out:
        with open(out, "w") as f:
            f.write(text + "\n")
    else:
        print(text)


# ---- probe: the well-behaved client --------------------------------------------------

def one_get(host, port, path, timeout):
    """(latency_ms, None) or (latency_ms, failure kind)."""
    t0 = time.perf_counter()
    end = t0 + timeout
    try:
        s = socket.create_connection((host, port), timeout=timeout)
    except socket.timeout:
        return (time.perf_counter() - t0) * 1e3, "connect_timeout"
    except OSError as e:
        return (time.perf_counter() - t0) * 1e3, f"connect_{errno.errorcode.get(e.errno, e.errno)}"
    try:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUser-Agent: hostile-probe\r\n"
                  "Accept: application/json\r\nConnection: close\r\n\r\n".encode())
        data = bytearray()
        while True:
            left = end - time.perf_counter()
            if left <= 0:
                return (time.perf_counter() - t0) * 1e3, "timeout"
            s.settimeout(left)
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
            head, sep, body = bytes(data).partition(b"\r\n\r\n")
            if sep:
                m = re.search(rb"^content-length:\s*(\d+)", head, re.I | re.M)
                if m and len(body) >= int(m.group(1)):
                    break  # whole answer: do not wait for the close
        ms = (time.perf_counter() - t0) * 1e3
    except socket.timeout:
        return (time.perf_counter() - t0) * 1e3, "timeout"
    except OSError as e:
        return (time.perf_counter() - t0) * 1e3, f"io_{errno.errorcode.get(e.errno, e.errno)}"
    finally:
        s.close()
    head, sep, body = bytes(data).partition(b"\r\n\r\n")
    if not sep:
        return ms, "no_answer" if not data else "short_head"
    status = head.split(b"\r\n", 1)[0].split(b" ")
    if len(status) < 2 or status[1] != b"200":
        return ms, f"status_{status[1].decode(errors='replace') if len(status) > 1 else '?'}"
    m = re.search(rb"^content-length:\s*(\d+)", head, re.I | re.M)
    if not m or len(body) < int(m.group(1)):
        return ms, "short_body"
    try:
        json.loads(body[: int(m.group(1))])
    except ValueError:
        return ms, "bad_json"
    return ms, None


def probe(a):
    host, port = parse_url(a.url)
    paths = [p for p in a.paths.split(",") if p]
    if not paths or not 1 <= a.count <= 1000 or not 0 < a.timeout <= 60:
        sys.exit("probe: --paths non-empty, 1 <= --count <= 1000, 0 < --timeout <= 60")
    res = {p: {"latencies_ms": [], "failures": {}, "asked": a.count, "done": 0} for p in paths}
    started = time.time()
    stopped_early = False
    for _ in range(a.count):
        for p in paths:
            if a.deadline and time.time() + 0.1 > a.deadline:
                stopped_early = True
                break
            ms, fail = one_get(host, port, p, a.timeout)
            r = res[p]
            r["done"] += 1
            if fail:
                r["failures"][fail] = r["failures"].get(fail, 0) + 1
            else:
                r["latencies_ms"].append(round(ms, 3))
        if stopped_early:
            break
    for r in res.values():
        lat = r["latencies_ms"]
        r["failed"] = sum(r["failures"].values())
        r.update(p50_ms=percentile(lat, 50), p99_ms=percentile(lat, 99),
                 max_ms=max(lat) if lat else float("nan"), min_ms=min(lat) if lat else float("nan"))
    dump({"started": started, "ended": time.time(), "stopped_early": stopped_early, "paths": res}, a.out)


# ---- attack: slowloris and non-readers, one poll loop --------------------------------

class Conn:
    __slots__ = ("kind", "sock", "state", "opened", "sent", "next_at")

    def __init__(self, kind, sock):
        self.kind, self.sock, self.state = kind, sock, "connecting"
        self.opened = time.monotonic()
        self.sent, self.next_at = 0, 0.0


def attack(a):
    host, port = parse_url(a.url)
    if not (0 <= a.slowloris <= MAX_CONNS and 0 <= a.nonreaders <= MAX_CONNS):
        sys.exit(f"attack: --slowloris and --nonreaders must be 0..{MAX_CONNS}")
    if not 0 < a.duration <= MAX_DURATION or not 1 <= a.pipeline <= 1000:
        sys.exit(f"attack: 0 < --duration <= {MAX_DURATION}, 1 <= --pipeline <= 1000")
    pad = max(256, int(a.duration) + 64)   # longer than the phase at 1 byte/s
    base = (f"GET {a.slow_path} HTTP/1.1\r\nHost: {host}:{port}\r\nUser-Agent: hostile-slowloris\r\n"
            "X-Slow: ")
    slow_header = (base + "a" * max(1, pad - len(base) - 4) + "\r\n\r\n").encode()
    assert len(slow_header) < 8 * 1024  # the server's header limit: stay a valid request
    pipelined = (f"GET {a.big_path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
                 "User-Agent: hostile-nonreader\r\n\r\n").encode() * a.pipeline

    stats = {k: {"target": n, "opened": 0, "connect_failed": 0, "established": 0, "closed_by_server": 0,
                 "server_answered": 0, "ages_closed_s": [], "open_max": 0, "bytes_sent": 0}
             for k, n in (("slowloris", a.slowloris), ("nonreaders", a.nonreaders))}
    conns = {}                     # fd -> Conn
    poller = select.poll()
    HUP = select.POLLHUP | select.POLLERR | select.POLLRDHUP
    start = time.monotonic()
    deadline = start + a.duration
    reopen = []                    # kinds to open again (after a server close)

    def open_count(kind):
        return sum(1 for c in conns.values() if c.kind == kind and c.state == "open")

    def open_one(kind):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        if kind == "nonreaders":   # a small window: the server's writes block soon
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, a.rcvbuf)
        err = s.connect_ex((host, port))
        if err not in (0, errno.EINPROGRESS):
            stats[kind]["connect_failed"] += 1
            s.close()
            return
        c = Conn(kind, s)
        conns[s.fileno()] = c
        stats[kind]["opened"] += 1
        poller.register(s, select.POLLOUT | HUP)

    def drop(c, by_server):
        fd = c.sock.fileno()
        poller.unregister(fd)
        del conns[fd]
        c.sock.close()
        if by_server:
            st = stats[c.kind]
            st["closed_by_server"] += 1
            st["ages_closed_s"].append(round(time.monotonic() - c.opened, 2))
            if a.reconnect and time.monotonic() < deadline - 0.5:
                reopen.append(c.kind)

    def established(c):
        c.state = "open"
        st = stats[c.kind]
        st["established"] += 1
        if c.kind == "slowloris":
            poller.modify(c.sock, select.POLLIN | HUP)
            c.next_at = time.monotonic()          # first byte now, then one a second
        else:
            poller.modify(c.sock, HUP)            # never POLLIN: we never read
            try:
                n = c.sock.send(pipelined)
                st["bytes_sent"] += n
            except OSError:
                return drop(c, True)
        st["open_max"] = max(st["open_max"], open_count(c.kind))

    for kind, n in (("slowloris", a.slowloris), ("nonreaders", a.nonreaders)):
        for _ in range(n):
            open_one(kind)

    while True:
        now = time.monotonic()
        if now >= deadline:
            break
        while reopen:
            open_one(reopen.pop())
        wake = min([deadline] + [c.next_at for c in conns.values() if c.kind == "slowloris" and c.state == "open"])
        for fd, ev in poller.poll(max(0, min(wake - now, 0.2)) * 1000):
            c = conns.get(fd)
            if c is None:
                continue
            if c.state == "connecting":
                err = c.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if err or ev & (select.POLLERR | select.POLLHUP):
                    stats[c.kind]["connect_failed"] += 1
                    drop(c, False)
                    if a.reconnect:
                        reopen.append(c.kind)
                else:
                    established(c)
                continue
            if c.kind == "slowloris" and ev & select.POLLIN:
                try:
                    data = c.sock.recv(65536)
                except OSError:
                    data = b""
                if data:   # the server answered (e.g. 4xx) before the header was whole
                    stats[c.kind]["server_answered"] += 1
                    continue
                drop(c, True)
            elif ev & HUP:
                drop(c, True)
        now = time.monotonic()
        for c in [c for c in conns.values() if c.kind == "slowloris" and c.state == "open" and c.next_at <= now]:
            if c.sent >= len(slow_header) - 1:     # never send the final byte
                c.next_at = deadline
                continue
            try:
                n = c.sock.send(slow_header[c.sent:c.sent + 1])
                c.sent += n
                stats["slowloris"]["bytes_sent"] += n
                c.next_at = now + 1.0
            except BlockingIOError:
                c.next_at = now + 1.0
            except OSError:
                drop(c, True)

    end = time.monotonic()
    for kind, st in stats.items():
        live = [c for c in conns.values() if c.kind == kind and c.state == "open"]
        st["open_at_end"] = len(live)
        st["connecting_at_end"] = sum(1 for c in conns.values() if c.kind == kind and c.state == "connecting")
        ages = [end - c.opened for c in live]
        st["oldest_open_s"] = round(max(ages), 2) if ages else 0
        if a.idle_timeout > 0:    # connections the idle timeout should have cut (2 s of slack)
            st["outlived_idle_timeout"] = sum(1 for x in ages if x > a.idle_timeout + 2)
        cl = st.pop("ages_closed_s")
        st["closed_age_s"] = {"min": min(cl), "median": statistics.median(cl), "max": max(cl)} if cl else None
    for c in list(conns.values()):
        c.sock.close()
    dump({"duration_s": round(end - start, 2), "idle_timeout_s": a.idle_timeout, "reconnect": a.reconnect,
          "slow_header_bytes": len(slow_header), "pipelined_requests": a.pipeline, "big_path": a.big_path,
          "slow_path": a.slow_path, "rcvbuf": a.rcvbuf, **stats}, a.out)


# ---- /metrics --------------------------------------------------------------------------

GAUGES = {"open": "concur_connections_open", "peak": "concur_connections_peak",
          "accepted": "concur_connections_accepted_total", "timed_out": "concur_connections_timed_out_total",
          "refused": "concur_connections_refused_total", "in_flight": "concur_requests_in_flight",
          "delay_err_max_ms": "concur_delay_error_max_ms"}


def read_metrics(url):
    text = urllib.request.urlopen(url.rstrip("/") + "/metrics", timeout=5).read().decode()
    out = {}
    for k, name in GAUGES.items():
        m = re.search(rf"^{name} ([0-9.e+-]+)$", text, re.M)
        out[k] = float(m.group(1)) if m else float("nan")
    return out


def metrics(a):
    parse_url(a.url)
    for k, v in read_metrics(a.url).items():
        print(f"{k}={v:.2f}" if k.endswith("_ms") else f"{k}={v:.0f}")


def wait_open(a):
    parse_url(a.url)
    if not 0 < a.timeout <= MAX_DURATION:
        sys.exit(f"wait-open: 0 < --timeout <= {MAX_DURATION}")
    t0 = time.monotonic()
    n, reached = float("nan"), False
    while True:
        try:
            n = read_metrics(a.url)["open"] - 1      # this poll's own connection
        except OSError:
            pass
        reached = n >= a.at_least if a.at_least is not None else n <= a.at_most
        if reached or time.monotonic() - t0 >= a.timeout:
            break
        time.sleep(0.2)
    print(f"open={n:.0f} waited_s={time.monotonic() - t0:.2f} reached={int(reached)}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="mode", required=True)
    p = sub.add_parser("probe")
    p.add_argument("url")
    p.add_argument("--paths", required=True)
    p.add_argument("--count", type=int, default=20)
    p.add_argument("--timeout", type=float, default=10)
    p.add_argument("--deadline", type=float, default=0)
    p.add_argument("--out")
    p.set_defaults(fn=probe)
    p = sub.add_parser("attack")
    p.add_argument("url")
    p.add_argument("--slowloris", type=int, default=0)
    p.add_argument("--nonreaders", type=int, default=0)
    p.add_argument("--duration", type=float, required=True)
    p.add_argument("--slow-path", default="/health")
    p.add_argument("--big-path", default="/api/cheat/")
    p.add_argument("--pipeline", type=int, default=64)
    p.add_argument("--rcvbuf", type=int, default=4096)
    p.add_argument("--reconnect", action="store_true")
    p.add_argument("--idle-timeout", type=float, default=0, help="the server's, for the report only")
    p.add_argument("--out")
    p.set_defaults(fn=attack)
    p = sub.add_parser("metrics")
    p.add_argument("url")
    p.set_defaults(fn=metrics)
    p = sub.add_parser("wait-open")
    p.add_argument("url")
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--at-least", type=float)
    g.add_argument("--at-most", type=float)
    p.add_argument("--timeout", type=float, default=20)
    p.set_defaults(fn=wait_open)
    a = ap.parse_args()
    a.fn(a)


if __name__ == "__main__":
    main()
