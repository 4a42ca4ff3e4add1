"""Request parameters: what the SDK's ``MessageCreateParams`` holds, and the rules they follow.

Everything here is plain data in, problems out: :func:`check_params` validates the parameters of
one request against a model profile and API version ``2026-10-21`` (``reference/api-rules.md``
§0.2, §4.6-§4.9, §5.12, §7.4, §7.5), and :func:`check_ending` the rules that look at the end
of the conversation (§1.7, §3.9, §4.3, §4.4).  Both :class:`convo.Request` (built in
Python) and :func:`convo.check` (reading a request body) use them, so the two never disagree.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Final, TypeAlias

import msgspec

from ._blocks import (
    DocumentBlock,
    RedactedThinkingBlock,
    SearchResultBlock,
    ThinkingBlock,
    ToolResultBlock,
    ToolUseBlock,
)
from ._errors import InvalidArgument, Path, Problem, pointer, type_name
from ._fields import (
    BATCH_OUTPUT_300K,
    BETA_BODY_FIELDS,
    BETA_PARAMETER_FIELDS,
    INTERLEAVED_THINKING,
    PARAMETER_FIELDS,
    THINKING_FIELDS,
    TOOL_CHOICE_FIELDS,
    did_you_mean,
    unknown_fields,
)
from ._message import Message, json_fault
from ._models import (
    EFFORT_LEVELS,
    EFFORT_ORDER,
    KNOWN_MODELS,
    THINKING_MODES,
    ModelProfile,
    effort_refusal,
    exact_id,
    suggested_id,
)
from ._rules import citations_enabled, problem
from ._schema import Load, output_schema_problems, with_load

__all__ = [
    "API_VERSION",
    "BODY_ORDER",
    "COUNT_TOKENS_PARAMETERS",
    "HEADER_PARAMETERS",
    "REQUEST_PARAMETERS",
    "SAMPLING_PARAMETERS",
    "beta_names",
    "check_body",
    "check_ending",
    "check_output_format",
    "check_params",
    "header_value",
]

Sink: TypeAlias = Callable[[Problem], None]

#: The API version every rule here follows, and the one the ``anthropic`` SDK 2.x sends (§0.1).
API_VERSION: Final = "2026-10-21"

#: Every field of the SDK's ``MessageCreateParamsNonStreaming`` besides ``model``, ``max_tokens``,
#: ``messages`` and ``stream``, in the SDK's order (``anthropic.types.message_create_params``),
#: and ``betas``, which the beta client's ``client.beta.messages.create`` takes where it stands
#: here.  ``tests/test_request.py`` holds this set against the installed SDK.
REQUEST_PARAMETERS: Final = (
    "cache_control",
    "container",
    "diagnostics",
    "inference_geo",
    "metadata",
    "output_config",
    "service_tier",
    "speed",
    "stop_sequences",
    "system",
    "thinking",
    "tool_choice",
    "tools",
    "betas",
    "user_profile_id",
    "workspace_id",
)

#: Parameters the SDK sends as headers, not in the body (``Messages.create``), and their
#: headers.  ``betas`` is a list, sent joined with ``,`` (see :func:`header_value`).
HEADER_PARAMETERS: Final[Mapping[str, str]] = {
    "betas": "anthropic-beta",
    "user_profile_id": "anthropic-user-profile-id",
    "workspace_id": "anthropic-workspace-id",
}


def header_value(value: str | list[str]) -> str:
    """The header a :data:`HEADER_PARAMETERS` value is sent as: a list joined with ``,``, as
    the SDK joins ``betas`` (``",".join(str(e) for e in betas)``).

    >>> header_value(["interleaved-thinking-2025-05-14", "context-1m-2025-08-07"])
    'interleaved-thinking-2025-05-14,context-1m-2025-08-07'
    """
    return value if isinstance(value, str) else ",".join(value)


def beta_names(betas: Iterable[str] | None) -> tuple[str, ...]:
    """``betas`` given beside a body (to :func:`convo.check`, :meth:`convo.Request.bedrock_body`)
    as a tuple; :class:`convo.InvalidArgument` unless they are beta names (non-empty strings).

    >>> beta_names(None), beta_names(iter(["interleaved-thinking-2025-05-14"]))
    ((), ('interleaved-thinking-2025-05-14',))
    """
    if betas is None:
        return ()
    if isinstance(betas, str | bytes) or not isinstance(betas, Iterable):
        raise InvalidArgument(f"betas is a list of beta names, not {type(betas).__name__}")
    names = tuple(betas)
    if not all(isinstance(b, str) and b for b in names):
        raise InvalidArgument(f"betas is a list of beta names (non-empty strings), not {list(names)!r:.120}")
    return names


#: The body's key order: the small parameters first, then the cache prefix (tools, system,
#: messages in the order the API caches them, §5.2) so the bulk of the bytes comes last.
BODY_ORDER: Final = (
    "model",
    "max_tokens",
    *(p for p in REQUEST_PARAMETERS if p not in ("system", "tools") and p not in HEADER_PARAMETERS),
)

#: What ``client.messages.count_tokens`` takes besides ``model`` and ``messages`` (§6.1); not
#: ``betas``, which only ``client.beta.messages.count_tokens`` takes.
COUNT_TOKENS_PARAMETERS: Final = frozenset(
    {
        "cache_control",
        "output_config",
        "speed",
        "system",
        "thinking",
        "tool_choice",
        "tools",
        "user_profile_id",
        "workspace_id",
    }
)

#: Removed by API version 2026-10-21 (§0.2a).
SAMPLING_PARAMETERS: Final = ("temperature", "top_p", "top_k")

#: The minimum ``thinking.budget_tokens`` (§4.6).
MIN_THINKING_BUDGET: Final = 1024
BATCH_MAX_TOKENS: Final = 300_000
"""The ``max_tokens`` limit of a Message Batch with beta ``output-300k-2026-03-24`` (§7.5)."""

THINKING_TYPES: Final = frozenset({*THINKING_MODES, "between_tools"})
TOOL_CHOICES: Final = frozenset({"auto", "any", "tool", "none"})
FORCED: Final = frozenset({"any", "tool"})
DISPLAYS: Final = frozenset({"summarized", "omitted"})
SKILL_TYPES: Final = frozenset({"anthropic", "custom"})

_EFFORT_RANK: Final = {level: rank for rank, level in enumerate(EFFORT_ORDER)}

_MISSING: Final = object()


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class _Checker:
    """One pass over one request's parameters, reporting to ``sink``."""

    def __init__(self, profile: ModelProfile, sink: Sink) -> None:
        self.profile = profile
        self.sink = sink

    def report(self, code: str, path: Path, message: str) -> None:
        self.sink(problem(code, path, message))

    def invalid(self, path: Path, expected: str, value: object) -> None:
        self.report("parameter-invalid", path, f"must be {expected}, not {type_name(value)}")

    def fields(self, path: Path, value: dict[str, Any], known: frozenset[str], what: str = "") -> None:
        """Report the fields of the parameter object at ``path`` that the SDK does not define."""
        if not value.keys() <= known:
            name = ".".join(map(str, path))
            beta = BETA_PARAMETER_FIELDS.get(name, frozenset())
            for key, message in unknown_fields(value, known, what or name, beta):
                self.report("parameter-unknown", (*path, key), message)

    # -- simple fields (types from anthropic.types.message_create_params) ---------------------

    def simple(self, name: str, value: object) -> None:
        path: Path = (name,)
        if isinstance(value, dict) and name in PARAMETER_FIELDS:
            self.fields(path, value, PARAMETER_FIELDS[name])
        if name == "metadata":
            if not isinstance(value, dict):
                self.invalid(path, "an object", value)
            elif "user_id" in value and not isinstance(value["user_id"], str | None):
                self.invalid((name, "user_id"), "a string or null", value["user_id"])
        elif name == "service_tier":
            if value not in ("auto", "standard_only"):
                self.report("parameter-invalid", path, f"must be 'auto' or 'standard_only', not {value!r}")
        elif name == "speed":
            if value is not None and value not in ("standard", "fast"):
                self.report("parameter-invalid", path, f"must be 'standard', 'fast' or null, not {value!r}")
        elif name == "container":
            if isinstance(value, dict):
                self.container(value)
            elif not isinstance(value, str | None):
                self.invalid(path, "a container id, an object or null", value)
        elif name == "diagnostics":
            if isinstance(value, dict):
                previous = value.get("previous_message_id")
                if not isinstance(previous, str | None):
                    self.invalid((name, "previous_message_id"), "a string or null", previous)
            elif value is not None:
                self.invalid(path, "an object or null", value)
        elif name == "inference_geo":
            if not isinstance(value, str | None):
                self.invalid(path, "a string or null", value)
        elif name == "betas":
            if not isinstance(value, list):
                self.invalid(path, "an array of beta names", value)
                return
            for i, entry in enumerate(value):
                if not isinstance(entry, str):
                    self.invalid((name, i), "a beta name (a string)", entry)
                elif not entry:
                    self.report("parameter-invalid", (name, i), "a beta name must be non-empty")
                else:
                    self.header_text((name, i), entry)
        elif name in HEADER_PARAMETERS:
            if not isinstance(value, str):
                self.invalid(path, "a string", value)
            else:
                self.header_text(path, value)

    def header_text(self, path: Path, value: str) -> None:
        """A value sent in an HTTP header (:data:`HEADER_PARAMETERS`) must be printable ASCII:
        HTTP clients refuse a line break or other control character, and anything not ASCII."""
        if not (value.isascii() and value.isprintable()):
            header = HEADER_PARAMETERS[str(path[0])]
            self.report(
                "parameter-invalid",
                path,
                f"{value!r} is sent in the {header} header, which takes printable ASCII only",
            )

    def container(self, value: dict[str, Any]) -> None:
        """Check a ``container`` object (the SDK's ``ContainerParams``): its id and its skills."""
        if not isinstance(value.get("id"), str | None):
            self.invalid(("container", "id"), "a container id or null", value["id"])
        skills = value.get("skills")
        if not isinstance(skills, list | None):
            self.invalid(("container", "skills"), "an array of skills or null", skills)
            return
        for i, skill in enumerate(skills or ()):
            self.skill(("container", "skills", i), skill)

    def skill(self, path: Path, value: object) -> None:
        """Check one of ``container.skills`` (the SDK's ``SkillParams``)."""
        if not isinstance(value, dict):
            self.invalid(path, "a skill object", value)
            return
        self.fields(path, value, PARAMETER_FIELDS["container.skills"], "a container skill")
        kind = value.get("type")
        if not (isinstance(kind, str) and kind in SKILL_TYPES):
            self.report(
                "parameter-invalid",
                (*path, "type"),
                f"a skill's type must be 'anthropic' or 'custom', not {kind!r}",
            )
        if not isinstance(value.get("skill_id"), str):
            what = repr(value["skill_id"]) if "skill_id" in value else "missing"
            self.report(
                "parameter-invalid", (*path, "skill_id"), f"a skill needs a string skill_id, not {what}"
            )
        if "version" in value and not isinstance(value["version"], str):
            self.invalid((*path, "version"), "a string", value["version"])

    # -- max_tokens (§7.5, §5.12) ---------------------------------------------------------------

    def max_tokens(self, value: object, *, batch_output: bool = False) -> int | None:
        """Check ``max_tokens``; ``batch_output``: the request carries the Batch API's 300k
        output beta (§7.5)."""
        if not _is_int(value) or value < 0:  # type: ignore[operator]
            self.report(
                "max-tokens-invalid", ("max_tokens",), f"max_tokens must be an integer >= 0, not {value!r}"
            )
            return None
        assert isinstance(value, int)
        batch = self.profile.batch_300k_output
        limit = BATCH_MAX_TOKENS if batch and batch_output else self.profile.max_output_tokens
        if self.profile.known and value > limit:
            where = f" in a Message Batch with beta {BATCH_OUTPUT_300K}" if limit == BATCH_MAX_TOKENS else ""
            hint = ""
            if batch and not batch_output and value <= BATCH_MAX_TOKENS:
                hint = f" (a Message Batch takes up to {BATCH_MAX_TOKENS} with beta {BATCH_OUTPUT_300K})"
            self.report(
                "max-tokens-too-large",
                ("max_tokens",),
                f"{self.profile.id} generates at most {limit} tokens{where}; max_tokens is {value}{hint}",
            )
        return value

    # -- thinking (§4.6-§4.8) -------------------------------------------------------------------

    def thinking(
        self, value: object, max_tokens: int | None, effort: object, *, interleaved: bool = False
    ) -> str | None:
        """Check ``thinking``; the type it asks for, or None when it is unreadable.

        ``interleaved``: the request carries the interleaved-thinking beta, with which the
        budget may exceed ``max_tokens`` (§4.6).
        """
        if not isinstance(value, dict) or not isinstance(value.get("type"), str):
            self.report("thinking-invalid", ("thinking",), "thinking must be an object with a string 'type'")
            return None
        kind: str = value["type"]
        if kind not in THINKING_TYPES:
            self.report(
                "thinking-invalid",
                ("thinking", "type"),
                f"thinking type {kind!r} is not adaptive, enabled or disabled",
            )
            return None
        self.fields(("thinking",), value, THINKING_FIELDS[kind], f"thinking {kind!r}")
        profile = self.profile
        if kind == "between_tools":
            self.report(
                "thinking-type-undocumented",
                ("thinking", "type"),
                "thinking type 'between_tools' is in the SDK but not documented",
            )
        elif profile.known and kind not in profile.thinking_modes:
            accepted = ", ".join(sorted(profile.thinking_modes)) or "none"
            self.report(
                "thinking-type-unsupported",
                ("thinking", "type"),
                f"{profile.id} does not accept thinking type {kind!r} (it accepts: {accepted})",
            )
        elif kind == "disabled" and profile.known and profile.disabled_thinking_max_effort is not None:
            ceiling = profile.disabled_thinking_max_effort
            if isinstance(effort, str) and _EFFORT_RANK.get(effort, -1) > _EFFORT_RANK[ceiling]:
                self.report(
                    "thinking-type-unsupported",
                    ("thinking", "type"),
                    f"{profile.id} accepts thinking 'disabled' only at effort {ceiling!r} or lower, "
                    f"not {effort!r}",
                )
        if "display" in value:
            display = value["display"]
            if kind == "disabled":
                self.report(
                    "thinking-invalid", ("thinking", "display"), "display cannot be set with 'disabled'"
                )
            elif display is not None and not (isinstance(display, str) and display in DISPLAYS):
                self.report(
                    "thinking-invalid",
                    ("thinking", "display"),
                    f"display must be 'summarized' or 'omitted', not {display!r}",
                )
        if kind == "enabled":
            if profile.known and profile.enabled_thinking_deprecated:
                self.report(
                    "thinking-enabled-deprecated",
                    ("thinking", "type"),
                    f"thinking type 'enabled' is deprecated on {profile.id}",
                )
            self.budget(value.get("budget_tokens", _MISSING), None if interleaved else max_tokens)
        return kind

    def budget(self, budget: object, max_tokens: int | None) -> None:
        """Check ``budget_tokens``: at least 1024, and below ``max_tokens`` unless that is None."""
        path: Path = ("thinking", "budget_tokens")
        if budget is _MISSING or not _is_int(budget):
            what = "missing" if budget is _MISSING else repr(budget)
            self.report(
                "thinking-invalid", path, f"thinking 'enabled' needs an integer budget_tokens, not {what}"
            )
            return
        assert isinstance(budget, int)
        if budget < MIN_THINKING_BUDGET:
            self.report(
                "thinking-budget-too-small",
                path,
                f"budget_tokens must be at least {MIN_THINKING_BUDGET}, not {budget}",
            )
        if max_tokens is not None and max_tokens > 0 and budget >= max_tokens:
            self.report(
                "thinking-budget-exceeds-max-tokens",
                path,
                f"budget_tokens ({budget}) must be less than max_tokens ({max_tokens})",
            )

    # -- output_config (effort docs; SDK OutputConfigParam) -------------------------------------

    def output_config(self, value: object) -> None:
        if not isinstance(value, dict):
            self.invalid(("output_config",), "an object", value)
            return
        self.fields(("output_config",), value, PARAMETER_FIELDS["output_config"])
        if "effort" in value:
            effort = value["effort"]
            if effort is not None and not (isinstance(effort, str) and effort in EFFORT_LEVELS):
                levels = ", ".join(EFFORT_ORDER)
                self.report(
                    "parameter-invalid",
                    ("output_config", "effort"),
                    f"effort must be one of {levels}, not {effort!r}",
                )
            elif effort is not None:
                refusal = effort_refusal(self.profile, effort)
                if refusal is not None:
                    self.report("effort-unsupported", ("output_config", "effort"), refusal)
        form = value.get("format")
        if "format" in value and not isinstance(form, dict | None):
            self.invalid(("output_config", "format"), "an object or null", form)
        elif isinstance(form, dict):  # SDK JSONOutputFormatParam: both fields required
            self.fields(("output_config", "format"), form, PARAMETER_FIELDS["output_config.format"])
            if form.get("type") != "json_schema":
                self.report(
                    "parameter-invalid",
                    ("output_config", "format", "type"),
                    f"the format type must be 'json_schema', not {form.get('type')!r}",
                )
            if "schema" not in form:
                self.report("parameter-invalid", ("output_config", "format"), "the format needs a 'schema'")
            elif not isinstance(form["schema"], dict):
                self.invalid(("output_config", "format", "schema"), "a JSON schema object", form["schema"])
            else:
                for where, reason in output_schema_problems(form["schema"]):
                    self.report(
                        "output-schema-unsupported", ("output_config", "format", "schema", *where), reason
                    )

    # -- tool_choice (§4.9) ---------------------------------------------------------------------

    def tool_choice(
        self, value: object, thinking: str | None, tool_names: frozenset[str] | None
    ) -> str | None:
        """Check ``tool_choice``; its type, or None when it is unreadable."""
        kind = value.get("type") if isinstance(value, dict) else value
        if not (isinstance(value, dict) and isinstance(kind, str) and kind in TOOL_CHOICES):
            self.report(
                "tool-choice-invalid",
                ("tool_choice",),
                f"tool_choice must be an object with type auto, any, tool or none, not {kind!r}",
            )
            return None
        self.fields(("tool_choice",), value, TOOL_CHOICE_FIELDS[kind], f"tool_choice {kind!r}")
        if "disable_parallel_tool_use" in value and not isinstance(value["disable_parallel_tool_use"], bool):
            self.invalid(
                ("tool_choice", "disable_parallel_tool_use"), "a boolean", value["disable_parallel_tool_use"]
            )
        if kind == "tool":
            name = value.get("name")
            if not isinstance(name, str):
                self.report(
                    "tool-choice-invalid", ("tool_choice", "name"), "tool_choice 'tool' needs a 'name'"
                )
            elif tool_names is not None and name not in tool_names:
                self.report(
                    "tool-choice-invalid",
                    ("tool_choice", "name"),
                    f"no tool named {name!r} is defined in tools",
                )
        elif kind == "any" and tool_names is not None and not tool_names:
            self.report(
                "tool-choice-invalid", ("tool_choice",), "tool_choice 'any' needs tools to choose from"
            )
        if kind in FORCED:
            if thinking == "enabled":
                self.report(
                    "tool-choice-forced-unsupported",
                    ("tool_choice", "type"),
                    f"tool_choice {kind!r} cannot be used with thinking 'enabled'; use 'auto' or 'none'",
                )
            elif self.profile.known and not self.profile.forced_tool_choice:
                self.report(
                    "tool-choice-forced-unsupported",
                    ("tool_choice", "type"),
                    f"{self.profile.id} rejects forced tool use (tool_choice {kind!r}); use 'auto'",
                )
        return kind

    # -- stop_sequences (§7.4) ------------------------------------------------------------------

    def stop_sequences(self, value: object) -> None:
        if not isinstance(value, list):
            self.invalid(("stop_sequences",), "an array of strings", value)
            return
        for i, entry in enumerate(value):
            path: Path = ("stop_sequences", i)
            if not isinstance(entry, str):
                self.invalid(path, "a string", entry)
            elif entry == "":
                self.report("stop-sequence-empty", path, "each stop sequence must be non-empty")
            elif entry.isspace():
                self.report(
                    "stop-sequence-whitespace", path, "each stop sequence must contain non-whitespace"
                )


