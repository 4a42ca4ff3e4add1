"""Run convo's benchmarks and print a report: ``python benchmarks/run.py [--quick]``.

Every competitor runs in a fresh interpreter (``benchmarks/_worker.py``), so import state, caches
and garbage-collector history do not leak from one to the next.  Workers of one measure run
interleaved, round after round (in alternating order), and each times several calls with
``time.perf_counter``; a result is the best (and the median) of all its calls.  Ratios are taken
between competitors measured side by side in the same run, which is what the targets in
DESIGN.md ("Measures") are about: they hold on a noisy machine, absolute times do not.

The report is not a test: the exit status is 0 whatever the outcome (and even when a worker
fails, which is reported in its row).  See docs/benchmarks.md for the method and results.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORKER = HERE / "_worker.py"


@dataclass(frozen=True)
class Measure:
    key: str
    title: str
    subject: str  # the convo side
    competitor: str
    target: float
    direction: str  # "at most": subject/competitor <= target; "faster": competitor/subject >= target
    sizes: tuple[str, ...] = ("large", "small")
    judged: bool = True  # False: shown for information, no PASS/FAIL


MEASURES: tuple[Measure, ...] = (
    Measure(
        "decode",
        "1. from_wire vs msgspec.json.decode (untyped)",
        "convo.from_wire",
        "msgspec.json.decode",
        1.5,
        "at most",
    ),
    Measure(
        "decode",
        "1'. from_wire + to_json vs msgspec decode + encode (read, write back)",
        "convo.from_wire+to_json",
        "msgspec.decode+encode",
        1.5,
        "at most",
        judged=False,
    ),
    Measure(
        "pydantic",
        "2. from_wire vs pydantic validate_python (SDK MessageParam)",
        "convo.from_wire[messages]",
        "pydantic.validate_python",
        10.0,
        "faster",
    ),
    Measure(
        "pydantic",
        "2'. from_wire vs pydantic validate_json (lazy: see docs)",
        "convo.from_wire[messages]",
        "pydantic.validate_json(lazy)",
        10.0,
        "faster",
        judged=False,
    ),
    Measure(
        "encode",
        "3. to_json vs msgspec.json.encode (plain dicts)",
        "convo.to_json",
        "msgspec.json.encode",
        1.3,
        "at most",
    ),
    Measure(
        "append",
        "4. append 100k vs 50k messages",
        "convo.append x100k",
        "convo.append x50k",
        2.3,
        "at most",
        sizes=("-",),
    ),
)

IMPORT_TARGET_MS = 80.0


@dataclass
class Samples:
    times: list[float] = field(default_factory=list)
    checks: set[str] = field(default_factory=set)
    error: str | None = None

    @property
    def best(self) -> float:
        return min(self.times)

    @property
    def median(self) -> float:
        return statistics.median(self.times)


@dataclass(frozen=True)
class Settings:
    rounds: int
    repeats: int
    warmup: int
    append_rounds: int
    import_runs: int


FULL = Settings(rounds=5, repeats=10, warmup=2, append_rounds=3, import_runs=20)
QUICK = Settings(rounds=1, repeats=5, warmup=1, append_rounds=2, import_runs=5)

VERSIONS: dict[str, str] = {}


def worker_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    env["PYTHONHASHSEED"] = "0"
    return env


def run_worker(arg: str) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, str(WORKER), arg],
        cwd=ROOT,
        env=worker_env(),
        capture_output=True,
        text=True,
        timeout=900,
    )
    if proc.returncode != 0:
        lines = [line for line in proc.stderr.strip().splitlines() if line.strip()]
        raise RuntimeError(lines[-1] if lines else f"worker exited with {proc.returncode}")
    report: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    VERSIONS.update(report.get("versions", {}))
    return report


def collect(names: list[str], size: str, rounds: int, repeats: int, warmup: int) -> dict[str, Samples]:
    """Run each competitor ``rounds`` times, each in a fresh process, interleaved."""
    out = {name: Samples() for name in names}
    for r in range(rounds):
        order = names if r % 2 == 0 else names[::-1]
        for name in order:
            samples = out[name]
            if samples.error:
                continue
            spec = {"competitor": name, "size": size, "repeats": repeats, "warmup": warmup}
            try:
                report = run_worker(json.dumps(spec))
            except (RuntimeError, subprocess.TimeoutExpired, json.JSONDecodeError) as exc:
                samples.error = str(exc)
                continue
            samples.times.extend(report["times"])
            samples.checks.add(str(report["check"]))
    return out


def fmt_time(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.3f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.3g} ms"
    return f"{seconds * 1e6:.3g} µs"


def ratio_of(measure: Measure, subject: float, competitor: float) -> float:
    return subject / competitor if measure.direction == "at most" else competitor / subject


def verdict(measure: Measure, ratio: float) -> str:
    if not measure.judged:
        return "info"
    ok = ratio <= measure.target if measure.direction == "at most" else ratio >= measure.target
    return "PASS" if ok else "FAIL"


def target_text(measure: Measure) -> str:
    if measure.direction == "at most":
        return f"<= {measure.target:g}x"
    return f">= {measure.target:g}x faster"


def workload_text(size: str) -> str:
    if size == "-":
        return "text + tool pairs"
    sys.path.insert(0, str(HERE))
    try:
        import workload
    finally:
        sys.path.pop(0)
    body = workload.body_bytes(size)
    return f"{size} ({len(body) / 1024:,.0f} KiB)"


def run_measures(settings: Settings, only: set[str] | None) -> list[list[str]]:
    rows = []
    cache: dict[tuple[str, str], Samples] = {}
    for measure in MEASURES:
        if only and measure.key not in only:
            continue
        for size in measure.sizes:
            names = [n for n in (measure.subject, measure.competitor) if (n, size) not in cache]
            if names:
                is_append = measure.key == "append"
                started = time.perf_counter()
                got = collect(
                    names,
                    size,
                    rounds=settings.append_rounds if is_append else settings.rounds,
                    repeats=1 if is_append else settings.repeats,
                    warmup=0 if is_append else settings.warmup,
                )
                for name, samples in got.items():
                    cache[(name, size)] = samples
                print(
                    f"  measured {measure.key} [{size}] in {time.perf_counter() - started:.1f} s",
                    file=sys.stderr,
                    flush=True,
                )
            subject, competitor = cache[(measure.subject, size)], cache[(measure.competitor, size)]
            row = [measure.title, workload_text(size)]
            if subject.error or competitor.error:
                error = subject.error or competitor.error
                rows.append([*row, "-", "-", "-", target_text(measure), f"ERROR: {error}"])
                continue
            best = ratio_of(measure, subject.best, competitor.best)
            median = ratio_of(measure, subject.median, competitor.median)
            result = verdict(measure, best)
            same_work = measure.key == "append" or len(subject.checks | competitor.checks) == 1
            if not same_work:
                result += f" (check mismatch: {sorted(subject.checks)} vs {sorted(competitor.checks)})"
            rows.append(
                [
                    measure.title,
                    row[1],
                    f"{fmt_time(subject.best)} / {fmt_time(subject.median)}",
                    f"{fmt_time(competitor.best)} / {fmt_time(competitor.median)}",
                    f"{best:.2f}x ({median:.2f}x)",
                    target_text(measure) if measure.judged else "(info)",
                    result,
                ]
            )
    return rows


def run_import(settings: Settings) -> list[str]:
    times: list[float] = []
    checks: set[str] = set()
    error: str | None = None
    started = time.perf_counter()
    for _ in range(settings.import_runs):
        try:
            report = run_worker("import")
        except (RuntimeError, subprocess.TimeoutExpired) as exc:
            error = str(exc)
            break
        times.extend(report["times"])
        checks.add(str(report["check"]))
    print(f"  measured import in {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)
    title = "5. import convo (fresh interpreter)"
    target = f"<= {IMPORT_TARGET_MS:g} ms, none of anthropic/pydantic/hypothesis"
    if error or not times:
        return [title, "-", "-", "-", "-", target, f"ERROR: {error}"]
    best = min(times)
    clean = checks == {"clean"}
    result = "PASS" if best * 1e3 <= IMPORT_TARGET_MS and clean else "FAIL"
    loaded = "none loaded" if clean else f"loaded: {', '.join(sorted(checks - {'clean'}))}"
    return [
        title,
        f"{len(times)} processes",
        f"{fmt_time(best)} / {fmt_time(statistics.median(times))}",
        loaded,
        f"{best * 1e3 / IMPORT_TARGET_MS:.2f} of budget",
        target,
        result,
    ]


def import_breakdown(top: int = 6) -> list[str]:
    """The slowest modules by self time under ``python -X importtime -c 'import convo'``."""
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import convo"],
        cwd=ROOT,
        env=worker_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    rows = []
    for line in proc.stderr.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)", line)
        if match:
            rows.append((int(match[1]), int(match[2]), match[4]))
    rows.sort(reverse=True)
    return [f"{name} {us / 1000:.1f} ms self, {cum / 1000:.1f} ms cumulative" for us, cum, name in rows[:top]]


def machine() -> str:
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} cores, {platform.system()} {platform.release()}"


def git_state() -> str:
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, timeout=10
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "convo"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return f"{head}{' + uncommitted changes in convo/' if dirty else ''}" if head else "unknown"


def print_table(header: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    print(line(header))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        print(line(row))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="one round of each, for a ~20 s smoke run")
    parser.add_argument("--only", help="comma-separated measures: decode, pydantic, encode, append, import")
    args = parser.parse_args(argv)
    settings = QUICK if args.quick else FULL
    only = set(args.only.split(",")) if args.only else None

    started = time.perf_counter()
    print(
        f"convo benchmarks ({'quick' if args.quick else 'full'}): {settings.rounds} rounds x "
        f"{settings.repeats} calls per competitor, each round a fresh process",
        file=sys.stderr,
        flush=True,
    )
    rows = run_measures(settings, only)
    if only is None or "import" in only:
        rows.append(run_import(settings))

    print()
    print(f"date {datetime.date.today().isoformat()}; {machine()}")
    shown = ", ".join(
        f"{k} {VERSIONS[k]}" for k in ("python", "msgspec", "pydantic", "anthropic", "convo") if k in VERSIONS
    )
    print(f"versions: {shown}; convo at {git_state()}")
    print("times are best / median of all timed calls; ratio is from the best times (from the medians)")
    print()
    print_table(["measure", "workload", "convo", "competitor", "ratio", "target", "result"], rows)
    if only is None or "import" in only:
        print()
        print("slowest imports (self time, -X importtime): " + "; ".join(import_breakdown()))
    print(f"\n(total {time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
