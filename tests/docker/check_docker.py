#!/usr/bin/python3
"""Checks docker/Dockerfile and docker/compose.yaml without a Docker daemon.

  check_docker.py --concur BUILD/concur [--source REPO]

1. compose.yaml parses, and its services `server` and `runner` are the ones the
   README promises (ports, commands, healthcheck, depends_on, volumes).
2. The Dockerfile builds with scripts/install-deps.sh and scripts/build.sh (one
   source of truth with CI and the README), has a build stage and a slim
   runtime stage, and lays the binary out where it finds its plugins.
3. The runtime stage installs a package for every shared library the built
   binary and plugins need (readelf + ldd + dpkg -S, as the Dockerfile says).
4. The commands the containers run work when run directly: the server command
   (on 127.0.0.1 and a free port instead of 0.0.0.0:5000), the healthcheck
   against it, the runner command against it, and the image's CMD.
Prints one line per check; exit 0 when all pass, 1 when any fails, and 77 (ctest:
skipped) when none fails but one could not run here (check 3 off Debian).
"""
import argparse
import csv
import fnmatch
import json
import os
import posixpath
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

import yaml  # python3-yaml (scripts/install-deps.sh)

FAILURES = []
SKIPPED = []              # checks that could not run here: the test is not passed
SKIP_EXIT_CODE = 77       # SKIP_RETURN_CODE in tests/docker/CMakeLists.txt
START_DEADLINE_S = 30     # the quick server below starts in ~10 ms
RUN_TIMEOUT_S = 120       # the runner takes ~1 s here; generous for ASan builds
# The slim runtime image has glibc; everything else must be installed.
BASE_IMAGE_PACKAGES = {"libc6"}
# Sanitizer builds link these; the image is never built with a sanitizer.
SANITIZER_LIBS = re.compile(r"^lib(asan|ubsan|tsan|lsan)\.so")


def check(ok, what, detail=""):
    print(("ok:   " if ok else "FAIL: ") + what + ("" if ok or not detail else f" ({detail})"))
    if not ok:
        FAILURES.append(what)
    return ok


# --- compose.yaml -------------------------------------------------------------

def option_value(argv, name):
    return argv[argv.index(name) + 1] if name in argv[:-1] else None


def check_compose(compose, source):
    services = compose.get("services") or {}
    check({"server", "runner"} <= set(services), "compose: services server and runner",
          f"got {sorted(services)}")
    server, runner = services.get("server") or {}, services.get("runner") or {}
    for name, svc in (("server", server), ("runner", runner)):
        build = svc.get("build") or {}
        context = os.path.normpath(os.path.join(source, "docker", build.get("context", ".")))
        dockerfile = os.path.join(context, build.get("dockerfile", "Dockerfile"))
        check(context == os.path.normpath(source) and os.path.isfile(dockerfile) and
              os.path.samefile(dockerfile, os.path.join(source, "docker", "Dockerfile")),
              f"compose: {name} builds docker/Dockerfile with the repository as context",
              f"context {context}, dockerfile {dockerfile}")
    cmd = server.get("command") or []
    check(isinstance(cmd, list) and cmd[:1] == ["serve"] and
          option_value(cmd, "--host") == "0.0.0.0" and option_value(cmd, "--port") == "5000",
          "compose: server runs `concur serve --host 0.0.0.0 --port 5000`", str(cmd))
    check("127.0.0.1:5000:5000" in [str(p) for p in server.get("ports") or []],
          "compose: server publishes 127.0.0.1:5000 (the course's localhost:5000)",
          str(server.get("ports")))
    test = (server.get("healthcheck") or {}).get("test") or []
    check(test[:1] == ["CMD"] and any("/health" in t for t in test),
          "compose: server healthcheck asks GET /health", str(test))
    deps = runner.get("depends_on") or {}
    check(isinstance(deps, dict) and (deps.get("server") or {}).get("condition") == "service_healthy",
          "compose: runner waits for a healthy server", str(deps))
    rcmd = runner.get("command") or []
    check(isinstance(rcmd, list) and rcmd[:1] == ["run"] and len(rcmd) >= 2 and
          os.path.isfile(os.path.join(source, rcmd[1])),
          "compose: runner runs `concur run` on a config of the repository", str(rcmd))
    return server, runner


