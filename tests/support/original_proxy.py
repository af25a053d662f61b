#!/usr/bin/env python3
"""Makes a `concur serve --profile original` look more like the original server.

Stands in front of UPSTREAM and forwards every request, changing what the
original does differently from ours:
  --original-cheat    /api/cheat/ in the original's shape, {"<id>": ["<id>", ...]}
                      (ours is {"<id>": {"page_type": t, "links": [...]}})
  --announce-nothing  `/` without our extensions ("puzzle", "seed"): the
                      original does not announce its puzzle settings
Usage: original_proxy.py UPSTREAM_URL [flags]   (prints "port N" once it listens)
"""
import json
import sys
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

UPSTREAM = sys.argv[1].rstrip("/")
FLAGS = set(sys.argv[2:])


def rewrite(path, body):
    if path == "/api/cheat/" and "--original-cheat" in FLAGS:
        graph = json.loads(body)
        return json.dumps({page: entry["links"] for page, entry in graph.items()}).encode()
    if path == "/" and "--announce-nothing" in FLAGS:
        root = json.loads(body)
        root.pop("puzzle", None)
        root.pop("seed", None)
        return json.dumps(root).encode()
    return body


class Proxy(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        try:
            with urllib.request.urlopen(UPSTREAM + self.path) as answer:
                status, body = answer.status, answer.read()
        except urllib.error.HTTPError as error:
            status, body = error.code, error.read()
        if status == 200:
            body = rewrite(self.path, body)
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


server = ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
print("port", server.server_address[1], flush=True)
server.serve_forever()