def check_params(
    params: Mapping[str, Any],
    *,
    profile: ModelProfile,
    sink: Sink,
    tool_names: frozenset[str] | None,
) -> str | None:
    """Check one request's parameters (``max_tokens``, ``thinking``, ``tool_choice``, ...).

    ``params`` holds the decoded values of whichever fields are present, including
    ``max_tokens`` and ``stream``; ``system``, ``tools`` and ``messages`` are the conversation
    validator's, and are skipped here, as is the top-level ``cache_control`` but for the fields
    the marker does not define.  ``tool_names``
    is the set of names defined in ``tools`` (None when unknown).  Returns the ``thinking``
    type asked for (None when there is none or it is unreadable), for :func:`check_ending`.
    With :data:`~convo._fields.INTERLEAVED_THINKING` in ``betas``, the thinking budget may
    exceed ``max_tokens`` (§4.6).

    >>> from convo import profile
    >>> found = []
    >>> check_params({"max_tokens": 10, "thinking": {"type": "enabled", "budget_tokens": 512}},
    ...              profile=profile("claude-opus-4-5"), sink=found.append, tool_names=None)
    'enabled'
    >>> [(p.code, p.path) for p in found]
    [('thinking-budget-too-small', '/thinking/budget_tokens'), ('thinking-budget-exceeds-max-tokens', '/thinking/budget_tokens')]
    >>> found.clear()
    >>> check_params({"max_tokens": 10, "thinking": {"type": "enabled", "budget_tokens": 512},
    ...               "betas": ["interleaved-thinking-2025-05-14"]},
    ...              profile=profile("claude-opus-4-5"), sink=found.append, tool_names=None)
    'enabled'
    >>> [(p.code, p.path) for p in found]
    [('thinking-budget-too-small', '/thinking/budget_tokens')]
    """
    checker = _Checker(profile, sink)
    marker = params.get("cache_control")
    if isinstance(marker, dict):  # counted and read by the conversation validator
        checker.fields(("cache_control",), marker, PARAMETER_FIELDS["cache_control"])
    check_model(profile, sink)
    betas = params.get("betas")
    betas = betas if isinstance(betas, list) else ()
    max_tokens = None
    if "max_tokens" in params:
        max_tokens = checker.max_tokens(params["max_tokens"], batch_output=BATCH_OUTPUT_300K in betas)
    output_config = params.get("output_config")
    effort = output_config.get("effort") if isinstance(output_config, dict) else None
    thinking = None
    if "thinking" in params:
        interleaved = INTERLEAVED_THINKING in betas
        thinking = checker.thinking(params["thinking"], max_tokens, effort, interleaved=interleaved)
    if "output_config" in params:
        checker.output_config(output_config)
    choice = (
        checker.tool_choice(params["tool_choice"], thinking, tool_names) if "tool_choice" in params else None
    )
    if "stop_sequences" in params:
        checker.stop_sequences(params["stop_sequences"])
    for name in ("metadata", "service_tier", "speed", "container", "diagnostics", "inference_geo"):
        if name in params:
            checker.simple(name, params[name])
    for name in HEADER_PARAMETERS:
        if name in params:
            checker.simple(name, params[name])
    stream = params.get("stream")
    if "stream" in params and not isinstance(stream, bool):
        checker.invalid(("stream",), "a boolean", stream)
    if max_tokens == 0:  # a cache pre-warm (§5.12)
        conflicts: list[tuple[Path, str]] = []
        if stream is True:
            conflicts.append((("stream",), "stream: true"))
        if thinking == "enabled":
            conflicts.append((("thinking", "type"), "thinking 'enabled'"))
        if isinstance(output_config, dict) and output_config.get("format") is not None:
            conflicts.append((("output_config", "format"), "output_config.format"))
        if choice in FORCED:
            conflicts.append((("tool_choice", "type"), f"tool_choice {choice!r}"))
        for path, what in conflicts:
            checker.report(
                "prewarm-conflict", path, f"max_tokens 0 (a cache pre-warm) cannot be combined with {what}"
            )
    return thinking