def check_runner_config(config, server):
    base_url = (config.get("server") or {}).get("base_url")
    port = option_value(server.get("command") or [], "--port")
    check(base_url == f"http://server:{port}", "config: crawls the compose service `server`",
          f"base_url {base_url}")
    check(len(config.get("strategies") or []) >= 2, "config: a couple of strategies")
    return config


# --- Dockerfile -------------------------------------------------------------

def dockerfile_instructions(text):
    """[(KEYWORD, arguments)], continuation lines joined, comments dropped."""
    out, pending = [], ""
    for line in text.splitlines():
        if line.strip().startswith("#") or (not line.strip() and not pending):
            continue
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        full = (pending + line).strip()
        pending = ""
        if full:
            keyword, _, args = full.partition(" ")
            out.append((keyword.upper(), args.strip()))
    return out


def stages(instructions):
    result = []
    for keyword, args in instructions:
        if keyword == "FROM":
            result.append({"from": args, "items": []})
        elif result:
            result[-1]["items"].append((keyword, args))
    return result


def runs(stage):
    return [args for keyword, args in stage["items"] if keyword == "RUN"]


def last(stage, keyword):
    values = [args for k, args in stage["items"] if k == keyword]
    return values[-1] if values else None


APT_INSTALL = re.compile(r"\bapt(?:-get)?\s+(?:-\S+\s+)*install\b")


def installed_packages(run):
    """Packages named by the apt-get install of one RUN line."""
    match = APT_INSTALL.search(run)
    if not match:
        return []
    words = run[match.end():].split("&&")[0].split()
    return [w for w in words if not w.startswith("-")]


def install_deps_packages(source):
    text = open(os.path.join(source, "scripts", "install-deps.sh")).read()
    lists = re.findall(r"^(?:BUILD|TEST)_PACKAGES=\(([^)]*)\)", text, re.M)
    check(len(lists) == 2, "install-deps.sh: BUILD_PACKAGES and TEST_PACKAGES lists found")
    return {p for body in lists for p in body.split()}


def check_build_stage(build):
    check(re.fullmatch(r"debian:12\s+AS\s+build", build["from"], re.I) is not None,
          "Dockerfile: first stage is `FROM debian:12 AS build`", build["from"])
    text = " && ".join(runs(build))
    check("scripts/install-deps.sh --build-only" in text,
          "Dockerfile: build stage runs scripts/install-deps.sh --build-only")
    built = re.search(r"scripts/build\.sh\s+build\b[^&]*", text)
    check(built is not None and "-DCMAKE_BUILD_TYPE=Release" in built.group(0) and
          "-DCONCUR_BUILD_TESTS=OFF" in built.group(0),
          "Dockerfile: build stage runs scripts/build.sh build (Release, no tests)")
    check(not any(APT_INSTALL.search(r) for r in runs(build)),
          "Dockerfile: build packages come only from scripts/install-deps.sh (no apt install)")


def copy_from_build(stage):
    """(source, destination) of every COPY --from=build of the stage."""
    pairs = []
    for keyword, args in stage["items"]:
        words = args.split()
        if keyword == "COPY" and "--from=build" in words:
            paths = [w for w in words if not w.startswith("--")]
            pairs += [(src, paths[-1]) for src in paths[:-1]]
    return pairs


def copy_target(src, dest):
    return posixpath.join(dest, posixpath.basename(src.rstrip("/"))) if dest.endswith("/") else dest


def env_values(stage):
    values = {}
    for keyword, args in stage["items"]:
        if keyword == "ENV":
            for word in shlex.split(args):
                key, _, value = word.partition("=")
                values[key] = value
    return values


