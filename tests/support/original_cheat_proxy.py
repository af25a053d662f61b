#!/usr/bin/env python3
"""Stands in front of a server and serves /api/cheat/ in the original's shape.

The original Web Graph Server answers /api/cheat/ with {"<id>": ["<id>", ...]}:
every page's links, no types. `concur serve` answers with our shape
({"<id>": {"page_type": t, "links": [...]}}), so this proxy rewrites that one
route and forwards every other one unchanged. Usage:
    original_cheat_proxy.py UPSTREAM_URL   (prints "port N" once it listens)
"""
import json
import sys
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

UPSTREAM = sys.argv[1].rstrip("/")


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
        if self.path == "/api/cheat/" and status == 200:
            graph = json.loads(body)
            body = json.dumps({page: entry["links"] for page, entry in graph.items()}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


server = ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
print("port", server.server_address[1], flush=True)
server.serve_forever()
