"""One competitor, one fresh interpreter: ``python benchmarks/_worker.py '<json spec>'``.

The spec is ``{"competitor": name, "size": "large", "repeats": 10, "warmup": 2}``, or the
word ``import`` for the import-time measure (which imports ``convo`` before anything else).
Prints one JSON object on stdout: ``{"times": [seconds, ...], "check": "...", "versions": {...}}``.
With ``"untimed": true`` the calls are made without timing or ``gc.collect()``, for
``benchmarks/instructions.py`` to count their instructions.
"""

from __future__ import annotations

import sys
import time


def time_import() -> dict[str, object]:
    """``import convo`` in this fresh interpreter, then which heavy modules came with it."""
    start = time.perf_counter()
    import convo

    elapsed = time.perf_counter() - start
    forbidden = sorted(m for m in ("anthropic", "pydantic", "hypothesis") if m in sys.modules)
    return {
        "times": [elapsed],
        "check": ",".join(forbidden) or "clean",
        "versions": {"convo": convo.__version__},
        "modules": len(sys.modules),
    }


def time_competitor(spec: dict[str, object]) -> dict[str, object]:
    import gc

    from competitors import COMPETITORS

    setup = COMPETITORS[str(spec["competitor"])]
    fn, arg, check = setup(str(spec.get("size", "large")))
    repeats = int(spec.get("repeats", 10))  # type: ignore[call-overload]
    warmup = int(spec.get("warmup", 2))  # type: ignore[call-overload]
    for _ in range(warmup):
        fn(arg)
    if spec.get("untimed"):
        for _ in range(repeats):
            fn(arg)
        return {"times": [], "check": check, "versions": versions()}
    perf_counter = time.perf_counter
    times = []
    for _ in range(repeats):
        gc.collect()
        start = perf_counter()
        result = fn(arg)
        times.append(perf_counter() - start)
        del result
    return {"times": times, "check": check, "versions": versions()}


def versions() -> dict[str, str]:
    out = {"python": sys.version.split()[0]}
    for name in ("msgspec", "pydantic", "anthropic", "convo"):
        module = sys.modules.get(name)
        if module is not None:
            out[name] = str(getattr(module, "__version__", getattr(module, "VERSION", "?")))
    return out


def main() -> None:
    # Nothing but sys and time may be imported before ``import convo`` in "import" mode.
    report = time_import() if sys.argv[1] == "import" else None
    import json

    if report is None:
        report = time_competitor(json.loads(sys.argv[1]))
    sys.stdout.write(json.dumps(report) + "\n")


if __name__ == "__main__":
    main()
