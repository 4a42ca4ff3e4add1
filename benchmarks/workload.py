"""Deterministic, realistic Messages API request bodies, generated in memory.

The shape is a coding agent's tool loop, the traffic convo exists for:

* ``tools``: six client tool definitions, the last one marked ``cache_control`` (ttl 1h);
* ``system``: two text blocks, the second marked ``cache_control`` (ttl 1h);
* ``messages``: a user task (text plus a small PNG screenshot), then rounds of
  assistant ``[thinking (long signature), text?, tool_use x 1-3 (parallel calls)]`` and
  user ``[tool_result x n]`` whose content is a string (file text, command output) or a
  block list (text, or text plus a PNG), sometimes ``is_error``; every few rounds the
  assistant answers in text and the user asks the next question.  Two ``cache_control``
  marks (ttl 5m) sit on user turns, for four breakpoints in all (the API maximum).

Text mixes prose, code with quotes, backslashes, tabs and newlines, and some non-ASCII, so
JSON escaping is exercised.  Every body is valid for ``convo`` (no error-severity problems)
and for the SDK's ``MessageParam`` types.

Only the standard library is imported here, so a benchmark worker can build its input
without importing any competitor.  Bodies are encoded the way httpx (and so the SDK) sends
them: compact separators, ``ensure_ascii=False``.
"""

from __future__ import annotations

import base64
import json
import random
import struct
import zlib
from typing import Any

__all__ = ["SIZES", "body", "body_bytes", "messages_bytes", "plain_conversation"]

SIZES: dict[str, int] = {"small": 64 * 1024, "large": 1024 * 1024}
"""Target size in bytes of the encoded request body, by workload name."""

MODEL = "claude-sonnet-4-5"

WORDS = (
    "the a of to and in is that for it on with as this be are by from at or an file function "
    "test error value return config build module import request response cache token message "
    "result output input path line class method type string list dict index buffer stream "
    "agent tool call parse check update write read handle retry timeout version schema field"
).split()

NON_ASCII = ("café", "naïve", "Größe", "日本語", "→", "✓", "—", "€", "😀", "Ωmega")

CODE_LINES = (
    "def {name}(path: str, *, strict: bool = True) -> dict[str, int]:",
    '    """Read {word} from {{path!r}} and count it."""',
    '    with open(path, encoding="utf-8") as fh:',
    "        data = fh.read().split('\\n')",
    '    if not data:\n        raise ValueError(f"empty {word}: {{path}}")',
    '    pattern = re.compile(r"^\\s*(\\w+)\\s*=\\s*\\"(.*)\\"$")',
    "    return {{k: len(v) for k, v in counts.items() if v}}\t# {word}",
    '    print("done \\u2713", file=sys.stderr)',
    "    for i, line in enumerate(lines):",
    '        log.debug("line %d: %s", i, line)',
)

TOOLS: list[dict[str, Any]] = [
    {
        "name": "read_file",
        "description": "Read a text file from the workspace and return its contents with line numbers.",
        "input_schema": {
            "type": "object",
            "properties": {
                "path": {"type": "string", "description": "Path relative to the workspace root."},
                "offset": {"type": "integer", "minimum": 0},
                "limit": {"type": "integer", "minimum": 1, "maximum": 2000},
            },
            "required": ["path"],
        },
    },
    {
        "name": "bash",
        "description": "Run a shell command in the sandbox and return stdout, stderr and the exit status.",
        "input_schema": {
            "type": "object",
            "properties": {
                "command": {"type": "string"},
                "timeout": {"type": "integer", "description": "Seconds before the command is killed."},
            },
            "required": ["command"],
        },
    },
    {
        "name": "edit_file",
        "description": "Replace one exact occurrence of old_str with new_str in a file.",
        "input_schema": {
            "type": "object",
            "properties": {
                "path": {"type": "string"},
                "old_str": {"type": "string"},
                "new_str": {"type": "string"},
            },
            "required": ["path", "old_str", "new_str"],
        },
    },
    {
        "name": "grep",
        "description": "Search files for a regular expression.",
        "input_schema": {
            "type": "object",
            "properties": {"pattern": {"type": "string"}, "path": {"type": "string"}},
            "required": ["pattern"],
        },
    },
    {
        "name": "list_dir",
        "description": "List a directory.",
        "input_schema": {"type": "object", "properties": {"path": {"type": "string"}}, "required": ["path"]},
    },
    {
        "name": "screenshot",
        "description": "Take a screenshot of the app under test.",
        "input_schema": {"type": "object", "properties": {"url": {"type": "string"}}, "required": ["url"]},
        "cache_control": {"type": "ephemeral", "ttl": "1h"},
    },
]