def check_runtime_stage(runtime, source):
    check(re.fullmatch(r"debian:12-slim(\s+AS\s+\S+)?", runtime["from"], re.I) is not None,
          "Dockerfile: last stage is `FROM debian:12-slim`", runtime["from"])
    apt_runs = [r for r in runs(runtime) if APT_INSTALL.search(r)]
    packages = {p for r in apt_runs for p in installed_packages(r)}
    check(len(apt_runs) == 1 and "--no-install-recommends" in apt_runs[0] and
          "rm -rf /var/lib/apt/lists" in apt_runs[0],
          "Dockerfile: runtime packages in one RUN, --no-install-recommends, apt lists removed")
    build_only = sorted(p for p in packages if p.endswith("-dev") or p in install_deps_packages(source))
    check(packages and not build_only, "Dockerfile: runtime stage installs no build packages",
          f"{build_only}")
    user = last(runtime, "USER")
    check(user is not None and user.split(":")[0] not in ("root", "0"),
          "Dockerfile: runtime runs as a user of its own", str(user))
    check(last(runtime, "WORKDIR") is not None, "Dockerfile: runtime has a WORKDIR")
    check("5000" in (last(runtime, "EXPOSE") or "").replace("/tcp", "").split(),
          "Dockerfile: EXPOSE 5000")
    entrypoint = json.loads(last(runtime, "ENTRYPOINT") or "null")
    cmd = json.loads(last(runtime, "CMD") or "null")
    check(entrypoint == ["concur"], "Dockerfile: ENTRYPOINT [\"concur\"]", str(entrypoint))
    check(isinstance(cmd, list) and cmd[:1] == ["serve"] and
          option_value(cmd, "--host") == "0.0.0.0" and option_value(cmd, "--port") == "5000",
          "Dockerfile: CMD serves on 0.0.0.0:5000", str(cmd))
    check_layout(runtime)
    return packages, cmd


def check_layout(runtime):
    copies = copy_from_build(runtime)
    binary = [copy_target(s, d) for s, d in copies if s.endswith("/concur")]
    plugins = [d.rstrip("/") for s, d in copies if re.search(r"plugins/\*\.so$", s)]
    configs = [d.rstrip("/") for s, d in copies if s.rstrip("/").endswith("/configs")]
    if not check(len(binary) == 1 and len(plugins) == 1,
                 "Dockerfile: runtime copies build/concur and build/plugins/*.so", str(copies)):
        return
    bindir = posixpath.dirname(binary[0])
    searched = {posixpath.join(bindir, "plugins"),
                posixpath.normpath(posixpath.join(bindir, "..", "lib", "concur", "plugins"))}
    check(posixpath.normpath(plugins[0]) in searched,
          "Dockerfile: plugins where the binary looks (core/src/plugin/loader.cpp)",
          f"{plugins[0]} not in {sorted(searched)}")
    path = env_values(runtime).get("PATH", "")
    check(bindir in path.split(":"), "Dockerfile: the binary is on PATH", f"{bindir} / {path}")
    workdir = last(runtime, "WORKDIR") or ""
    check(configs == [posixpath.join(workdir, "configs")],
          "Dockerfile: configs/ copied into the WORKDIR, as `run configs/...` expects", str(configs))


def check_compose_against_image(runtime, server, runner):
    cache = env_values(runtime).get("CONCUR_CACHE_DIR")
    targets = [str(v).split(":")[1] for v in server.get("volumes") or [] if ":" in str(v)]
    check(cache is not None and cache in targets,
          "compose: the server's puzzle cache (CONCUR_CACHE_DIR) is a volume", f"{cache} / {targets}")
    results = posixpath.join(last(runtime, "WORKDIR") or "", "results")
    targets = [str(v).split(":")[1] for v in runner.get("volumes") or [] if ":" in str(v)]
    check(results in targets, "compose: the runner's results/ is mounted", f"{results} / {targets}")


def check_dockerignore(source):
    # A host build tree in the context would reach `COPY . .`, and build.sh
    # would then configure over a CMakeCache made for another path.
    path = os.path.join(source, ".dockerignore")
    lines = open(path).read().splitlines() if os.path.exists(path) else []
    patterns = [l.strip().rstrip("/") for l in lines if l.strip() and not l.startswith("#")]
    left_in = [d for d in ("build", "build-main", "results", ".git")
               if not any(fnmatch.fnmatch(d, p) for p in patterns)]
    check(not left_in, ".dockerignore: build trees, results and .git stay out of the context",
          f"not excluded: {left_in}")


# --- runtime libraries --------------------------------------------------------

def tool(argv):
    return subprocess.run(argv, capture_output=True, text=True, check=False)


