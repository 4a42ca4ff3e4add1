"""The ``convo`` command line.

Exit codes: 0 valid (warnings allowed), 1 invalid, 2 unreadable input or bad usage.  Bad input
of any kind gets one clear line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import select
import stat
import sys
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from importlib import resources
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Final, NoReturn, TextIO

import msgspec

from ._blocks import (
    Block,
    ImageBlock,
    MCPToolUseBlock,
    ServerToolResult,
    ServerToolUseBlock,
    TextBlock,
    ThinkingBlock,
    ToolResultBlock,
    ToolUseBlock,
)
from ._check import check
from ._conversation import Conversation
from ._errors import ConvoError, InputError, Report, ValidationError
from ._files import as_wire, read_any
from ._io import StorageError, open_no_wait

if TYPE_CHECKING:
    from _typeshed import SupportsWrite

__all__ = ["main"]

MAX_INPUT_BYTES: Final = 64 * 1024 * 1024
"""Larger inputs are refused: the API itself accepts at most 32 MB per request."""

EXAMPLE: Final = "incident.json"


class UsageError(ConvoError):
    """Bad command-line usage (exit 2)."""


class OutputError(ConvoError):
    """Standard output cannot be written (a full disk, a closed file): exit 2."""


class Output:
    """Standard output as the verbs write it.

    Text (:meth:`write`, :func:`print`) is for a person: what the stream's encoding cannot hold
    is escaped (``\\xe9``).  Wire and JSON output (:meth:`write_bytes`) goes out as its exact
    UTF-8 bytes, whatever the locale's encoding.  Both go out whole, however standard output was
    handed over: unbuffered (``python -u``), or a pipe left non-blocking, whose reader is waited
    on while it is full.  Once its reader has gone (a broken pipe), what follows is dropped and
    the verb goes on, so that its exit status and its lines on stderr still tell what it found;
    any other failure to write (a full disk, a closed standard output) is an
    :class:`OutputError`.
    """

    def __init__(self, stream: TextIO | None) -> None:
        self._stream = stream
        self._gone = False

    def write(self, text: str) -> int:
        def send(stream: TextIO) -> None:
            encoding = stream.encoding or "utf-8"
            lines = text.replace("\n", os.linesep)  # a line ends as the stream's own lines would
            try:
                data = lines.encode(encoding, stream.errors or "strict")
            except UnicodeEncodeError:  # a character the terminal's encoding lacks
                data = lines.encode(encoding, "backslashreplace")
            _send(stream, data, encoding)

        self._guard(send)
        return len(text)

    def write_bytes(self, data: bytes) -> None:
        self._guard(lambda stream: _send(stream, data, "utf-8"))

    def flush(self) -> None:
        if self._stream is not None:  # closed from the start: nothing was written
            self._guard(_flush)

    def _guard(self, send: Callable[[TextIO], object]) -> None:
        if self._gone:
            return
        if self._stream is None:  # started with standard output closed (`>&-`)
            raise OutputError("cannot write to standard output: it is closed")
        try:
            send(self._stream)
        except BrokenPipeError:
            self._gone = True
            with contextlib.suppress(OSError, ValueError):  # nothing left to flush at exit
                os.dup2(os.open(os.devnull, os.O_WRONLY), self._stream.fileno())
        except OSError as exc:
            raise OutputError(f"cannot write to standard output: {exc.strerror or exc}") from None


def _send(stream: TextIO, data: bytes, encoding: str) -> None:
    """All of ``data``, text in ``encoding``, to ``stream``'s bytes, after what it holds as text.

    An unbuffered stream may take part of it at a time, and one left non-blocking none of it
    until its reader makes room: the rest is written then, never dropped.
    """
    buffer = getattr(stream, "buffer", None)
    if buffer is None:  # a stream that takes only text (a test harness's)
        stream.write(data.decode(encoding))
        return
    _flush(stream)
    view = memoryview(data)
    while view:
        try:
            written = buffer.write(view)
        except BlockingIOError as exc:
            written = exc.characters_written
        if not written:
            _wait_for_room(buffer)
        view = view[written or 0 :]


def _flush(stream: IO[Any]) -> None:
    """Flush ``stream`` whole, waiting for room as :func:`_send` does."""
    while True:
        try:
            stream.flush()
            return
        except BlockingIOError:
            _wait_for_room(stream)


def _wait_for_room(stream: IO[Any]) -> None:
    """Wait until a non-blocking ``stream`` can be written again (its reader has read some)."""
    select.select([], [stream.fileno()], [])


def warn(text: str) -> None:
    """``convo: text`` on stderr, its control characters escaped.  A diagnostic never stops the
    work: a standard error that is closed or cannot be written (a full disk) is passed over."""
    if sys.stderr is not None:  # print(file=None) would write to stdout
        with contextlib.suppress(OSError, ValueError):
            print(f"convo: {printable(text)}", file=sys.stderr, flush=True)


def print_json(value: object, out: Output) -> None:
    """``value`` as one line of JSON on ``out``, in UTF-8.  A file name that is not UTF-8 gets
    U+FFFD where its odd bytes were, wherever it appears: every string is valid Unicode."""
    raw = json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogateescape")
    out.write_bytes(raw.decode("utf-8", "replace").encode("utf-8") + b"\n")


_BIDI_CONTROLS: Final = {
    c: f"\\u{c:04x}" for c in (0x61C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A))
}
"""Unicode's bidirectional controls: shown as they are, one (``\\u202e``) would reorder the rest of
its line, the ids and cache marks after the text included."""
_CONTROLS: Final = {c: f"\\x{c:02x}" for c in (*range(0x20), *range(0x7F, 0xA0))} | _BIDI_CONTROLS


def printable(text: str) -> str:
    """``text`` with control characters (``\\x1b``) and bidirectional controls (``\\u202e``)
    escaped: what a conversation holds, or a file name, must not drive the terminal it is shown
    on."""
    return text.translate(_CONTROLS)


def json_argument(flag: str, text: str) -> Any:
    """A JSON value given on the command line (``--param``, ``--metadata``), read as strictly as
    input is: no ``NaN`` or ``Infinity``, no number Python cannot hold (``1e999``), no nesting
    too deep to read.  Anything else is a :class:`UsageError` naming ``flag``."""
    try:
        return msgspec.json.decode(text)
    except msgspec.ValidationError as exc:  # 1e999: JSON allows it, Python cannot hold it
        why = f"{str(exc)[:1].lower()}{str(exc)[1:]}"
        raise UsageError(f"{flag}: {why}: a number JSON allows but Python cannot hold") from None
    except msgspec.DecodeError as exc:
        raise UsageError(f"{flag}: not JSON: {exc}") from None
    except RecursionError:
        raise UsageError(f"{flag}: the value is nested too deeply") from None


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(message)

    def print_help(self, file: SupportsWrite[str] | None = None) -> None:
        """``--help`` is output like any verb's: standard output that cannot be written (closed,
        a full disk) is an :class:`OutputError`, not help sent to stderr or lost with exit 0."""
        if file is not None:
            super().print_help(file)
            return
        out = Output(sys.stdout)
        out.write(self.format_help())
        out.flush()


def read_input(name: str) -> bytes:
    """The bytes of a file (or stdin for ``-``), refusing what cannot be a conversation.

    Every input is read with a bound: at most one byte past the limit, whatever it is (a file, a
    pipe, a device such as ``/dev/zero``), so an oversized input is refused without being read
    whole.  A named pipe is not waited on: with no writer, it reads as empty.
    """
    if name == "-":
        if sys.stdin is None:
            raise InputError("-: standard input is closed")
        try:
            data = read_stdin(MAX_INPUT_BYTES + 1)
        except OSError as exc:
            raise InputError(f"-: cannot read standard input ({exc.strerror or exc})") from None
    else:
        try:
            with open(name, "rb", opener=open_no_wait) as fh:  # a directory raises IsADirectoryError
                info = os.fstat(fh.fileno())
                if stat.S_ISREG(info.st_mode) and info.st_size > MAX_INPUT_BYTES:
                    raise InputError(
                        f"{name}: {info.st_size / 1e6:.1f} MB is too large (convo reads at most 64 MiB)"
                    )
                data = fh.read(MAX_INPUT_BYTES + 1)
        except FileNotFoundError:
            raise InputError(f"{name}: no such file") from None
        except IsADirectoryError:
            raise InputError(f"{name}: is a directory") from None
        except PermissionError:
            raise InputError(f"{name}: permission denied") from None
        except OSError as exc:
            raise InputError(f"{name}: cannot read ({exc.strerror or exc})") from None
    if len(data) > MAX_INPUT_BYTES:
        raise InputError(f"{name}: input is too large (convo reads at most 64 MiB)")
    return data


def read_stdin(size: int) -> bytes:
    """Standard input to its end, or its first ``size`` bytes.

    It is read from its descriptor as it was handed over: one left non-blocking (a pipe with
    ``O_NONBLOCK``, which a parent process may set) is waited on while it has nothing yet, never
    taken as ended or read in part.
    """
    stream = sys.stdin.buffer
    try:
        fd = stream.fileno()
    except io.UnsupportedOperation:  # a stream in memory (a test harness's) holds it all
        return stream.read(size)
    chunks: list[bytes] = []
    while size > 0:
        try:
            chunk = os.read(fd, min(size, 1 << 20))
        except BlockingIOError:
            select.select([fd], [], [])
            continue
        if not chunk:
            break
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def load_conversation(name: str, data: bytes | None = None) -> Conversation:
    """The conversation in an input (read from ``name`` unless its ``data`` is given), in any format.

    Files, journals, Claude Code transcripts and wire JSON are all read; problems become one line.
    """
    if data is None:
        data = read_input(name)
    try:
        with naming(name):
            return read_any(data, path=None if name == "-" else Path(name)).conversation
    except ValidationError as exc:
        first = exc.errors[0]
        more = f"; {len(exc.errors) - 1} more: run 'convo check {name}'" if len(exc.errors) > 1 else ""
        raise ValidationError(exc.errors, f"{name}: not a valid conversation: {first}{more}") from None


def read_wire(name: str) -> bytes:
    """What ``convo check`` checks: the wire body of an input, read as every verb reads it.

    A journal or a Claude Code transcript becomes the conversation it holds (a transcript's
    rebuilt messages, valid or not).

    Raises :class:`InputError` naming ``name``.
    """
    data = read_input(name)
    with naming(name):
        return as_wire(data, path=None if name == "-" else Path(name))


@contextlib.contextmanager
def naming(name: str) -> Iterator[None]:
    """Unreadable input as one :class:`InputError` line that starts with the input's name."""
    try:
        yield
    except InputError as exc:
        raise exc.named(name) from None
    except RecursionError:  # hostile nesting that a reader let through
        raise InputError(f"{name}: input is nested too deeply") from None


