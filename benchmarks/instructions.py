"""Count the instructions each competitor executes per call: ``python benchmarks/instructions.py``.

The timed report (``benchmarks/run.py``) is what the targets are judged on, but on a shared
machine its ratios move with the load.  Instructions do not: each competitor runs under
Valgrind's cachegrind (``--cache-sim=no``) twice, in fresh workers, once with no calls and
once with ``--calls`` of them after the same setup and warm-up, and the difference divided by
the number of calls is its cost per call.  The ratios are exact for the same inputs and
versions, and move only when the code does: they are what to compare before and after a change.

They are not the timed ratios.  Instructions leave out what memory costs (cache misses,
allocating and freeing), which weighs more on convo's many small objects than on msgspec's
untyped decoding: a ratio of instructions is a lower bound on the ratio of times.

Needs ``valgrind`` on the PATH (Debian: ``apt install valgrind``); exits with status 0 either way.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys

from run import MEASURES, WORKER, worker_env

_REFS = re.compile(rb"I\s+refs:\s+([\d,]+)")


def instructions(competitor: str, size: str, calls: int) -> int:
    """Instructions a run of ``calls`` calls executes (setup, warm-up and exit included)."""
    spec = json.dumps(
        {"competitor": competitor, "size": size, "repeats": calls, "warmup": 2, "untimed": True}
    )
    valgrind = ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null"]
    proc = subprocess.run(
        [*valgrind, sys.executable, str(WORKER), spec],
        env=worker_env(),
        capture_output=True,
        timeout=1800,
        check=True,
    )
    found = _REFS.search(proc.stderr)
    if found is None:
        raise RuntimeError(f"no instruction count from valgrind for {competitor}")
    return int(found.group(1).replace(b",", b""))


def per_call(competitor: str, size: str, calls: int) -> float:
    return (instructions(competitor, size, calls) - instructions(competitor, size, 0)) / calls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=10, help="calls counted per competitor (default 10)")
    parser.add_argument("--only", help="measures to count: decode, pydantic, encode (comma-separated)")
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        print("valgrind is not installed: nothing to count (Debian: apt install valgrind)")
        return
    keys = set(args.only.split(",")) if args.only else {"decode", "pydantic", "encode"}
    print("| measure | workload | convo | competitor | ratio | timed target |")
    print("|---|---|---|---|---|---|")
    for measure in MEASURES:
        if measure.key not in keys or measure.key == "append" or not measure.judged:
            continue
        for size in measure.sizes:
            ours = per_call(measure.subject, size, args.calls)
            theirs = per_call(measure.competitor, size, args.calls)
            ratio = ours / theirs if measure.direction == "at most" else theirs / ours
            target = (
                f"<= {measure.target:g}x"
                if measure.direction == "at most"
                else f">= {measure.target:g}x faster"
            )
            print(
                f"| {measure.title} | {size} | {ours / 1e6:.2f} M | {theirs / 1e6:.2f} M | {ratio:.2f}x | {target} |"
            )


if __name__ == "__main__":
    main()