def needed_packages(binary):
    """{Debian package: [libraries]} that the binary and its plugins load directly."""
    files = [binary] + sorted(
        os.path.join(os.path.dirname(binary), "plugins", f)
        for f in os.listdir(os.path.join(os.path.dirname(binary), "plugins")) if f.endswith(".so"))
    packages = {}
    for f in files:
        needed = re.findall(r"\(NEEDED\).*\[(.+)\]", tool(["readelf", "-d", f]).stdout)
        paths = dict(re.findall(r"^\s*(\S+) => (/\S+)", tool(["ldd", f]).stdout, re.M))
        for lib in needed:
            if lib.startswith("ld-linux") or SANITIZER_LIBS.match(lib):
                continue
            package = owning_package(paths.get(lib, ""))
            packages.setdefault(package or f"(no package owns {lib})", []).append(lib)
    return packages


def owning_package(path):
    if not path:
        return None
    candidates = [path, os.path.realpath(path)]
    candidates += ["/usr" + p for p in candidates if p.startswith("/lib")]  # usrmerge
    for p in candidates:
        result = tool(["dpkg", "-S", p])
        if result.returncode == 0:
            return result.stdout.split(":")[0].split(",")[0].strip()
    return None


def check_runtime_libraries(binary, packages):
    missing_tools = [t for t in ("readelf", "ldd", "dpkg") if shutil.which(t) is None]
    if missing_tools:
        print(f"SKIPPED: runtime libraries (no {', '.join(missing_tools)}: not a Debian host)")
        SKIPPED.append("runtime libraries")
        return
    needed = needed_packages(binary)
    missing = {p: libs for p, libs in needed.items()
               if p not in packages and p not in BASE_IMAGE_PACKAGES}
    check(not missing, "Dockerfile: runtime installs the package of every library concur and "
          f"its plugins load ({', '.join(sorted(needed))})",
          "; ".join(f"{p} for {sorted(set(libs))}" for p, libs in sorted(missing.items())))


# --- the commands, run directly ------------------------------------------------

def run_cmd(argv, cwd, timeout=RUN_TIMEOUT_S):
    return subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False)


def with_option(argv, name, value):
    argv = list(argv)
    if name in argv[:-1]:
        argv[argv.index(name) + 1] = value
    else:
        argv += [name, value]
    return argv


def check_help(binary, source, argv, what):
    result = run_cmd([binary] + argv + ["--help"], source)
    check(result.returncode == 0 and "Usage" in result.stdout,
          f"{what} parses: concur {' '.join(argv)} --help",
          f"exit {result.returncode}: {result.stderr.strip()[-300:]}")


def http_ok(url):
    try:
        with urllib.request.urlopen(url, timeout=2) as answer:
            return answer.status == 200
    except OSError:
        return False


def wait_for_server(proc, log_path):
    """The server's base URL once GET /health answers 200, or None."""
    deadline = time.monotonic() + START_DEADLINE_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return None
        with open(log_path) as log:
            found = re.search(r"http://127\.0\.0\.1:(\d+)", log.read())
        if found and http_ok(f"http://127.0.0.1:{found.group(1)}/health"):
            return f"http://127.0.0.1:{found.group(1)}"
        time.sleep(0.05)
    return None


def stop(proc):
    """SIGTERM, as `docker compose down` sends; the exit code, or None if it had to be killed."""
    if proc.poll() is not None:
        return proc.returncode
    proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        return None


def start_server(binary, source, server, tmp):
    # The compose command, on loopback and a free port instead of 0.0.0.0:5000,
    # and quick: delays x 0.01 and small puzzles (the full ones take ~1000
    # CPU-seconds to make). The puzzle cache goes to the temporary folder.
    argv = with_option(server["command"], "--host", "127.0.0.1")
    argv = with_option(argv, "--port", "0")
    argv += ["--delay-scale", "0.01", "--cpu-iterations", "1000", "--core-iterations", "250"]
    log_path = os.path.join(tmp, "server.log")
    env = dict(os.environ, CONCUR_CACHE_DIR=os.path.join(tmp, "cache"))
    with open(log_path, "w") as log:
        proc = subprocess.Popen([binary] + argv, cwd=source, stdout=log, stderr=subprocess.STDOUT,
                                env=env)
    return proc, log_path