# -- check ---------------------------------------------------------------------------------------


def cmd_check(args: argparse.Namespace, out: Output) -> int:
    if args.beta is not None and not all(args.beta):
        raise UsageError("--beta needs a beta name, such as interleaved-thinking-2025-05-14")
    status = 0
    for name in args.paths:
        try:
            data = read_wire(name)
        except InputError as exc:
            _emit_unreadable(name, str(exc), args.json, out)
            status = 2
            continue
        report = check(data, model=args.model or None, betas=args.beta)  # "": none, as for every verb
        unreadable = [p for p in report.errors if p.code == "input-unreadable"]
        if unreadable:  # the line from_wire's InputError gives, with the value's path if it names one
            first = unreadable[0]
            error = InputError(first.message, path=first.path)
            _emit_unreadable(name, f"{name}: {error}", args.json, out, path=first.path)
            status = 2
            continue
        if not report.valid:
            status = max(status, 1)
        _emit_report(name, report, args.json, out)
    return status


def _emit_unreadable(name: str, message: str, as_json: bool, out: Output, *, path: str = "") -> None:
    warn(message)
    if as_json:
        problem = {"code": "input-unreadable", "path": path, "message": message, "hint": "fix the file"}
        print_json({"file": name, "valid": False, "errors": [problem], "warnings": []}, out)


