"""Cache placement and prediction: the types users hold (mypy --strict proves them)."""

from typing import Literal, assert_type

import convo
from convo import CacheBreakpoint, CachePolicy, CachePrediction, Conversation, Request

conv = Conversation(system="Notes. " * 900).user("Summarize.")
req = Request(conv, model="claude-opus-4-8", max_tokens=99, cache="auto")
assert_type(req.cache, CachePolicy | None)
assert_type(req.breakpoints, tuple[CacheBreakpoint, ...])
assert_type(req.breakpoints[0].ttl, Literal["5m", "1h"])
assert_type(req.breakpoints[0].source, Literal["user", "convo", "automatic"])
assert_type(
    Request(conv, model="claude-opus-4-8", max_tokens=99, cache=CachePolicy(long_pauses=True)), Request
)
assert_type(convo.place_cache(conv, model="claude-opus-4-8"), bytes)
assert_type(convo.cache_breakpoints(req), tuple[CacheBreakpoint, ...])

prediction = convo.predict_cache(req, req, elapsed=30.0)
assert_type(prediction, CachePrediction)
assert_type(prediction.cost, float)
assert_type(
    prediction.reason,
    Literal["model_changed", "system_changed", "tools_changed", "messages_changed", "unavailable"] | None,
)

# Misuse mypy rejects.
CachePolicy(ttl="10m")  # type: ignore[arg-type]
Request(conv, model="claude-opus-4-8", max_tokens=99, cache="always")  # type: ignore[arg-type]
convo.place_cache(conv, policy="off")  # type: ignore[arg-type]
req.breakpoints[0].ttl = "1h"  # type: ignore[misc]
conv.request(model="claude-opus-4-8", max_tokens=99, cache="always")  # type: ignore[arg-type]
with convo.DirectoryStore("store") as store:
    assert_type(store, convo.DirectoryStore)  # so store.path(...) type-checks
