"""``convo build``: a conversation file in, the finished request body out.

Kept apart from ``_cli.py`` (which wires it in) so the verbs can grow independently.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any, Final, Literal

import msgspec

from ._cli_tokens import add_counter_argument, add_headroom_argument, check_headroom, counter_maker
from ._codec import decode_body
from ._conversation import Conversation
from ._errors import InputError, InvalidArgument, Problem, ValidationError
from ._params import HEADER_PARAMETERS, REQUEST_PARAMETERS, SAMPLING_PARAMETERS
from ._request import Request
from ._trim import BudgetTooSmall

if TYPE_CHECKING:
    from ._cli import Output

__all__ = ["add_build_parser", "cmd_build", "demo_request"]

TARGETS: Final = ("messages", "count-tokens", "bedrock", "vertex", "vertex-count-tokens")
#: Parameters ``convo build`` carries over from a request body (system and tools travel with the
#: conversation itself; ``betas`` is a header, never a body field: ``--param betas=[...]``).
CARRIED: Final = tuple(n for n in REQUEST_PARAMETERS if n not in ("system", "tools", "betas"))
#: The header parameters a Bedrock body holds (``Request.bedrock_body``), as the SDK's Bedrock
#: client moves them there: ``betas`` as ``anthropic_beta``, and ``user_profile_id``.
IN_BEDROCK_BODY: Final = ("betas", "user_profile_id")
#: The ways out of a budget too small for ``convo build`` (``TRIM_ARGUMENTS``): it pins the first
#: user turn and clears nothing, and has no flags to change that; ``convo trim`` has.
BUILD_FLAGS: Final = {
    "budget": "--budget",
    "max_tokens": "--max-tokens",
    "pin": "convo trim --pin 0 first",
    "clear": "convo trim --clear-tool-results 0 --clear-thinking 0 first",
}


def add_build_parser(verbs: Any) -> None:
    """Add the ``build`` verb to the ``convo`` argument parser."""
    p = verbs.add_parser(
        "build",
        help="the finished request body for a model",
        description=(
            "Read a conversation (messages array, request body, convo file, JSON Lines, journal or Claude "
            "Code transcript), check it as a "
            "request for --model, and print the request body as JSON. Parameters of an input request body "
            "(thinking, tool_choice, ...) are kept; --param overrides them."
        ),
    )
    p.add_argument("path", metavar="PATH", help="the conversation; - reads stdin")
    p.add_argument("--model", help="the model (default: the input body's)")
    p.add_argument("--max-tokens", type=int, help="max_tokens (default: the input body's)")
    p.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME=JSON",
        help='a request parameter, e.g. --param \'thinking={"type": "adaptive"}\' (repeatable)',
    )
    p.add_argument("--stream", action="store_true", help='add "stream": true')
    p.add_argument(
        "--cache",
        choices=("auto", "off"),
        default="off",
        help="auto: convo places the prompt-cache breakpoints (docs/caching.md); off (default): only the input's own",
    )
    p.add_argument(
        "--budget",
        type=int,
        metavar="T",
        help="trim the oldest exchanges so the input fits T tokens (and the context window less max_tokens)",
    )
    add_counter_argument(p)
    add_headroom_argument(p)
    p.add_argument(
        "--target",
        choices=TARGETS,
        default="messages",
        help="which body: /v1/messages (default), count_tokens, Bedrock InvokeModel, Vertex rawPredict "
        "or Vertex count-tokens:rawPredict",
    )
    p.set_defaults(run=cmd_build)


def _from_body(data: bytes) -> dict[str, Any]:
    """The request parameters of an input request body (empty for other inputs)."""
    from ._cli import warn

    try:
        body = decode_body(data, lambda problem: None)
    except InputError:
        return {}  # a journal or a transcript: read already, and no request body
    if body.kind != "request":
        return {}
    found: dict[str, Any] = {}
    for name, raw in body.fields.items():
        if name in ("model", "max_tokens", *CARRIED):
            found[name] = msgspec.json.decode(raw)
        elif name in SAMPLING_PARAMETERS:
            warn(f"dropped {name!r}: API version 2026-10-21 rejects it")
        elif name == "stream":
            warn("dropped 'stream': give --stream for a streaming body")
        elif name == "betas":
            warn("dropped 'betas': the anthropic-beta header, not a body field; give --param 'betas=[...]'")
        elif name not in ("messages", "system", "tools"):
            warn(f"dropped {name!r}: not a Messages API parameter")
    return found


def _params(pairs: list[str]) -> dict[str, Any]:
    from ._cli import UsageError, json_argument

    given: dict[str, Any] = {}
    for pair in pairs:
        name, sep, text = pair.partition("=")
        if not sep or name not in REQUEST_PARAMETERS:
            raise UsageError(
                f"--param {pair!r}: expected NAME=JSON with NAME one of {', '.join(REQUEST_PARAMETERS)}"
            )
        given[name] = json_argument(f"--param {name}", text)
    return given


def cmd_build(args: argparse.Namespace, out: Output) -> int:
    from ._cli import UsageError, load_conversation, naming, read_input, warn

    given = _params(args.param)  # bad usage is exit 2, whatever the input holds
    if args.budget is not None and args.budget < 1:
        raise UsageError("--budget must be at least 1 token")
    check_headroom(args.headroom, args.budget)
    if args.counter == "api" and args.budget is None:  # build counts only to trim
        raise UsageError("--counter api needs --budget: build counts tokens only to trim")
    make = counter_maker(args.counter) if args.budget is not None else None
    data = read_input(args.path)
    try:  # read first: unreadable input is reported as such, not as a missing --model
        conv = load_conversation(args.path, data)
    except ValidationError as exc:
        _print_problems(args.path, exc.errors)
        return 1
    params = _from_body(data)
    params.update(given)
    model = args.model or params.pop("model", None)
    max_tokens = args.max_tokens if args.max_tokens is not None else params.pop("max_tokens", None)
    params.pop("model", None)
    params.pop("max_tokens", None)
    if model is None:
        raise UsageError("--model is required: the input names no model")
    if not isinstance(model, str) or not model:
        raise UsageError(f"--model is required: the input's model {model!r} is not a model id")
    if max_tokens is None:
        raise UsageError("--max-tokens is required: the input gives none")
    try:
        with naming(args.path):
            if make is not None:  # trimmed before breakpoints are placed (docs/budgets.md)
                counter = make(model)
                conv = conv.trim(
                    args.budget,
                    counter=counter,
                    model=model,
                    max_tokens=max_tokens if _is_token_count(max_tokens) else None,
                    params=params,
                    headroom=args.headroom,
                )
            cache: Literal["auto"] | None = "auto" if args.cache == "auto" else None
            request = Request(conv, model=model, max_tokens=max_tokens, cache=cache, **params)
    except ValidationError as exc:
        _print_problems(args.path, exc.errors)
        return 1
    except InvalidArgument as exc:  # a --param value of the wrong type (tools=5)
        raise UsageError(f"--param: {exc}") from None
    except BudgetTooSmall as exc:
        raise exc.spelt(BUILD_FLAGS) from None
    for warning in request.warnings:
        warn(f"{args.path}:{warning.path or '/'}: warning [{warning.code}] {warning.message}")
    if args.stream and args.target not in ("messages", "vertex"):
        warn(f"--stream does not apply to --target {args.target}")
    _note_headers(request, args.target)
    if args.target == "messages":
        body = request.body(stream=args.stream)
    elif args.target == "count-tokens":
        body = request.count_tokens_body()
    elif args.target == "bedrock":
        body = request.bedrock_body()
    elif args.target == "vertex":
        body = request.vertex_body(stream=args.stream)
    else:
        body = request.vertex_count_tokens_body()
    out.write_bytes(body + b"\n")
    return 0


def _is_token_count(value: object) -> bool:
    """True for a ``max_tokens`` that trimming can take: an int >= 0.  Any other value, from
    ``--max-tokens`` or the input body, is the request's own ``max-tokens-invalid`` error (exit 1),
    not bad usage of ``--param``."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _note_headers(request: Request, target: str) -> None:
    """A note on stderr for each header parameter (``betas``, ``user_profile_id``,
    ``workspace_id``) that the printed body leaves out: the header to send with it."""
    from ._cli import warn

    headers = request.headers()
    for name, header in HEADER_PARAMETERS.items():
        if header in headers and not (target == "bedrock" and name in IN_BEDROCK_BODY):
            warn(f"{name} is not in the body: send the header {header}: {headers[header]}")


