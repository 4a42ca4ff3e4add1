"""Persistence benchmarks: ``python benchmarks/persistence.py [--quick] [--messages N]``.

Two measures, each competitor in a fresh interpreter (this script re-runs itself with
``--worker``), rounds interleaved, ratios taken between competitors of the same run:

1. **Append latency**, per append, to a journal that already holds 1,000 messages: with
   ``fdatasync`` (the default, durable against power loss), inside ``group()`` blocks of 100
   (one sync per block), without sync (``fsync=False``: survives a process crash only), and on
   the two stores; ``Conversation.append`` in memory is the floor.
2. **Load throughput** of a 100,000-message journal (``convo.load``: read, split lines, check
   each line is one message, decode and validate), against the same messages stored as one JSON
   array and read with ``Conversation.from_wire`` (the same validation, no journal) and with
   ``msgspec.json.decode`` (untyped, no validation at all).  Every competitor reads its file.

The workload is a coding agent's tool loop (thinking with signatures, parallel tool calls,
tool results, answers), deterministic and generated in memory; files go to a temporary
directory on the file system of ``--dir`` (default: the system temp directory).
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

WORDS = (
    "the a of to and in is that for it on with as this be are by from at or an file function test error "
    "value return config build module import request response cache token message result output input path "
    "line class method type string list dict index buffer stream agent tool call parse check update write read"
).split()


def messages(n: int, seed: int = 20261122) -> list[dict[str, Any]]:
    """``n`` messages of a tool loop, alternating user / assistant, valid for convo."""
    rng = random.Random(seed)

    def words(k: int) -> str:
        return " ".join(rng.choice(WORDS) for _ in range(k)) + rng.choice(("", " café →", ' "q"\\n\t', " ✓"))

    out: list[dict[str, Any]] = [{"role": "user", "content": "Fix the failing tests. " + words(30)}]
    tool = 0
    pending: list[str] = []
    while len(out) < n:
        if out[-1]["role"] == "user":
            if rng.random() < 0.8:
                calls = rng.choice((1, 1, 1, 2, 3))
                pending = [f"toolu_{tool + i:08d}" for i in range(calls)]
                tool += calls
                content: list[dict[str, Any]] = []
                if rng.random() < 0.5:
                    sig = base64.b64encode(rng.randbytes(rng.randint(100, 300))).decode()
                    content.append(
                        {"type": "thinking", "thinking": words(rng.randint(10, 40)), "signature": sig}
                    )
                if rng.random() < 0.5:
                    content.append({"type": "text", "text": words(rng.randint(5, 30))})
                for tid in pending:
                    args = {"path": f"src/{rng.choice(WORDS)}.py", "pattern": rng.choice(WORDS), "limit": 50}
                    content.append(
                        {"type": "tool_use", "id": tid, "name": rng.choice(("grep", "read")), "input": args}
                    )
                out.append({"role": "assistant", "content": content})
            else:
                pending = []
                out.append(
                    {"role": "assistant", "content": [{"type": "text", "text": words(rng.randint(10, 60))}]}
                )
        elif pending:
            results = [
                {"type": "tool_result", "tool_use_id": tid, "content": words(rng.randint(10, 80))}
                for tid in pending
            ]
            out.append({"role": "user", "content": results})
            pending = []
        else:
            out.append({"role": "user", "content": words(rng.randint(5, 40))})
    if out[-1]["role"] == "assistant" and pending:  # end on a whole turn
        out.pop()
    return out


def encode(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


# -- workers (each runs in its own fresh interpreter) -----------------------------------------------


def worker_append(name: str, directory: Path, count: int) -> dict[str, Any]:
    import convo

    warm = 1000
    msgs = messages(warm + count + 1)
    base, extra = convo.Conversation.from_wire(encode(msgs[:warm])), msgs[warm:]
    append: Callable[[Any], Any]
    if name == "memory":
        state = {"conv": base}

        def append(m: Any) -> Any:
            state["conv"] = state["conv"].append(m)

    elif name in ("journal-fsync", "journal-nofsync", "journal-group"):
        journal = convo.Journal.create(directory / "append.jsonl", base, fsync=name != "journal-nofsync")
        append = journal.append
    elif name in ("directory-store", "sqlite-store"):
        store: Any = (
            convo.DirectoryStore(directory / "store")
            if name == "directory-store"
            else convo.SQLiteStore(directory / "store.sqlite3")
        )
        store.put("bench", base)
        store.get("bench")  # open the journal / fill the cache, as a service that has been running

        def append(m: Any) -> Any:
            return store.append("bench", m)

    else:
        raise SystemExit(f"unknown competitor {name}")
    times: list[float] = []
    perf = time.perf_counter
    if name == "journal-group":
        # A group's cost is its appends plus its one sync, spread over the block.
        for start in range(0, count, 100):
            block = extra[start : min(start + 100, count)]
            t = perf()
            with journal.group():
                for m in block:
                    append(m)
            times.extend([(perf() - t) / len(block)] * len(block))
    else:
        for m in extra[:count]:
            t = perf()
            append(m)
            times.append(perf() - t)
    return {"times": times, "check": str(len(times))}


def worker_load(name: str, directory: Path, n: int, repeats: int) -> dict[str, Any]:
    import msgspec

    import convo

    journal = directory / f"load-{n}.jsonl"
    array = directory / f"load-{n}.json"
    if not journal.exists() or not array.exists():
        raise SystemExit("the files are made by the runner")
    if name == "convo.load(journal)":
        fn: Callable[[], int] = lambda: len(convo.load(journal))  # noqa: E731
    elif name == "from_wire(array)":
        fn = lambda: len(convo.Conversation.from_wire(array.read_bytes()))  # noqa: E731
    elif name == "msgspec.decode(array)":
        fn = lambda: len(msgspec.json.decode(array.read_bytes()))  # noqa: E731
    else:
        raise SystemExit(f"unknown competitor {name}")
    import gc

    fn()  # warm-up: imports, page cache
    times = []
    for _ in range(repeats):
        gc.collect()
        t = time.perf_counter()
        check = fn()
        times.append(time.perf_counter() - t)
    return {
        "times": times,
        "check": str(check),
        "bytes": journal.stat().st_size,
        "array_bytes": array.stat().st_size,
    }


# -- the runner ---------------------------------------------------------------------------------------


def run_worker(*args: str) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONHASHSEED": "0"}
    proc = subprocess.run(
        [sys.executable, __file__, "--worker", *args], capture_output=True, text=True, env=env, timeout=1800
    )
    if proc.returncode != 0:
        return {"error": (proc.stderr.strip().splitlines() or ["?"])[-1]}
    result: dict[str, Any] = json.loads(proc.stdout)
    return result


def versions() -> str:
    import msgspec

    sys.path.insert(0, str(ROOT))
    import convo

    return f"Python {platform.python_version()}, msgspec {msgspec.__version__}, convo {convo.__version__}"


def us(seconds: float) -> str:
    return f"{seconds * 1e6:,.0f} µs" if seconds < 0.01 else f"{seconds * 1e3:,.0f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smoke run: 1 round, 20,000-message journal")
    parser.add_argument("--messages", type=int, help="messages in the load journal (default 100,000)")
    parser.add_argument("--dir", help="where to put the files (default: the system temp directory)")
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        kind, name, where, *rest = args.worker
        if kind == "append":
            out = worker_append(name, Path(where), int(rest[0]))
        else:
            out = worker_load(name, Path(where), int(rest[0]), int(rest[1]))
        sys.stdout.write(json.dumps(out) + "\n")
        return

    rounds = 1 if args.quick else 3
    n = args.messages or (20_000 if args.quick else 100_000)
    fsync_count = 100 if args.quick else 300
    fast_count = 2000 if args.quick else 5000
    print(f"# convo persistence benchmarks ({'quick' if args.quick else 'full'} run)\n")
    print(f"{versions()}; {platform.system()} {platform.machine()}, {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        directory = Path(tmp)
        print(f"files in {directory} ({_filesystem(directory)})\n")

        # 1. append latency
        competitors = [
            ("memory", fast_count),
            ("journal-nofsync", fast_count),
            ("journal-group", fast_count),
            ("journal-fsync", fsync_count),
            ("directory-store", fsync_count),
            ("sqlite-store", fsync_count),
        ]
        samples: dict[str, list[float]] = {name: [] for name, _ in competitors}
        errors: dict[str, str] = {}
        for r in range(rounds):
            order = competitors if r % 2 == 0 else competitors[::-1]
            for name, count in order:
                sub = directory / f"append-{name}-{r}"
                sub.mkdir()
                out = run_worker("append", name, str(sub), str(count))
                if "error" in out:
                    errors[name] = out["error"]
                else:
                    samples[name] += out["times"]
        print("## 1. Append latency (per append, journal of 1,000 messages)\n")
        print("| append | median | p99 | median vs in-memory append |")
        print("|---|---:|---:|---:|")
        floor = statistics.median(samples["memory"]) if samples["memory"] else float("nan")
        labels = {
            "memory": "`Conversation.append` (in memory, the floor)",
            "journal-nofsync": "`Journal.append`, `fsync=False`",
            "journal-group": "`Journal.append` in `group()` of 100 (one sync each)",
            "journal-fsync": "`Journal.append` (fdatasync: the default)",
            "directory-store": "`DirectoryStore.append` (fdatasync)",
            "sqlite-store": "`SQLiteStore.append` (WAL, synchronous=FULL)",
        }
        for name, _ in competitors:
            times = sorted(samples[name])
            if not times:
                print(f"| {labels[name]} | ERROR: {errors.get(name, '?')} | | |")
                continue
            med = statistics.median(times)
            p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
            print(f"| {labels[name]} | {us(med)} | {us(p99)} | {med / floor:,.1f}x |")
        if samples["journal-fsync"] and samples["journal-nofsync"]:
            ratio = statistics.median(samples["journal-fsync"]) / statistics.median(
                samples["journal-nofsync"]
            )
            print(f"\nfsync costs {ratio:,.1f}x an append without it on this disk.\n")

        # 2. load throughput
        msgs = messages(n)
        import msgspec  # noqa: F401 - fail early if missing

        sys.path.insert(0, str(ROOT))
        import convo

        conv = convo.Conversation.from_wire(encode(msgs))
        convo.Journal.create(directory / f"load-{n}.jsonl", conv, fsync=False).close()
        (directory / f"load-{n}.json").write_bytes(
            b"[" + b",".join(m.to_json() for m in conv.messages) + b"]"
        )
        del conv, msgs
        loaders = ["convo.load(journal)", "from_wire(array)", "msgspec.decode(array)"]
        load: dict[str, list[float]] = {name: [] for name in loaders}
        checks: dict[str, set[str]] = {name: set() for name in loaders}
        size = 0
        for r in range(rounds):
            for name in loaders if r % 2 == 0 else loaders[::-1]:
                out = run_worker("load", name, str(directory), str(n), "1" if args.quick else "3")
                if "error" in out:
                    errors[name] = out["error"]
                    continue
                load[name] += out["times"]
                checks[name].add(out["check"])
                size = out["bytes"]
        print(f"## 2. Load a {n:,}-message journal ({size / 1e6:,.1f} MB)\n")
        print("| reader | best | median | MB/s (best) | time / from_wire(array) |")
        print("|---|---:|---:|---:|---:|")
        base = min(load["from_wire(array)"]) if load["from_wire(array)"] else float("nan")
        for name in loaders:
            if not load[name]:
                print(f"| `{name}` | ERROR: {errors.get(name, '?')} | | | |")
                continue
            best, med = min(load[name]), statistics.median(load[name])
            print(f"| `{name}` | {us(best)} | {us(med)} | {size / best / 1e6:,.0f} | {best / base:,.2f}x |")
        if load["convo.load(journal)"] and load["from_wire(array)"]:
            ratio = min(load["convo.load(journal)"]) / min(load["from_wire(array)"])
            print(f"\nThe journal loads in {ratio:,.2f}x the time of the same messages as one JSON array.")
        print(f"checks (message counts): { {k: sorted(v) for k, v in checks.items()} }")


def _filesystem(path: Path) -> str:
    try:
        out = subprocess.run(
            ["df", "-T", str(path)], capture_output=True, text=True, timeout=10
        ).stdout.splitlines()
        fields = out[-1].split()
        return f"{fields[1]} on {fields[0]}"
    except (OSError, IndexError, subprocess.SubprocessError):
        return "unknown file system"


if __name__ == "__main__":
    main()