def _emit_report(name: str, report: Report, as_json: bool, out: Output) -> None:
    if as_json:
        line = {
            "file": name,
            "valid": report.valid,
            "errors": [p.to_dict() for p in report.errors],
            "warnings": [p.to_dict() for p in report.warnings],
        }
        print_json(line, out)
        return
    for p in report.problems:
        text = f"{name}:{p.path or '/'}: {p.severity} [{p.code}] {p.message} (fix: {p.hint})"
        print(printable(text), file=out)
    verdict = "valid" if report.valid else "invalid"
    counts = f"{len(report.errors)} error(s), {len(report.warnings)} warning(s)"
    print(printable(f"{name}: {verdict} ({counts})"), file=out)


# -- show ----------------------------------------------------------------------------------------


def cmd_show(args: argparse.Namespace, out: Output) -> int:
    from ._cli_tokens import model_for, read_counted  # it imports this module

    conv, params = read_counted(args.path)  # what `convo count` counts
    show(conv, out, model=model_for(args, conv), params=params, cache=args.cache == "auto")
    return 0


def show(
    conv: Conversation,
    out: Output,
    *,
    model: str | None = None,
    params: dict[str, Any] | None = None,
    cache: bool = False,
) -> None:
    """Print a readable view of a conversation: turns, blocks, tool pairs and cache breakpoints.

    A breakpoint reads ``[cache TTL, ~N tokens]`` (the estimated prefix it caches); with
    ``cache``, convo's own placement (``cache="auto"``) is added and marked ``convo``.  The
    token estimates are the local counter's for ``model`` and the request ``params``.  Every
    line is for a person: what the conversation holds is shown with its control characters and
    bidirectional controls escaped, and clipped to one line.
    """
    from ._cache import CacheBreakpoint, cache_breakpoints, place_cache
    from ._tokens import LocalCounter

    def line(text: str) -> None:
        print(printable(text), file=out)

    cached = _as_requested(conv, params)
    given: set[str] | None = None
    if cache:
        given = {b.path for b in cache_breakpoints(cached, model=model)}
        cached = place_cache(cached, model=model)
        conv = Conversation.from_wire(cached)
    marks = {b.path: b for b in cache_breakpoints(cached, model=model)}

    def tag(*paths: str) -> str:  # the marks on the blocks, and on blocks nested in them (a tool result's)
        found = [m for at, m in marks.items() if any(at == p or at.startswith(p + "/") for p in paths)]
        return "".join(f" [cache {mark.ttl}{who(mark)}, ~{mark.tokens:,} tokens]" for mark in found)

    def who(mark: CacheBreakpoint) -> str:
        if mark.source == "automatic":
            return " automatic"
        return " convo" if given is not None and mark.path not in given else ""

    fixed, estimates = LocalCounter().parts(conv, model=model, **(params or {}))
    if conv.system is not None:
        system = (
            conv.system
            if isinstance(conv.system, str)
            else " ".join(b.text for b in conv.system if isinstance(b, TextBlock))
        )
        count = 1 if isinstance(conv.system, str) else len(conv.system)
        line(f"system  {_clip(system)}{tag('/system', *(f'/system/{k}' for k in range(count)))}")
    for i, tool in enumerate(conv.tools):
        line(f"tool {i}  {tool.get('name')}{tag(f'/tools/{i}')}")
    for i, message in enumerate(conv.messages):
        line(f"#{i:<3} {message.role:<9} ~{estimates[i]:,} tokens")
        for k, block in enumerate(message.blocks):
            where = f"/messages/{i}/content" + ("" if isinstance(message.content, str) else f"/{k}")
            line(f"       {_describe(block)}{tag(where)}")
    total = fixed + sum(estimates)
    line(f"~{total:,} input tokens in all (local estimate, errs high; system, tools and request ~{fixed:,})")
    pending = conv.pending_tool_uses
    if pending:
        line(f"awaiting results for: {', '.join(u.id for u in pending)}")