def _print_problems(name: str, problems: tuple[Problem, ...]) -> None:
    from ._cli import warn

    for p in problems:
        warn(f"{name}:{p.path or '/'}: {p.severity} [{p.code}] {p.message} (fix: {p.hint})")
    warn(f"{name}: not ready to send ({len(problems)} error(s))")


def demo_request(conv: Conversation, model: str, out: Output) -> bool:
    """The demo's last step: build the request, show where each payload goes; True if it worked."""
    print(f"building the request for {model}:", file=out)
    try:
        request = conv.request(model=model, max_tokens=2048, thinking={"type": "adaptive"})
    except ValidationError as exc:
        for p in exc.errors:
            print(f"  {p.code} at {p.path}: {p.message}", file=out)
        return False
    body = request.body()
    same_prefix = body.endswith(conv.to_json()[1:])
    print(
        f"  POST /v1/messages           {len(body)} bytes; the conversation's bytes unchanged: {same_prefix}",
        file=out,
    )
    print(f"  client.messages.create(**request.params())  keys: {', '.join(request.params())}", file=out)
    print(f"  POST /v1/messages/count_tokens  {len(request.count_tokens_body())} bytes", file=out)
    print(
        f"  batch line                  {len(request.batch_line('incident-1'))} bytes, custom_id incident-1",
        file=out,
    )
    print(f"  Bedrock POST /model/{{Bedrock id}}/invoke  {len(request.bedrock_body())} bytes", file=out)
    print(f"  Vertex  POST {request.vertex_path(project='PROJECT', region='global')}", file=out)
    early = conv.messages[:2]  # the assistant's first turn, its tool_use still unanswered
    try:
        Conversation(system=conv.system, tools=conv.tools, messages=early).request(
            model=model, max_tokens=2048, thinking={"type": "adaptive"}
        )
    except ValidationError as exc:
        print("sending before the tool results are in would be caught:", file=out)
        for p in exc.errors:
            print(f"  {p.code} at {p.path}: {p.message}", file=out)
    return same_prefix
