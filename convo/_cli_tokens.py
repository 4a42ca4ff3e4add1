"""``convo count`` and ``convo trim``, and the ``--counter`` choice they share with ``convo build``.

Kept apart from ``_cli.py`` (which wires it in).  ``--counter local`` (the default) needs no
network and no key; ``--counter api`` calls ``count_tokens`` through the ``anthropic`` SDK with
``ANTHROPIC_API_KEY`` from the environment.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

import msgspec

from ._codec import decode_body
from ._conversation import Conversation
from ._errors import InputError
from ._params import COUNT_TOKENS_PARAMETERS
from ._tokens import ApiCounter, LocalCounter, TokenCounter
from ._trim import BudgetTooSmall

if TYPE_CHECKING:
    from ._cli import Output

__all__ = [
    "COUNTERS",
    "TRIM_FLAGS",
    "add_counter_argument",
    "add_token_verbs",
    "api_client",
    "counter_maker",
    "model_for",
    "read_counted",
]

COUNTERS: Final = ("local", "api")
#: The flags of ``convo trim`` that are ways out of a budget too small (``TRIM_ARGUMENTS``).
TRIM_FLAGS: Final = {
    "budget": "--budget",
    "pin": "--pin 0",
    "clear": "--clear-tool-results 0, --clear-thinking 0",
}


def _default_client() -> Any:
    from ._cli import UsageError

    if not os.environ.get("ANTHROPIC_API_KEY"):
        raise UsageError("--counter api needs ANTHROPIC_API_KEY in the environment, or use --counter local")
    try:
        import anthropic
    except ImportError:
        raise UsageError("--counter api needs the anthropic SDK: pip install 'convo[anthropic]'") from None
    except Exception as exc:  # an SDK that fails as it loads (a dependency of the wrong version)
        raise UsageError(
            f"--counter api cannot import the anthropic SDK: {type(exc).__name__}: {exc}"
        ) from None
    try:
        return anthropic.Anthropic()
    except Exception as exc:  # the SDK refuses its environment (a malformed ANTHROPIC_BASE_URL)
        raise UsageError(f"--counter api cannot make the SDK's client: {type(exc).__name__}: {exc}") from None


#: Makes the SDK client for ``--counter api`` (tests replace it with one on a mock transport).
api_client: Callable[[], Any] = _default_client


def counter_maker(kind: str) -> Callable[[str | None], TokenCounter]:
    """What makes the counter ``--counter kind`` names, once the model is known (it may come
    from the input).  For ``api`` the SDK's client is made first, so a missing key or SDK is
    bad usage (exit 2) whatever the input holds."""
    if kind != "api":
        return lambda model: LocalCounter(model=model)
    client = api_client()

    def make(model: str | None) -> TokenCounter:
        from ._cli import UsageError

        if model is None:
            raise UsageError("--counter api needs --model, or a model in the input")
        return ApiCounter(client, model=model)

    return make


def add_counter_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--counter",
        choices=COUNTERS,
        default="local",
        help="local (default): estimate offline; api: count_tokens with ANTHROPIC_API_KEY",
    )


def add_headroom_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--headroom",
        type=int,
        default=0,
        metavar="N",
        help="when trimming, trim to N tokens under the budget, so the next turns fit (default 0)",
    )


def check_headroom(headroom: int, budget: int | None) -> None:
    """Refuse a ``--headroom`` the budget cannot hold (bad usage: exit 2)."""
    from ._cli import UsageError

    if headroom and budget is None:
        raise UsageError("--headroom needs --budget")
    if headroom < 0 or (budget is not None and headroom >= budget):
        raise UsageError("--headroom must be 0 or more, and less than --budget")


def add_token_verbs(verbs: Any) -> None:
    """Add ``count`` and ``trim`` to the ``convo`` argument parser."""
    p = verbs.add_parser(
        "count",
        help="input tokens of a conversation",
        description='Print {"input_tokens": N, "counter": "local" or "api"} for a conversation.',
    )
    p.add_argument("path", metavar="PATH", help="the conversation; - reads stdin")
    p.add_argument("--model", help="the model to count for (default: the input body's)")
    add_counter_argument(p)
    p.set_defaults(run=cmd_count)
    p = verbs.add_parser(
        "trim",
        help="drop the oldest exchanges to fit a token budget",
        description=(
            "Print the conversation trimmed to --budget input tokens: the oldest whole exchanges are "
            "dropped, tool calls stay with their results, the first user turn stays (docs/budgets.md)."
        ),
    )
    p.add_argument("path", metavar="PATH", help="the conversation; - reads stdin")
    p.add_argument("--budget", type=int, required=True, metavar="T", help="the most input tokens to keep")
    p.add_argument("--model", help="the model to count for (default: the input body's)")
    add_counter_argument(p)
    p.add_argument(
        "--pin", type=int, default=1, metavar="N", help="leading user turns always kept (default 1)"
    )
    p.add_argument(
        "--clear-tool-results", type=int, metavar="N", help="first clear all but the newest N tool results"
    )
    p.add_argument(
        "--clear-thinking",
        type=int,
        metavar="N",
        help="first drop thinking from all but the newest N turns that hold it",
    )
    add_headroom_argument(p)
    p.set_defaults(run=cmd_trim)


def read_counted(name: str) -> tuple[Conversation, dict[str, Any]]:
    """The conversation, and the count_tokens parameters of an input request body: what
    ``count``, ``trim`` and ``show`` count."""
    from ._cli import load_conversation, read_input

    data = read_input(name)
    conv = load_conversation(name, data)
    params: dict[str, Any] = {}
    try:
        body = decode_body(data, lambda problem: None)
    except InputError:
        return conv, params
    if body.kind == "request":
        for field, raw in body.fields.items():
            if field in COUNT_TOKENS_PARAMETERS and field not in ("system", "tools"):
                params[field] = msgspec.json.decode(raw)
    return conv, params


def model_for(args: argparse.Namespace, conv: Conversation) -> str | None:
    """``--model``, or else the model the input body names."""
    named: str | None = conv._model
    return args.model if args.model else named


def cmd_count(args: argparse.Namespace, out: Output) -> int:
    from ._cli import print_json

    make = counter_maker(args.counter)
    conv, params = read_counted(args.path)
    model = model_for(args, conv)
    counter = make(model)
    n = counter.count(conv, model=model, **params)
    print_json({"input_tokens": n, "counter": counter.name}, out)
    return 0


def cmd_trim(args: argparse.Namespace, out: Output) -> int:
    from ._cli import UsageError

    if args.budget < 1:
        raise UsageError("--budget must be at least 1 token")
    for flag, value in (("--pin", args.pin), ("--clear-tool-results", args.clear_tool_results)):
        if value is not None and value < 0:
            raise UsageError(f"{flag} must be 0 or more")
    if args.clear_thinking is not None and args.clear_thinking < 0:
        raise UsageError("--clear-thinking must be 0 or more")
    check_headroom(args.headroom, args.budget)
    make = counter_maker(args.counter)
    conv, params = read_counted(args.path)
    model = model_for(args, conv)
    try:
        trimmed = conv.trim(
            args.budget,
            counter=make(model),
            model=model,
            params=params,
            pin=args.pin,
            clear_tool_results=args.clear_tool_results,
            clear_thinking=args.clear_thinking,
            headroom=args.headroom,
        )
    except BudgetTooSmall as exc:
        raise exc.spelt(TRIM_FLAGS) from None
    out.write_bytes(trimmed.to_json() + b"\n")
    return 0