def thinking_state(thinking: str | None, given: bool, profile: ModelProfile) -> bool | None:
    """Whether the model thinks for this request: True, False, or None when convo cannot tell."""
    if given:
        if thinking is None:
            return None
        return thinking != "disabled"
    if not profile.known:
        return None
    return profile.thinking_default == "on" or profile.thinking_always_on


def _has_tool_results(message: Message) -> bool:
    content = message.content
    return not isinstance(content, str) and ToolResultBlock in map(type, content)


def current_turn_start(messages: Sequence[Message]) -> int:
    """Index of the last message of the turn being answered, or -1 when there is none: the last
    user turn (consecutive user messages merged, as the API merges them, §1.6) that holds no
    tool_result.

    Assistant messages after it are the tool loop the request continues: their thinking counts
    (§6.4), and must stay as it came (§4.2, §4.3).
    """
    i = len(messages) - 1
    while i >= 0:
        if messages[i].role != "user":
            i -= 1
            continue
        end, results = i, False
        while i >= 0 and messages[i].role == "user":
            results = results or _has_tool_results(messages[i])
            i -= 1
        if not results:
            return end
    return -1


def holds_thinking(message: Message) -> bool:
    """Whether a message holds a ``thinking`` or ``redacted_thinking`` block anywhere, read or
    malformed: its thinking was kept, and where it stands is thinking-not-first's question."""
    return any(block.type in ("thinking", "redacted_thinking") for block in message.blocks)


