#!/usr/bin/python3
"""A crawler that does only part of the job, for tests: it follows the links
it can read and never solves a puzzle (cpu and core pages lead nowhere).

  skip_puzzles.py BASE_URL START_ID
"""
import json
import sys
import urllib.error
import urllib.request


def fetch(url):
    for _ in range(500):  # failure pages answer 500 nine times in ten
        try:
            with urllib.request.urlopen(url, timeout=10) as answer:
                return json.load(answer)
        except urllib.error.HTTPError as e:
            if e.code != 500:
                return None
    return None


def main():
    base, start = sys.argv[1], sys.argv[2]
    seen, todo = {start}, [start]
    while todo:
        body = fetch(f"{base}/api/{todo.pop()}")
        for link in (body or {}).get("links", []):
            page = link.rstrip("/").rsplit("/", 1)[-1]
            if page not in seen:
                seen.add(page)
                todo.append(page)
    print(f"skip_puzzles: {len(seen)} pages seen")


if __name__ == "__main__":
    main()