class _Gen:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.tool_counter = 0

    def words(self, n: int) -> str:
        rng = self.rng
        out = []
        for i in range(n):
            word = rng.choice(WORDS)
            if rng.random() < 0.02:
                word = rng.choice(NON_ASCII)
            out.append(word)
            if i % 17 == 16:
                out[-1] += "."
        text = " ".join(out)
        return text[:1].upper() + text[1:] + "."

    def code(self, lines: int) -> str:
        rng = self.rng
        out = []
        for n in range(1, lines + 1):
            line = rng.choice(CODE_LINES).format(name=f"load_{rng.choice(WORDS)}", word=rng.choice(WORDS))
            out.append(f"{n:>5}\t{line}")
        return "\n".join(out)

    def tool_id(self) -> str:
        self.tool_counter += 1
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
        tail = "".join(self.rng.choice(alphabet) for _ in range(22))
        return f"toolu_01{tail}{self.tool_counter:04d}"

    def signature(self) -> str:
        raw = self.rng.randbytes(self.rng.randint(450, 1800))
        return base64.b64encode(raw).decode("ascii")

    def png(self) -> str:
        """A small valid PNG (noise, so it does not compress away), base64-encoded."""
        rng = self.rng
        width, height = rng.randint(24, 64), rng.randint(16, 48)
        rows = b"".join(b"\x00" + rng.randbytes(width * 3) for _ in range(height))

        def chunk(kind: bytes, data: bytes) -> bytes:
            return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

        png = (
            b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows, 6))
            + chunk(b"IEND", b"")
        )
        return base64.b64encode(png).decode("ascii")

    def image_block(self) -> dict[str, Any]:
        return {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": self.png()}}

    def tool_call(self) -> tuple[dict[str, Any], str]:
        rng = self.rng
        name = rng.choice(
            ("read_file", "read_file", "bash", "bash", "grep", "edit_file", "list_dir", "screenshot")
        )
        path = f"src/{rng.choice(WORDS)}/{rng.choice(WORDS)}_{rng.randint(1, 99)}.py"
        tool_input: dict[str, Any]
        if name == "read_file":
            tool_input = {"path": path, "offset": rng.randint(0, 400), "limit": 200}
        elif name == "bash":
            tool_input = {
                "command": f"cd /repo && python -m pytest -x -q tests/test_{rng.choice(WORDS)}.py "
                f"2>&1 | tail -n {rng.randint(20, 80)}",
                "timeout": 120,
            }
        elif name == "grep":
            tool_input = {"pattern": f"def {rng.choice(WORDS)}_\\w+\\(", "path": "src/"}
        elif name == "edit_file":
            tool_input = {
                "path": path,
                "old_str": self.code(rng.randint(2, 6)),
                "new_str": self.code(rng.randint(2, 8)),
            }
        elif name == "list_dir":
            tool_input = {"path": f"src/{rng.choice(WORDS)}"}
        else:
            tool_input = {"url": f"http://localhost:{rng.randint(3000, 9000)}/{rng.choice(WORDS)}"}
        block = {"type": "tool_use", "id": self.tool_id(), "name": name, "input": tool_input}
        return block, name

    def tool_result(self, use: dict[str, Any], name: str) -> dict[str, Any]:
        rng = self.rng
        result: dict[str, Any] = {"type": "tool_result", "tool_use_id": use["id"]}
        roll = rng.random()
        if name == "screenshot":
            result["content"] = [
                {"type": "text", "text": "Screenshot of " + use["input"]["url"]},
                self.image_block(),
            ]
        elif roll < 0.1:
            result["content"] = f"Error: {self.words(rng.randint(8, 30))}"
            result["is_error"] = True
        elif roll < 0.55:
            result["content"] = self.code(rng.randint(20, 140))
        elif roll < 0.85:
            result["content"] = [{"type": "text", "text": self.words(rng.randint(40, 400))}]
        else:
            result["content"] = [
                {"type": "text", "text": self.code(rng.randint(10, 60))},
                {"type": "text", "text": self.words(rng.randint(10, 60))},
            ]
        return result

    def assistant_tool_turn(self) -> tuple[dict[str, Any], list[tuple[dict[str, Any], str]]]:
        rng = self.rng
        content: list[dict[str, Any]] = [
            {"type": "thinking", "thinking": self.words(rng.randint(30, 300)), "signature": self.signature()}
        ]
        if rng.random() < 0.6:
            content.append({"type": "text", "text": self.words(rng.randint(5, 60))})
        calls = [self.tool_call() for _ in range(rng.choice((1, 1, 2, 2, 3)))]
        content.extend(use for use, _ in calls)
        return {"role": "assistant", "content": content}, calls

    def user_question(self) -> dict[str, Any]:
        rng = self.rng
        if rng.random() < 0.5:
            return {"role": "user", "content": self.words(rng.randint(10, 120))}
        return {"role": "user", "content": [{"type": "text", "text": self.words(rng.randint(10, 200))}]}


def _size(value: Any) -> int:
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


def body(size: str | int = "large", seed: int = 20261122) -> dict[str, Any]:
    """A request body of about ``size`` bytes (a name from :data:`SIZES` or a byte count)."""
    target = SIZES[size] if isinstance(size, str) else size
    gen = _Gen(seed)
    rng = gen.rng
    system = [
        {
            "type": "text",
            "text": "You are a careful coding agent working in a sandboxed repository. " + gen.words(120),
        },
        {"type": "text", "text": gen.words(300), "cache_control": {"type": "ephemeral", "ttl": "1h"}},
    ]
    first = {
        "role": "user",
        "content": [{"type": "text", "text": "Fix the failing tests. " + gen.words(150)}, gen.image_block()],
    }
    messages: list[dict[str, Any]] = [first]
    total = _size(TOOLS) + _size(system) + _size(first) + 200
    rounds = 0
    while total < target:
        rounds += 1
        assistant, calls = gen.assistant_tool_turn()
        user: dict[str, Any] = {
            "role": "user",
            "content": [gen.tool_result(use, name) for use, name in calls],
        }
        if rng.random() < 0.08:
            user["content"].append({"type": "text", "text": "Also: " + gen.words(rng.randint(5, 30))})
        messages += [assistant, user]
        total += _size(assistant) + _size(user)
        if rounds % 7 == 0 and total < target:
            final = {
                "role": "assistant",
                "content": [
                    {
                        "type": "thinking",
                        "thinking": gen.words(rng.randint(20, 120)),
                        "signature": gen.signature(),
                    },
                    {"type": "text", "text": gen.words(rng.randint(20, 200))},
                ],
            }
            question = gen.user_question()
            messages += [final, question]
            total += _size(final) + _size(question)
    # Two 5m breakpoints on user turns: one near the middle, one on the last message.
    # Messages alternate user/assistant from a user turn, and the last one is a user turn.
    assert messages[-1]["role"] == "user"
    middle = len(messages) // 2
    _mark(messages[middle - middle % 2])
    _mark(messages[-1])
    return {
        "model": MODEL,
        "max_tokens": 16000,
        "thinking": {"type": "enabled", "budget_tokens": 8000},
        "tools": TOOLS,
        "system": system,
        "messages": messages,
    }


def _mark(message: dict[str, Any]) -> None:
    content = message["content"]
    if isinstance(content, str):
        message["content"] = content = [{"type": "text", "text": content}]
    content[-1]["cache_control"] = {"type": "ephemeral"}


def encode(value: Any) -> bytes:
    """Compact JSON, as httpx sends a request body."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def body_bytes(size: str | int = "large", seed: int = 20261122) -> bytes:
    """The encoded request body."""
    return encode(body(size, seed))


def messages_bytes(size: str | int = "large", seed: int = 20261122) -> bytes:
    """Only the ``messages`` array of the same body, encoded."""
    return encode(body(size, seed)["messages"])


def plain_conversation(size: str | int = "large", seed: int = 20261122) -> dict[str, Any]:
    """The same data as plain dicts, with exactly the keys ``Conversation.to_json`` emits."""
    full = body(size, seed)
    return {"system": full["system"], "tools": full["tools"], "messages": full["messages"]}
