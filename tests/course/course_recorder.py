#!/usr/bin/env python3
"""Runs one course program as __main__ and records the HTTP exchanges it makes.

usage: course_recorder.py OUT.json PROGRAM.py [ARGS...]

The program runs unchanged, in this process's __main__ namespace (so that a
ProcessPoolExecutor can pickle its functions by name). Every exchange on the
wire is recorded: requests' HTTPAdapter.send (requests-futures uses it too)
and aiohttp's ClientSession._request (each redirect hop as well). OUT.json
gets {"exchanges": [{"url", "status"}], "globals": {the program's top-level
values that JSON can hold; sets as sorted lists}, "error": traceback or null}.
Exit 0 when the program ran to its end, 1 when it raised.
"""
import json
import os
import sys
import traceback

_course_out, _course_program = sys.argv[1], sys.argv[2]
sys.argv = sys.argv[2:]
_course_exchanges = []
_course_parent = os.getpid()


def _course_record(url, status):
    _course_exchanges.append({"url": str(url), "status": int(status)})


def _course_patch_requests():
    import requests.adapters

    send = requests.adapters.HTTPAdapter.send

    def recording_send(self, request, *args, **kwargs):
        response = send(self, request, *args, **kwargs)
        _course_record(request.url, response.status_code)
        return response

    requests.adapters.HTTPAdapter.send = recording_send


def _course_patch_aiohttp():
    try:
        import aiohttp
    except ImportError:  # the runner checked: only a program that needs it fails
        return
    request = aiohttp.ClientSession._request

    async def recording_request(self, *args, **kwargs):
        response = await request(self, *args, **kwargs)
        for hop in response.history:
            _course_record(hop.url, hop.status)
        _course_record(response.url, response.status)
        return response

    aiohttp.ClientSession._request = recording_request


def _course_plain(value):
    """value as JSON can hold it, or None."""
    if isinstance(value, (set, frozenset)):
        value = sorted(value, key=str)
    try:
        json.dumps(value)
        return value
    except (TypeError, ValueError):
        return None


def _course_run():
    _course_patch_requests()
    _course_patch_aiohttp()
    namespace = sys.modules["__main__"].__dict__
    before = set(namespace)
    namespace["__file__"] = _course_program
    error = None
    with open(_course_program) as f:
        code = compile(f.read(), _course_program, "exec")
    try:
        exec(code, namespace)
    except BaseException:  # SystemExit too: the program's own end is an answer
        error = traceback.format_exc()
        print(error, file=sys.stderr, end="")
    if os.getpid() != _course_parent:  # a forked worker that got here: say nothing
        return 0
    found = {}
    for name, value in list(namespace.items()):
        if name in before or name.startswith("__"):
            continue
        plain = _course_plain(value)
        if plain is not None:
            found[name] = plain
    with open(_course_out, "w") as f:
        json.dump({"exchanges": _course_exchanges, "globals": found, "error": error}, f)
    return 1 if error else 0


sys.exit(_course_run())