def check_healthcheck(server, url):
    port = url.rsplit(":", 1)[1]
    test = [t.replace("127.0.0.1/5000", f"127.0.0.1/{port}") for t in server["healthcheck"]["test"][1:]]
    if not check(test != server["healthcheck"]["test"][1:],
                 "compose: healthcheck asks 127.0.0.1:5000 inside the container"):
        return
    result = subprocess.run(test, capture_output=True, text=True, timeout=10, check=False)
    check(result.returncode == 0, "healthcheck command succeeds against the running server",
          f"exit {result.returncode}: {result.stderr.strip()}")


def check_runner(binary, source, runner, config, url, tmp):
    # The compose command as is (max_pages from the config), only base_url
    # pointed at the server started here and the CSV into the temporary folder.
    out = os.path.join(tmp, "runs.csv")
    argv = runner["command"] + ["--set", f"server.base_url={url}", "--out", out]
    started = time.monotonic()
    result = run_cmd([binary] + argv, source)
    seconds = time.monotonic() - started
    if not check(result.returncode == 0, f"runner command exits 0 ({seconds:.1f} s): "
                 f"concur {' '.join(argv)}", f"exit {result.returncode}: {result.stderr.strip()[-500:]}"):
        return
    with open(out, newline="") as f:
        rows = list(csv.DictReader(f))
    bad = [r["strategy"] for r in rows if r.get("status") != "ok" or int(r.get("pages_ok") or 0) == 0]
    check(len(rows) >= len(config["strategies"]) and not bad and
          all(r.get("base_url") == url for r in rows),
          f"runner wrote {len(rows)} rows, every run ok with pages crawled", f"failed: {bad}")


def check_commands(binary, source, server, runner, config, image_cmd):
    check_help(binary, source, image_cmd, "Dockerfile CMD")
    check_help(binary, source, server["command"], "compose server command")
    check_help(binary, source, runner["command"], "compose runner command")
    dry = run_cmd([binary] + runner["command"] + ["--dry-run"], source)
    check(dry.returncode == 0, "runner config is valid (--dry-run)", dry.stderr.strip())
    with tempfile.TemporaryDirectory(prefix="concur-docker-") as tmp:
        proc, log_path = start_server(binary, source, server, tmp)
        try:
            url = wait_for_server(proc, log_path)
            with open(log_path) as log:
                tail = log.read()[-500:]
            if check(url is not None, f"server command answers GET /health within {START_DEADLINE_S} s",
                     f"exit {proc.poll()}: {tail}"):
                check_healthcheck(server, url)
                check_runner(binary, source, runner, config, url, tmp)
        finally:
            code = stop(proc)
        check(code == 0, "server stops cleanly on SIGTERM (docker compose down)", f"exit {code}")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concur", required=True, help="the built binary (plugins beside it)")
    parser.add_argument("--source", default=os.path.normpath(os.path.join(here, "..", "..")))
    args = parser.parse_args()
    source, binary = os.path.abspath(args.source), os.path.abspath(args.concur)
    started = time.monotonic()

    with open(os.path.join(source, "docker", "compose.yaml")) as f:
        compose = yaml.safe_load(f)
    server, runner = check_compose(compose, source)
    with open(os.path.join(source, runner["command"][1])) as f:
        config = check_runner_config(yaml.safe_load(f), server)
    with open(os.path.join(source, "docker", "Dockerfile")) as f:
        all_stages = stages(dockerfile_instructions(f.read()))
    if check(len(all_stages) == 2, "Dockerfile: two stages", f"{len(all_stages)} FROM lines"):
        check_build_stage(all_stages[0])
        packages, image_cmd = check_runtime_stage(all_stages[1], source)
        check_compose_against_image(all_stages[1], server, runner)
        check_dockerignore(source)
        check_runtime_libraries(binary, packages)
        check_commands(binary, source, server, runner, config, image_cmd)

    verdict = "FAILED" if FAILURES else "SKIPPED" if SKIPPED else "passed"
    print(f"{verdict}: docker files, {len(FAILURES)} failure(s), "
          f"{len(SKIPPED)} check(s) that could not run here, {time.monotonic() - started:.1f} s")
    return 1 if FAILURES else SKIP_EXIT_CODE if SKIPPED else 0


if __name__ == "__main__":
    sys.exit(main())