def _as_requested(conv: Conversation, params: dict[str, Any] | None) -> Conversation | bytes:
    """What a request caches: the conversation, with the request's top-level ``cache_control``
    when it has one (automatic caching, api-rules §5.5: a breakpoint on the last block)."""
    automatic = (params or {}).get("cache_control")
    if automatic is None:
        return conv
    return b'{"cache_control":' + msgspec.json.encode(automatic) + b"," + conv.to_json()[1:]


def _describe(block: Block) -> str:
    if isinstance(block, TextBlock):
        return f"text      {_clip(block.text)}"
    if isinstance(block, ThinkingBlock):
        return f"thinking  {_clip(block.thinking)} (signed)" if block.signature else "thinking (unsigned)"
    if isinstance(block, ToolUseBlock | ServerToolUseBlock | MCPToolUseBlock):
        args = json.dumps(block.input, ensure_ascii=False)
        return f"{block.type:<9} {block.name}({_clip(args, 50)}) id={block.id}"
    if isinstance(block, ToolResultBlock):
        if isinstance(block.content, str):
            body = block.content
        elif block.content:
            body = " ".join(b.text if isinstance(b, TextBlock) else f"<{b.type}>" for b in block.content)
        else:
            body = ""
        error = " ERROR" if block.is_error else ""
        return f"result{error:<4} -> {block.tool_use_id}: {_clip(body)}"
    if isinstance(block, ServerToolResult):
        return f"{block.type} -> {block.tool_use_id}"
    if isinstance(block, ImageBlock):
        source = block.source
        what = source.get("media_type") or source.get("url") or source.get("file_id") or "?"
        return f"image     {source.get('type')} {_clip(str(what))}"
    return f"{block.type}"


