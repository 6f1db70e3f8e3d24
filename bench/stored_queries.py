"""Every stored query with its first example, one `ots-kg query` process each, on a disk store.

    python bench/stored_queries.py --store DIR --data data/core/*.ttl --data big.ttl [--timeout 60] [NAME ...]

One line a query: wall and CPU seconds, peak RSS, exit code and the load average when it ended
(issue 16: every stored query <= 10 s on a 10 M-triple store). The store is built by the first
query if DIR holds none; build it beforehand to time the queries alone.

`--set NAME:KEY=VALUE` replaces one parameter of NAME's first example: a query whose example
node is not in the benchmark's data (`document-graph`'s document is in data/areas, not
data/core) is timed on a node of the same kind from the synthetic graph instead, e.g.
`--set document-graph:document=doc:syn-9999`.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from ots_kg.sparql.catalogue import catalogue


def time_query(name: str, values: dict[str, str], store: str, data: list[str], timeout: float) -> str:
    """One process for one query; the numbers come from wait4 (the child's own CPU and peak RSS)."""
    cli = Path(sys.executable).with_name("ots-kg")
    command = [str(cli), "query", name, "--store", store, "--timeout", str(timeout), "--format", "csv"]
    command += [w for k, v in sorted(values.items()) for w in ("-p", f"{k}={v}")]
    command += [w for path in data for w in ("--data", path)]
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    load = os.getloadavg()[0]
    code = os.waitstatus_to_exitcode(status)
    cpu = usage.ru_utime + usage.ru_stime
    return f"{name} {wall:.2f} s wall {cpu:.2f} s cpu {usage.ru_maxrss // 1024} MiB rc={code} load {load:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*", help="only these queries (default: all)")
    parser.add_argument("--store", required=True, help="the disk store's directory")
    parser.add_argument("--data", action="append", default=[], help="input file (repeat)")
    parser.add_argument("--timeout", type=float, default=60.0, help="ots-kg query --timeout, seconds")
    parser.add_argument("--set", action="append", default=[], metavar="NAME:KEY=VALUE", help="replace a parameter")
    args = parser.parse_args()
    overrides = parse_overrides(parser, args.set)
    for name, query in catalogue().items():
        if not args.names or name in args.names:
            values = {**query.example_values(), **overrides.get(name, {})}
            print(time_query(name, values, args.store, args.data, args.timeout), flush=True)


def parse_overrides(parser: argparse.ArgumentParser, items: list[str]) -> dict[str, dict[str, str]]:
    """`NAME:KEY=VALUE` options as {NAME: {KEY: VALUE}}; a malformed one is a usage error."""
    overrides: dict[str, dict[str, str]] = {}
    for item in items:
        name, _, assignment = item.partition(":")
        key, equals, value = assignment.partition("=")
        if not (name and key and equals and value):
            parser.error(f"--set {item!r}: expected NAME:KEY=VALUE")
        overrides.setdefault(name, {})[key] = value
    return overrides


if __name__ == "__main__":
    main()
