"""Every competitor behind one interface: ``setup(size) -> (fn, arg, check)``.

``fn(arg)`` is the timed call; everything ``setup`` does (building the workload, importing the
library, building a pydantic ``TypeAdapter``) is untimed.  ``check`` is a short string the
runner compares between competitors of one measure, to be sure they did the same work.

Imports happen inside each setup, so a worker process imports only its own competitor.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import workload

Setup = Callable[[str], tuple[Callable[[Any], Any], Any, str]]


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


# -- 1. decode + validate wire JSON (the whole request body) ---------------------------------------


def convo_from_wire(size: str) -> tuple[Callable[[Any], Any], Any, str]:
    import convo

    data = workload.body_bytes(size)
    conv = convo.Conversation.from_wire(data)
    return convo.Conversation.from_wire, data, f"{len(conv)} messages"


def msgspec_decode(size: str) -> tuple[Callable[[Any], Any], Any, str]:
    import msgspec

    data = workload.body_bytes(size)
    return msgspec.json.decode, data, f"{len(msgspec.json.decode(data)['messages'])} messages"


def convo_round_trip(size: str) -> tuple[Callable[[Any], Any], Any, str]:
    """from_wire, then to_json (system, tools and messages): each message's bytes are found on
    the way out."""
    import convo

    def run(data: bytes) -> bytes:
        return convo.Conversation.from_wire(data).to_json()

    data = workload.body_bytes(size)
    return run, data, _message_count(run(data))


def msgspec_round_trip(size: str) -> tuple[Callable[[Any], Any], Any, str]:
    """Untyped decode, then encode (its output also holds the other request fields)."""
    import msgspec

    decode, encode = msgspec.json.decode, msgspec.json.encode

    def run(data: bytes) -> bytes:
        return encode(decode(data))

    data = workload.body_bytes(size)
    return run, data, _message_count(run(data))


def _message_count(output: bytes) -> str:
    import msgspec

    return f"{len(msgspec.json.decode(output)['messages'])} messages"


# -- 2. the same, against pydantic validating the SDK's MessageParam (messages array only) ---------


def convo_from_wire_messages(size: str) -> tuple[Callable[[Any], Any], Any, str]:
    import convo

    data = workload.messages_bytes(size)
    conv = convo.Conversation.from_wire(data)
    return convo.Conversation.from_wire, data, f"{len(conv)} messages"


def _sdk_adapter() -> Any:
    import anthropic.types
    import pydantic

    return pydantic.TypeAdapter(list[anthropic.types.MessageParam])


def _forcer(adapter: Any) -> Callable[[list[dict[str, Any]]], list[dict[str, Any]]]:
    """Materialize the lazy ``ValidatorIterator``s pydantic returns for the SDK's ``Iterable[...]``
    fields (message ``content``, ``tool_result`` content, ``citations``): until iterated, the
    blocks inside them are not validated at all."""
    lazy = type(adapter.validate_python([{"role": "user", "content": []}])[0]["content"])

    def force(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for message in messages:
            content = message["content"]
            if type(content) is lazy:
                message["content"] = content = list(content)
                for block in content:
                    for key, value in block.items():
                        if type(value) is lazy:
                            block[key] = list(value)
        return messages

    return force


def pydantic_validate_python(size: str) -> tuple[Callable[[Any], Any], Any, str]:
    """msgspec decodes the bytes (the fastest decoder there is), pydantic validates the SDK types,
    and every lazy iterator is consumed so that every block really is validated."""
    import msgspec

    adapter = _sdk_adapter()
    force = _forcer(adapter)
    decode = msgspec.json.decode
    validate = adapter.validate_python

    def run(data: bytes) -> list[dict[str, Any]]:
        return force(validate(decode(data)))

    data = workload.messages_bytes(size)
    return run, data, f"{len(run(data))} messages"


def pydantic_validate_json_lazy(size: str) -> tuple[Callable[[Any], Any], Any, str]:
    """``validate_json`` as is.  It does *less* work than a real validation: message content comes
    back as a lazy iterator whose blocks are never checked, and string content is mistaken for
    an iterable of blocks (pydantic/pydantic#10640, #11219), so it cannot even be consumed
    without errors.  Shown as a lower bound on pydantic's time, not used for the target."""
    adapter = _sdk_adapter()
    data = workload.messages_bytes(size)
    return adapter.validate_json, data, f"{len(adapter.validate_json(data))} messages"


# -- 3. encode ---------------------------------------------------------------------------------------


def convo_to_json(size: str) -> tuple[Callable[[Any], Any], Any, str]:
    import convo

    conv = convo.Conversation.from_wire(workload.body_bytes(size))
    return convo.Conversation.to_json, conv, _digest(conv.to_json())


def msgspec_encode(size: str) -> tuple[Callable[[Any], Any], Any, str]:
    import msgspec

    plain = workload.plain_conversation(size)
    return msgspec.json.encode, plain, _digest(msgspec.json.encode(plain))


# -- 4. append, one validated message at a time ---------------------------------------------------


def append_script(n: int, seed: int = 7) -> list[tuple[Any, ...]]:
    """``n`` messages: user text / assistant text alternating, and every tenth exchange an
    assistant turn with a tool_use answered by a tool_result (string or block list)."""
    import random

    rng = random.Random(seed)
    ops: list[tuple[Any, ...]] = []
    k = 0
    while k < n:
        if k % 20 == 11 and n - k >= 2:
            tool_id = f"toolu_01{k:012d}"
            result: Any = (
                f"{rng.randint(1, 9999)} files changed"
                if rng.random() < 0.5
                else [{"type": "text", "text": f"exit status {rng.randint(0, 2)}"}]
            )
            ops.append(("tool", f"Running step {k}.", tool_id, {"command": f"make step-{k}"}, result))
            k += 2
        elif k % 2 == 0:
            ops.append(("user", f"Question {k}: {rng.choice(workload.WORDS)} {rng.random():.6f}?"))
            k += 1
        else:
            ops.append(("assistant", f"Answer {k}: {rng.choice(workload.WORDS)} {rng.random():.6f}."))
            k += 1
    return ops


def _append(n: int) -> tuple[Callable[[Any], Any], Any, str]:
    import convo
    from convo import TextBlock, ToolUseBlock

    def run(ops: list[tuple[Any, ...]]) -> Any:
        conv = convo.Conversation()
        for op in ops:
            kind = op[0]
            if kind == "user":
                conv = conv.user(op[1])
            elif kind == "assistant":
                conv = conv.assistant(op[1])
            else:
                _, text, tool_id, tool_input, result = op
                conv = conv.assistant(
                    [TextBlock(text=text), ToolUseBlock(id=tool_id, name="bash", input=tool_input)]
                )
                conv = conv.tool_results({tool_id: result})
        return conv

    ops = append_script(n)
    run(append_script(2000))  # warm up on a short script; the timed runs start from empty
    return run, ops, f"{n} messages"


def convo_append_50k(size: str) -> tuple[Callable[[Any], Any], Any, str]:
    return _append(50_000)


def convo_append_100k(size: str) -> tuple[Callable[[Any], Any], Any, str]:
    return _append(100_000)


COMPETITORS: dict[str, Setup] = {
    "convo.from_wire": convo_from_wire,
    "msgspec.json.decode": msgspec_decode,
    "convo.from_wire+to_json": convo_round_trip,
    "msgspec.decode+encode": msgspec_round_trip,
    "convo.from_wire[messages]": convo_from_wire_messages,
    "pydantic.validate_python": pydantic_validate_python,
    "pydantic.validate_json(lazy)": pydantic_validate_json_lazy,
    "convo.to_json": convo_to_json,
    "msgspec.json.encode": msgspec_encode,
    "convo.append x50k": convo_append_50k,
    "convo.append x100k": convo_append_100k,
}