def check_ending(
    messages: Sequence[Message],
    values: Mapping[str, Any],
    *,
    thinking: str | None,
    profile: ModelProfile,
    paused: bool,
    sink: Sink,
) -> None:
    """The readiness rules that look at how the conversation ends, given the request's
    parameters (``values``): the container a programmatic tool call runs in, and thinking."""
    if not names_container(values.get("container")):
        check_container(messages, sink)
    check_final_turn(
        messages,
        thinking=thinking,
        thinking_given="thinking" in values,
        profile=profile,
        paused=paused,
        sink=sink,
    )


def names_container(value: object) -> bool:
    """Whether a ``container`` parameter names a container (§3.9): an id, or an object with one.

    >>> names_container("container_1"), names_container({"id": "container_1"}), names_container({"id": None})
    (True, True, False)
    """
    if isinstance(value, dict):
        value = value.get("id")
    return isinstance(value, str) and bool(value)


def check_container(messages: Sequence[Message], sink: Sink) -> None:
    """§3.9: results for programmatic tool calls (a ``tool_use`` whose ``caller`` is code
    execution) resume that code in its container, so a request sending them must name the
    container (``container``, the response's ``container.id``).  The turns are read merged,
    as the API merges them (§1.6): the final user turn answers every assistant message of the
    run before it."""
    end = len(messages)
    while end and messages[end - 1].role == "user":  # the final user turn
        end -= 1
    if end == len(messages):
        return
    start = end
    while start and messages[start - 1].role == "assistant":  # the assistant turn it answers
        start -= 1
    for i in range(start, end):
        for j, block in enumerate(messages[i].blocks):
            if not isinstance(block, ToolUseBlock) or not isinstance(block.caller, dict):
                continue
            kind = block.caller.get("type")
            if isinstance(kind, str) and kind.startswith("code_execution"):
                sink(
                    problem(
                        "container-missing",
                        ("messages", i, "content", j, "caller"),
                        f"{block.id} was called by running code ({kind}): the request that answers "
                        "it must name the container the code runs in",
                    )
                )
                return