def _clip(text: str, width: int = 70) -> str:
    """``text`` on one line, cut to ``width`` columns of a terminal, "…" included where it is cut."""
    flat = " ".join(text.split())
    used = 0
    cut = len(flat)
    for i, char in enumerate(flat):
        used += _columns(char)
        if used > width - 1 and cut > i:  # the longest prefix that leaves a column for "…"
            cut = i
        if used > width:
            return flat[:cut] + "…"
    return flat


def _columns(char: str) -> int:
    """The columns ``char`` takes on a terminal once :func:`printable` has escaped it: two for
    a wide (CJK) character, none for a combining mark or an invisible format character."""
    escaped = _CONTROLS.get(ord(char))
    if escaped is not None:
        return len(escaped)
    if unicodedata.combining(char) or unicodedata.category(char) == "Cf":
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


# -- demo ----------------------------------------------------------------------------------------


def cmd_demo(args: argparse.Namespace, out: Output) -> int:
    data = resources.files("convo").joinpath("examples", EXAMPLE).read_bytes()
    print(f"== convo demo: the bundled example {EXAMPLE} ({len(data)} bytes)", file=out)
    conv = Conversation.from_wire(data)
    print(f"loaded: {conv!r}", file=out)
    report = check(data, model="claude-opus-4-8")
    print(f"check for claude-opus-4-8: {'valid' if report.valid else 'INVALID'}", file=out)
    print(file=out)
    show(conv, out, model="claude-opus-4-8")  # the estimates the trim below starts from
    print(file=out)
    same = Conversation.from_wire(conv.to_json()).to_json() == conv.to_json()
    print(f"round trip: to_json() -> from_wire() -> to_json() is byte-identical: {same}", file=out)
    broken = conv.messages[:2]  # cut the history right after a tool_use: its results are gone
    bad = check([m.to_dict() for m in broken] + [{"role": "user", "content": "continue"}])
    print("trimming by hand after a tool_use would be caught:", file=out)
    for p in bad.errors:
        print(f"  {p.code} at {p.path}: {p.message}", file=out)
    print(file=out)
    from ._cli_build import demo_request  # it imports this module

    built = demo_request(conv, "claude-opus-4-8", out)
    print(file=out)
    fits = _demo_budget(conv, out)
    return 0 if report.valid and same and not bad.valid and built and fits else 1


