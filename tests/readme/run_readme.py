#!/usr/bin/env python3
"""Runs the README's code blocks marked runnable, as a new user would type them.

usage: run_readme.py --source SRC --build BUILD

A block is runnable when the line before its ```sh fence is `<!-- ci: run -->`.
Each command runs with bash in a scratch folder laid out like the repository
root — `build` (this build tree), `configs/`, `scripts/` — so `build/concur ...`
works as written and nothing lands in the source tree. A command that starts a
server (`concur serve`) must answer GET /health on its --port within 30 s; it is
then stopped with SIGTERM and must exit 0. Every other command must exit 0.
"""
import argparse
import os
import pathlib
import re
import shlex
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

MARK = "<!-- ci: run -->"


def runnable_commands(readme):
    lines = readme.read_text().splitlines()
    commands = []
    for i, line in enumerate(lines):
        if line.strip() != MARK:
            continue
        if i + 1 >= len(lines) or not lines[i + 1].startswith("```sh"):
            sys.exit(f"README.md:{i + 1}: {MARK} must be followed by a ```sh block")
        for j in range(i + 2, len(lines)):
            if lines[j].startswith("```"):
                break
            # A comment starts at "  #" (two spaces) or at the line's start.
            command = re.split(r"\s{2,}#", lines[j])[0].strip()
            if command and not command.startswith("#"):
                commands.append((j + 1, command))
    return commands


def healthy(port):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


def run_server(command, cwd):
    words = shlex.split(command)
    if "--port" not in words:
        return f"a server command must name its --port: {command}"
    port = int(words[words.index("--port") + 1])
    if healthy(port):
        return f"port {port} already answers: something else is running there"
    proc = subprocess.Popen(["bash", "-c", "exec " + command], cwd=cwd,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 30
    while not healthy(port):
        if proc.poll() is not None:
            return f"exited {proc.returncode} before answering:\n{proc.stdout.read()}"
        if time.monotonic() > deadline:
            proc.kill()
            proc.wait()
            return "no answer on /health within 30 s"
        time.sleep(0.1)
    proc.send_signal(signal.SIGTERM)
    try:
        rc = proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        return "ignored SIGTERM for 10 s"
    return None if rc == 0 else f"exited {rc} after SIGTERM:\n{proc.stdout.read()}"


def run_command(command, cwd):
    try:
        p = subprocess.run(["bash", "-c", command], cwd=cwd, capture_output=True, text=True,
                           timeout=900)
    except subprocess.TimeoutExpired:
        return "did not finish within 900 s"
    if p.returncode != 0:
        return f"exited {p.returncode}:\n{p.stdout[-2000:]}{p.stderr[-2000:]}"
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--source", required=True, type=pathlib.Path)
    ap.add_argument("--build", required=True, type=pathlib.Path)
    args = ap.parse_args()
    commands = runnable_commands(args.source / "README.md")
    if len(commands) < 5:
        sys.exit(f"only {len(commands)} runnable README commands found: is the {MARK} mark gone?")
    failures = 0
    with tempfile.TemporaryDirectory(prefix="concur-readme.") as tmp:
        root = pathlib.Path(tmp)
        os.symlink(args.build.resolve(), root / "build")
        for folder in ("configs", "scripts"):
            os.symlink((args.source / folder).resolve(), root / folder)
        for line, command in commands:
            start = time.monotonic()
            is_server = re.search(r"\bconcur serve\b", command) is not None
            problem = run_server(command, root) if is_server else run_command(command, root)
            took = time.monotonic() - start
            print(f"README.md:{line}: {'FAIL' if problem else 'ok'} ({took:.1f} s) {command}",
                  flush=True)
            if problem:
                print(f"  {problem}", flush=True)
                failures += 1
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
