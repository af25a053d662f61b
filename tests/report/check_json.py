#!/usr/bin/env python3
"""`concur run --json`: the document validates against docs/results.schema.json
(Debian's python3-jsonschema), says what the runs and summary CSVs say, and
`concur report` and `concur compare` read it to the same results as the CSV.

usage: check_json.py --concur BIN --source DIR
"""
import argparse
import csv
import json
import pathlib
import subprocess
import sys
import tempfile

import jsonschema

CONFIG = """name: doc
server: {seed: 7, pages: 40, delay_scale: 0.002, failure_rate: 0, cpu_iterations: 200,
         core_iterations: 50}
thresholds: {pages_failed: "== 0"}
strategies:
  - plugin: sequential
  - plugin: threads
    workers: [2, 4]
repeat: 2
"""
failures = []


def check(ok, message):
    if not ok:
        failures.append(message)
        print(f"check_json: FAIL {message}")


def concur(binary, *args):
    return subprocess.run([binary, *args], capture_output=True, text=True, timeout=600)


def same_cells(kind, rows, items):
    """Each JSON value is the CSV cell: null for blank, the same number, the same text."""
    check(len(rows) == len(items), f"{kind}: {len(rows)} CSV rows, {len(items)} in the document")
    for i, (row, item) in enumerate(zip(rows, items)):
        check(list(row) == list(item), f"{kind}[{i}]: columns differ or are out of order")
        for name, cell in row.items():
            value = item.get(name)
            if cell == "":
                ok = value is None
            elif isinstance(value, bool):
                ok = cell == ("true" if value else "false")
            elif isinstance(value, (int, float)):
                ok = float(cell) == value
            else:
                ok = cell == value
            check(ok, f"{kind}[{i}].{name}: CSV '{cell}', document {value!r}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--concur", required=True)
    ap.add_argument("--source", required=True)
    args = ap.parse_args()
    schema = json.loads((pathlib.Path(args.source) / "docs/results.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    with tempfile.TemporaryDirectory(prefix="concur-json.") as tmp:
        tmp = pathlib.Path(tmp)
        (tmp / "doc.yaml").write_text(CONFIG)
        r = concur(args.concur, "run", "-q", str(tmp / "doc.yaml"), "--out", str(tmp / "doc.csv"),
                   "--json", str(tmp / "doc.json"))
        check(r.returncode == 0, f"concur run exited {r.returncode}: {r.stderr}")
        doc = json.loads((tmp / "doc.json").read_text())
        errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(doc), key=str)
        for e in errors[:10]:
            check(False, f"schema: {'/'.join(map(str, e.absolute_path))}: {e.message}")
        with open(tmp / "doc.csv", newline="") as f:
            header = next(csv.reader(f))
        # The schema names exactly the CSV's columns: a column added to one
        # and not the other is caught here.
        described = list(schema["properties"]["runs"]["items"]["properties"])
        check(described == header, f"schema vs runs CSV columns: only in schema "
              f"{sorted(set(described) - set(header))}, only in CSV {sorted(set(header) - set(described))}")
        with open(tmp / "doc.csv", newline="") as f:
            same_cells("runs", list(csv.DictReader(f)), doc["runs"])
        with open(tmp / "doc.summary.csv", newline="") as f:
            check(list(schema["properties"]["summary"]["items"]["properties"]) == next(csv.reader(f)),
                  "schema vs summary CSV columns differ")
        with open(tmp / "doc.summary.csv", newline="") as f:
            same_cells("summary", list(csv.DictReader(f)), doc["summary"])
        check(len(doc["runs"]) == 6 and len(doc["summary"]) == 3, "expected 6 runs, 3 configurations")

        # The report from either file is the same page but for the file's name.
        pages = {}
        for name in ("doc.csv", "doc.json"):
            out = tmp / (name + ".html")
            r = concur(args.concur, "report", str(tmp / name), "-o", str(out))
            check(r.returncode == 0, f"concur report {name}: {r.stderr}")
            pages[name] = out.read_text().replace(str(tmp / name), "SOURCE")
        check(pages["doc.csv"] == pages["doc.json"], "the reports from the CSV and the JSON differ")

        # compare reads either; the verdicts and figures are the same.
        outputs = set()
        for base, new in (("doc.csv", "doc.csv"), ("doc.json", "doc.csv"), ("doc.csv", "doc.json")):
            r = concur(args.concur, "compare", str(tmp / base), str(tmp / new), "--json")
            check(r.returncode == 0, f"concur compare {base} {new}: {r.stderr}")
            outputs.add(json.dumps(json.loads(r.stdout)["configurations"], sort_keys=True))
        check(len(outputs) == 1, "compare gives different results from CSV and JSON")

        # A document of another version is refused, naming the file.
        doc["version"] = 99
        (tmp / "v99.json").write_text(json.dumps(doc))
        r = concur(args.concur, "report", str(tmp / "v99.json"))
        check(r.returncode == 2 and "results version 99" in r.stderr,
              f"a version 99 document: exit {r.returncode}, {r.stderr.strip()}")
    if failures:
        sys.exit(f"check_json: {len(failures)} failure(s)")
    print("check_json: ok")


if __name__ == "__main__":
    main()
