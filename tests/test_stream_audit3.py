"""Third audit of streaming accumulation and ``reply()``: each test fails without its fix."""

from __future__ import annotations

import json

import pytest

import convo

from .test_stream import START, STOP, block_start, block_stop, delta, message_delta, sse

pytest.importorskip("anthropic")


def test_a_turn_paused_after_compaction_is_sent_back_as_it_is() -> None:
    """A beta compaction with ``pause_after_compaction`` stops with ``stop_reason: "compaction"``
    before the model answers; the next request continues that turn (the SDK's tool runner maps
    ``compaction`` to "resume", as ``pause_turn``, api-rules §3.10).  ``reply()`` appended it as a
    finished turn, so the next request was refused as a prefill on a model that rejects prefill,
    the very models that compact."""
    from anthropic.lib.tools._beta_runner import _determine_next_step_from_stop_reason

    assert _determine_next_step_from_stop_reason("compaction") == "resume"
    body = sse(
        START,
        block_start(0, {"type": "compaction", "content": None}),
        delta(0, type="compaction_delta", content="Earlier: a greeting.", encrypted_content="enc"),
        block_stop(0),
        message_delta("compaction", output_tokens=5),
        STOP,
    )
    reply = convo.accumulate(body)
    conv = convo.Conversation().user("Hi").reply(reply)
    assert reply.paused
    assert conv.check(model="claude-opus-4-8").errors == ()
    body = json.loads(conv.request(model="claude-opus-4-8", max_tokens=64).body())
    assert body["messages"][-1] == {
        "role": "assistant",
        "content": [{"type": "compaction", "content": "Earlier: a greeting.", "encrypted_content": "enc"}],
    }