def check_final_turn(
    messages: Sequence[Message],
    *,
    thinking: str | None,
    thinking_given: bool,
    profile: ModelProfile,
    paused: bool,
    sink: Sink,
) -> None:
    """The thinking rules that look at the end of the conversation (§1.7, §4.3-§4.5).

    The *open turn* is everything after the last user turn (consecutive user messages merged, as
    the API merges them) that holds no tool_result: the assistant's turn the request continues.
    With ``thinking: enabled`` it must start with a thinking block (§4.3): reported here when it
    holds none, the thinking dropped; thinking that stands late is ``thinking-not-first``, which
    knows the blocks the API itself puts before it.  With thinking off, an
    assistant message in the final position may not hold thinking (§4.4); one earlier in the
    open turn, before the tool results being answered, is a warning: changing the thinking mode
    between a tool call and its result "does not error", the API disables thinking (§4.5).  A
    final assistant message (a prefill) is rejected while thinking is on (§1.7).
    ``paused`` says the conversation ends in a ``pause_turn`` continuation (§3.10).  Only the tail
    of ``messages`` is read.
    """
    n = len(messages)
    if not n:
        return
    on = thinking_state(thinking, thinking_given, profile)
    last = messages[-1]
    if (
        on
        and last.role == "assistant"
        and not paused
        and (profile.prefill or not profile.known)  # otherwise prefill-unsupported says it already
        and not any(type(b) is ToolUseBlock for b in last.blocks)  # tool-use-unanswered says it
    ):
        sink(
            problem(
                "prefill-with-thinking",
                ("messages", n - 1),
                "the request ends with an assistant turn (a prefill), which is not possible while thinking is on",
            )
        )
    loop = [i for i in range(current_turn_start(messages) + 1, n) if messages[i].role == "assistant"]
    if not loop:
        return
    first_assistant, last_assistant = loop[0], loop[-1]
    if thinking == "enabled" and thinking_given and last.role == "user":
        opener = messages[first_assistant]
        if not holds_thinking(opener):
            found = opener.blocks[0].type if opener.blocks else "nothing"
            sink(
                problem(
                    "thinking-final-block-missing",
                    ("messages", first_assistant, "content", 0),
                    f"with thinking 'enabled', the assistant turn being continued must start with a thinking "
                    f"block, not {found!r}",
                )
            )
    if on is False:
        final = last.role == "assistant"
        start = n - 1  # the final assistant message: the API merges a run of them into one (§1.6)
        while final and start and messages[start - 1].role == "assistant":
            start -= 1
        for i in range(start, n) if final else range(first_assistant, last_assistant + 1):
            thought = next(
                (
                    j
                    for j, b in enumerate(messages[i].blocks)
                    if isinstance(b, ThinkingBlock | RedactedThinkingBlock)
                ),
                None,
            )
            if thought is not None and messages[i].role == "assistant":
                kind = messages[i].blocks[thought].type
                if final:
                    code = "thinking-final-while-disabled"
                    what = f"thinking is off for this request, but the final assistant message holds a {kind!r} block"
                else:
                    code = "thinking-toggled-mid-turn"
                    what = (
                        f"thinking is off for this request, but the tool loop it continues started with a {kind!r} "
                        "block: the API disables thinking for it and may strip thinking blocks"
                    )
                sink(problem(code, ("messages", i, "content", thought), what))
                break