def _demo_budget(conv: Conversation, out: Output) -> bool:
    """Trim the example to a budget and place cache breakpoints on what is kept: true when
    the trimmed conversation fits and valid, and a breakpoint caches a prefix long enough to be
    cached (api-rules §5.7: a shorter one is processed uncached, without an error)."""
    from ._models import profile
    from ._tokens import LocalCounter

    counter = LocalCounter()
    model = "claude-opus-4-8"
    before = counter.count(conv, model=model)
    budget = before * 5 // 6  # what keeps a prefix the model caches (see the breakpoints below)
    trimmed = conv.trim(budget, counter=counter, model=model)
    after = counter.count(trimmed, model=model)
    print(
        f"== trim to {budget:,} tokens (local counter): {before:,} -> {after:,} tokens, "
        f"{len(conv)} -> {len(trimmed)} messages, never splitting a tool_use from its result",
        file=out,
    )
    request = trimmed.request(model=model, max_tokens=1024, cache="auto")
    minimum = profile(model).cache_min_tokens
    print(
        f"== cache='auto' on the trimmed request: {len(request.breakpoints)} breakpoint(s) "
        f"({model} caches a prefix of {minimum:,} tokens or more)",
        file=out,
    )
    for mark in request.breakpoints:
        cached = (
            f"caches ~{mark.tokens:,} tokens"
            if mark.tokens >= minimum
            else f"~{mark.tokens:,} tokens: too short, not cached"
        )
        print(f"  {mark.path}: set by {mark.source}, ttl {mark.ttl}, {cached}", file=out)
    caches = any(mark.tokens >= minimum for mark in request.breakpoints)
    return after <= budget and caches and not trimmed.check(model=model).errors


# -- entry point ---------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="convo", description="Typed conversations for the Anthropic Messages API.")
    verbs = parser.add_subparsers(dest="verb", metavar="COMMAND", required=True, parser_class=_Parser)
    p = verbs.add_parser("check", help="validate conversations or request bodies")
    p.add_argument("paths", nargs="+", metavar="PATH", help="files to check; - reads stdin")
    p.add_argument("--model", help="check readiness to send to this model")
    p.add_argument(
        "--beta",
        action="append",
        metavar="NAME",
        help="a beta the request is sent with (its anthropic-beta header; repeatable)",
    )
    p.add_argument("--json", action="store_true", help="one JSON object per input")
    p.set_defaults(run=cmd_check)
    from ._cli_build import add_build_parser  # build: convo/_cli_build.py (it imports this module)

    add_build_parser(verbs)
    from ._cli_tokens import add_token_verbs  # count, trim: convo/_cli_tokens.py (it imports this module)

    add_token_verbs(verbs)
    p = verbs.add_parser("show", help="a readable view of a conversation")
    p.add_argument("path", metavar="PATH")
    p.add_argument("--model", help="the model whose minimum cacheable length applies")
    p.add_argument(
        "--cache",
        choices=("auto", "off"),
        default="off",
        help="auto: also show where convo places breakpoints",
    )
    p.set_defaults(run=cmd_show)
    p = verbs.add_parser("demo", help="the main job, end to end, on a bundled example")
    p.set_defaults(run=cmd_demo)
    from ._convert import add_verbs  # import, export: convo/_convert.py (it imports this module)

    add_verbs(verbs)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    try:
        args = build_parser().parse_args(argv)
        out = Output(sys.stdout)
        status: int = args.run(args, out)
        out.flush()
        return status
    except UsageError as exc:
        warn(f"{exc} (see 'convo --help')")
        return 2
    except ConvoError as exc:
        warn(str(exc) or type(exc).__name__)  # escaped whole: a file name may hold a newline
        return 2 if isinstance(exc, InputError | OutputError | StorageError) else 1
    except RecursionError:  # last line of defence: the readers turn this into a named InputError
        warn("input is nested too deeply")
        return 2
    except MemoryError:
        warn("out of memory: the input is too large to process")
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
