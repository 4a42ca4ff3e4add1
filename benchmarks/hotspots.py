"""Profile the hot paths on the benchmark workload: ``python benchmarks/hotspots.py [what] [--pyinstrument]``.

``what`` is ``decode`` (``Conversation.from_wire`` on the large body), ``encode`` (``to_json``),
``append`` (50,000 validated appends) or ``all`` (the default).  Prints the top functions by own
time under cProfile (or a pyinstrument tree with ``--pyinstrument``, if it is installed), and for
``decode`` a stage-by-stage timing of what ``from_wire`` does, measured without a profiler (first,
so that memory-allocation costs look as they do in a fresh benchmark worker).

A development aid, not part of the report that ``benchmarks/run.py`` prints.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]

import competitors  # noqa: E402
import workload  # noqa: E402


def best_of(fn: Callable[[], Any], n: int = 15) -> float:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def stages() -> None:
    """Time each step of ``from_wire`` on its own (best of 15), next to msgspec's untyped decode."""
    import msgspec

    import convo
    from convo import _codec
    from convo._models import profile
    from convo._rules import IdIndex, Validator

    data = workload.body_bytes("large")
    body = _codec.decode_fast(data)
    assert body is not None, "the workload should take the one-pass reader"

    def validate() -> None:
        state = Validator(profile=profile(workload.MODEL), ids=IdIndex(), sink=[].append)
        state.feed_all(body.messages)
        state.finish("conversation", body.messages)

    def find_bytes() -> None:
        _codec.decode_fast(data).messages[0].to_json()  # type: ignore[union-attr]

    print(f"\nfrom_wire stages, large body ({len(data) / 1024:,.0f} KiB), best of 15:")
    rows: list[tuple[str, Callable[[], Any]]] = [
        ("msgspec.json.decode (untyped, the yardstick)", lambda: msgspec.json.decode(data)),
        ("Conversation.from_wire (all of it)", lambda: convo.Conversation.from_wire(data)),
        ("  the one typed msgspec call", lambda: _codec._fast_decoder.decode(data)),
        ("  decode_fast (that call, the other fields, the messages)", lambda: _codec.decode_fast(data)),
        ("  Validator.feed_all + finish (rules)", validate),
        ("later, on the first to_json(): decode_fast + finding the bytes", find_bytes),
        ("  msgspec.json.format(indent=-1) (compaction)", lambda: msgspec.json.format(data, indent=-1)),
    ]
    for label, fn in rows:
        print(f"  {best_of(fn) * 1e3:8.3f} ms  {label}")


def target(what: str) -> Callable[[], Any]:
    import convo

    if what == "decode":
        data = workload.body_bytes("large")
        return lambda: [convo.Conversation.from_wire(data) for _ in range(20)]
    if what == "encode":
        conv = convo.Conversation.from_wire(workload.body_bytes("large"))
        return lambda: [conv.to_json() for _ in range(200)]
    run, ops, _ = competitors.convo_append_50k("-")
    return lambda: run(ops)


def profile(what: str, use_pyinstrument: bool) -> None:
    fn = target(what)
    fn()  # warm
    print(f"\n===== {what} =====")
    if use_pyinstrument:
        try:
            import pyinstrument
        except ImportError:
            print("pyinstrument is not installed; using cProfile")
        else:
            profiler = pyinstrument.Profiler(interval=0.0001)
            profiler.start()
            fn()
            profiler.stop()
            print(profiler.output_text(unicode=True, color=False, show_all=False))
            return
    prof = cProfile.Profile()
    prof.enable()
    fn()
    prof.disable()
    pstats.Stats(prof).sort_stats("tottime").print_stats(18)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", nargs="?", default="all", choices=("all", "decode", "encode", "append"))
    parser.add_argument("--pyinstrument", action="store_true")
    args = parser.parse_args()
    if args.what in ("all", "decode"):
        stages()  # first, while the allocator is as fresh as in a benchmark worker
    for what in ("decode", "encode", "append") if args.what == "all" else (args.what,):
        profile(what, args.pyinstrument)


if __name__ == "__main__":
    main()