def _first_citations(messages: Sequence[Message]) -> Path | None:
    """Where the first document or search result with citations enabled is, or None."""
    for i, message in enumerate(messages):
        if message.role != "user" or isinstance(message.content, str):
            continue
        for j, block in enumerate(message.content):
            if isinstance(block, DocumentBlock | SearchResultBlock):
                if citations_enabled(block.citations):
                    return ("messages", i, "content", j)
            elif isinstance(block, ToolResultBlock) and isinstance(block.content, tuple):
                for k, inner in enumerate(block.content):
                    if isinstance(inner, DocumentBlock | SearchResultBlock):
                        if citations_enabled(inner.citations):
                            return ("messages", i, "content", j, "content", k)
    return None


def check_output_format(messages: Sequence[Message], load: Load, output_config: object, sink: Sink) -> None:
    """What a structured-output format conflicts with in the rest of the request.

    With an ``output_config.format`` set, reports ``citations-with-output-format`` once, at
    ``/output_config/format``, naming the first document or search result (in a user turn,
    directly or inside a ``tool_result``) that enables citations (§2.5).  The messages are read
    only when a format is set.  And ``output-schema-unsupported`` at its schema when it takes
    the request past a complexity limit that the strict tools alone do not pass: ``load``, what
    they hold (the structured-outputs docs count them together).

    >>> from convo import Conversation
    >>> doc = {"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": "x"},
    ...        "citations": {"enabled": True}}
    >>> found = []
    >>> check_output_format(Conversation().user([doc]).messages, (0, 0),
    ...                     {"format": {"type": "json_schema", "schema": {"type": "object"}}}, found.append)
    >>> [(p.code, p.path) for p in found]
    [('citations-with-output-format', '/output_config/format')]
    """
    if not isinstance(output_config, dict) or output_config.get("format") is None:
        return
    form = output_config["format"]
    if isinstance(form, dict) and isinstance(form.get("schema"), dict):
        _, reasons = with_load(load, form["schema"])
        for reason in reasons:
            sink(problem("output-schema-unsupported", ("output_config", "format", "schema"), reason))
    where = _first_citations(messages)
    if where is not None:
        sink(
            problem(
                "citations-with-output-format",
                ("output_config", "format"),
                f"structured outputs (output_config.format) cannot be used with citations, which "
                f"{pointer(where)} enables",
            )
        )


#: Every body field the SDK's ``MessageCreateParams`` defines, plus the removed sampling ones;
#: not the :data:`HEADER_PARAMETERS` (``betas``, ``user_profile_id``, ``workspace_id``), which
#: the SDK only ever sends as headers.
BODY_FIELDS: Final = frozenset(
    {"model", "max_tokens", "messages", "stream", *REQUEST_PARAMETERS, *SAMPLING_PARAMETERS}
) - frozenset(HEADER_PARAMETERS)


def _header_in_body(name: str) -> str:
    """What ``convo.check`` says of a top-level header parameter: a real body never has one."""
    said = (
        f"{name!r} is not a body field but the {HEADER_PARAMETERS[name]} header (the SDK's {name}= "
        "argument): the API rejects it in a body"
    )
    if name == "betas":
        said += "; give the betas a body is sent with apart, as convo.check(body, betas=[...]) or convo check --beta NAME"
    return said


#: Fields the conversation validator reads itself.
_CONVERSATION_FIELDS: Final = frozenset(
    {"model", "messages", "system", "tools", "cache_control", *SAMPLING_PARAMETERS}
)
_TOP_LEVEL_FIELDS: Final = BODY_FIELDS | _CONVERSATION_FIELDS


MAX_BODY: Final = 32 * 1024 * 1024
"""The largest Messages or count_tokens body, in bytes (§7.1: a ``413`` before the API reads it)."""


def check_size(size: int, sink: Sink) -> None:
    """Report a request body of ``size`` bytes that is over :data:`MAX_BODY`."""
    if size > MAX_BODY:
        sink(
            problem(
                "request-too-large",
                (),
                f"the body is {size:,} bytes; the API accepts at most 32 MB (§7.1: 33,554,432 bytes)",
            )
        )


def check_model(profile: ModelProfile, sink: Sink) -> None:
    """Warn about a model past (or near) its end of life, one convo does not know, or a known
    model's id miswritten (checked with that model's rules, but refused by the API)."""
    if profile.deprecated is not None:
        sink(
            problem(
                "model-deprecated",
                ("model",),
                f"{profile.id} reaches its end of life on {profile.deprecated}: requests to it fail after that",
            )
        )
    if profile.known and not exact_id(profile.id):
        sink(
            problem(
                "model-unknown",
                ("model",),
                f"{profile.id!r} is not how the API spells a model id: did you mean "
                f"{suggested_id(profile.id)!r}? (checked with that model's rules)",
            )
        )
    elif not profile.known and profile.id and profile.deprecated is None:
        hint = did_you_mean(profile.id, KNOWN_MODELS, cutoff=0.8)
        sink(
            problem(
                "model-unknown",
                ("model",),
                f"convo does not know the model {profile.id!r}{hint}: only the rules common to all models are checked",
            )
        )


def check_body(
    fields: Mapping[str, Any],
    *,
    profile: ModelProfile,
    tools: Sequence[object],
    strict_load: Load,
    messages: Sequence[Message],
    paused: bool,
    request_mode: bool,
    sink: Sink,
    betas: Sequence[str] = (),
) -> None:
    """The request-level rules for a request body read by :func:`convo.check`.

    ``fields`` maps top-level fields to their decoded values (``messages``, ``system`` and
    ``tools`` may be left out: they are the conversation's).  Readiness rules that look at the final turn run only in request
    mode (a model is named).  ``betas`` are the beta names the body is sent with (its
    ``anthropic-beta`` header): a top-level ``betas`` field is not read as them.
    ``strict_load`` is what the strict ``tools`` hold toward the complexity limits, as the
    validator counted them.
    """
    if "model" in fields and not (isinstance(fields["model"], str) and fields["model"]):
        sink(problem("parameter-invalid", ("model",), f"model must be a model id, not {fields['model']!r}"))
    values: dict[str, Any] = {}
    unknown = (
        {}
        if fields.keys() <= _TOP_LEVEL_FIELDS
        else dict(unknown_fields(fields, _TOP_LEVEL_FIELDS, "a Messages API request", BETA_BODY_FIELDS))
    )
    for name, value in fields.items():
        if name in unknown:
            said = _header_in_body(name) if name in HEADER_PARAMETERS else unknown[name]
            sink(problem("parameter-unknown", (name,), said))
        elif name not in _CONVERSATION_FIELDS or name == "cache_control":
            values[name] = value
    if betas:
        values["betas"] = list(betas)
    names = frozenset(t["name"] for t in tools if isinstance(t, dict) and isinstance(t.get("name"), str))
    thinking = check_params(values, profile=profile, sink=sink, tool_names=names)
    if "output_config" in values:
        check_output_format(messages, strict_load, values["output_config"], sink)
    if request_mode:
        check_ending(messages, values, thinking=thinking, profile=profile, paused=paused, sink=sink)


_encode: Final = msgspec.json.Encoder(decimal_format="number")  # a Decimal as the number it is


def param_json(value: object, name: str) -> bytes:
    """Compact JSON for the value of request parameter ``name``, key order as given.

    Raises :class:`convo.InvalidArgument` for a value JSON would not hold as given.
    """
    fault = json_fault(value, f"/{name}")
    if fault is None:
        try:
            return _encode.encode(value)
        except (TypeError, ValueError, OverflowError, msgspec.EncodeError) as exc:
            fault = str(exc)
    raise InvalidArgument(f"request parameter {name!r} is not JSON data: {fault}")
