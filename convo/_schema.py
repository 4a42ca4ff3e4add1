"""A small JSON Schema checker that never reports a false error (api-rules §2.3).

Every ``input_examples`` entry of a custom tool must validate against the tool's
``input_schema``, or the API answers ``400``.  :func:`input_example_problems` finds the entries
that surely fail; :func:`first_failure` checks one value against one schema.

The checker is *sound*, not complete.  Each (sub)schema gets one of three verdicts: the value
surely passes, surely fails (with a path and a reason), or convo cannot tell.  It cannot tell
about a keyword it does not understand (``pattern``, ``format``, ``patternProperties``,
``dependentRequired``, a ``$ref`` outside the schema, ...), a keyword with a malformed value,
nesting deeper than :data:`MAX_DEPTH`, or a schema that costs more than its budget.  A schema's
keywords are a conjunction, so one sure failure fails it whatever else it holds; ``anyOf``,
``oneOf``, ``not`` and ``if`` combine the three verdicts, so a branch convo cannot decide makes
the combination undecided unless another branch settles it.  Only a sure failure is reported.

Understood: ``type``, ``enum``, ``const``; ``properties``, ``required``,
``additionalProperties``, ``minProperties``, ``maxProperties``; ``items`` (one schema),
``minItems``, ``maxItems``, ``uniqueItems``, ``contains``; ``minimum``, ``maximum``,
``exclusiveMinimum``, ``exclusiveMaximum``, ``multipleOf`` (integers only); ``minLength``,
``maxLength``; ``allOf``, ``anyOf``, ``oneOf``, ``not``, ``if``/``then``/``else``; and ``$ref`` to
a ``#/...`` pointer inside the same schema.  Annotations (``title``, ``description``,
``default``, ``examples``, ``$defs``, ...) are ignored.

Where drafts (7, 2019-09 and 2020-12) or validators differ, convo reports only what fails under
all of them:

* numbers compare by value (``1`` equals ``1.0``, and ``1.0`` is an integer, as in draft 6 and
  later); ``true`` is not a number;
* ``maxLength`` counts code points, and ``minLength`` fails only when even the UTF-16 length is
  too short (a validator counting UTF-16 units sees ``"🎉"`` as two characters);
* siblings of ``$ref`` count only from draft 2019-09 on, so a failure of a sibling alone is
  undecided; a draft-4 boolean ``exclusiveMinimum`` leaves ``minimum`` checked as inclusive;
* OpenAPI's ``nullable: true`` may admit ``null`` where ``type`` does not.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Final, TypeAlias
from urllib.parse import unquote

from ._errors import Path, pointer

__all__ = [
    "MAX_DEPTH",
    "Load",
    "first_failure",
    "input_example_problems",
    "json_kind",
    "json_kind_name",
    "output_schema_problems",
    "schema_shape_problems",
    "strict_load",
    "with_load",
]

MAX_DEPTH: Final = 64
"""Subschemas nested deeper than this (through ``properties``, ``items``, ``anyOf``, ``$ref``,
...) are undecided: hostile schemas cannot exhaust the stack."""

_BASE_STEPS: Final = 1_000
_STEPS_PER_NODE: Final = 4
"""The work budget of one tool: ``_BASE_STEPS`` plus ``_STEPS_PER_NODE`` per JSON value in its
schema and examples, so the time spent stays linear in the size of the input.  Real schemas use
a fraction of it; a hostile one (``items`` over a long array under a thousand ``allOf``
branches) runs out, and what is left is undecided.  A ``$ref`` target is checked once per place
in the value, so ``$ref`` loops and chains of doubling ``anyOf`` cost no more than plain
subschemas."""

Failure: TypeAlias = tuple[Path, str]
"""Where in the value (a path of keys and indexes) and why it surely fails."""


class _Unsure:
    """The verdict "cannot tell": only :data:`_UNSURE` exists."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "UNSURE"


_UNSURE: Final = _Unsure()


class _Busy:
    """A ``$ref`` target being checked at a path: reaching it again there is a loop."""

    __slots__ = ()


_BUSY: Final = _Busy()
Verdict: TypeAlias = Failure | _Unsure | None
"""``None``: surely passes; a :data:`Failure`: surely fails; :data:`_UNSURE`: cannot tell."""

_ANNOTATIONS: Final = frozenset(
    {
        "$anchor",
        "$comment",
        "$defs",
        "$dynamicAnchor",
        "$id",
        "$recursiveAnchor",
        "$schema",
        "$vocabulary",
        "definitions",
        "deprecated",
        "description",
        "default",
        "example",
        "examples",
        "readOnly",
        "title",
        "writeOnly",
    }
)
"""Keywords that never make a value invalid."""

_UNDERSTOOD: Final = frozenset(
    {
        "$ref",
        "additionalProperties",
        "allOf",
        "anyOf",
        "const",
        "contains",
        "else",
        "enum",
        "exclusiveMaximum",
        "exclusiveMinimum",
        "if",
        "items",
        "maxItems",
        "maxLength",
        "maxProperties",
        "maximum",
        "minItems",
        "minLength",
        "minProperties",
        "minimum",
        "multipleOf",
        "not",
        "nullable",
        "oneOf",
        "patternProperties",
        "prefixItems",
        "properties",
        "required",
        "then",
        "type",
        "uniqueItems",
    }
)
"""Keywords handled below (some only in their simple forms); any other one is undecided."""

_KNOWN: Final = _ANNOTATIONS | _UNDERSTOOD

_SCOPED: Final[Mapping[object, str]] = {
    **dict.fromkeys(("pattern", "contentEncoding", "contentMediaType", "contentSchema"), "string"),
    **dict.fromkeys(
        ("dependencies", "dependentRequired", "dependentSchemas", "propertyNames", "unevaluatedProperties"),
        "object",
    ),
    **dict.fromkeys(("additionalItems", "maxContains", "minContains", "unevaluatedItems"), "array"),
}
"""Keywords convo does not check that apply to one type of value only: for values of any other
type they are no constraint at all.  Every other unknown keyword (``format``, ``$dynamicRef``,
...) leaves any value undecided."""

_TYPE_NAMES: Final = frozenset({"null", "boolean", "object", "array", "number", "integer", "string"})


class _Context:
    """What one check carries along: the root schema (for ``$ref``) and the work left."""

    __slots__ = ("memo", "rebased", "root", "steps")

    def __init__(self, root: object, steps: int) -> None:
        self.root = root
        self.steps = steps
        self.rebased = 0  # how many subschemas being checked declare their own $id
        self.memo: dict[tuple[int, Path], Verdict | _Busy] = {}  # $ref target and path -> verdict

    def spend(self, steps: int = 1) -> bool:
        """Use up ``steps`` of the budget; False once it is exhausted."""
        self.steps -= steps
        return self.steps >= 0


# --- entry points ---------------------------------------------------------------------------------


def first_failure(schema: object, value: object) -> tuple[str, str] | None:
    """The first place where ``value`` surely fails ``schema``: (JSON Pointer, reason), or None.

    None means "valid, or cannot tell".  Never raises, whatever the two arguments are.

    >>> schema = {"type": "object", "properties": {"days": {"type": "integer", "maximum": 14}},
    ...           "required": ["city"]}
    >>> first_failure(schema, {"city": "Paris", "days": 3}) is None
    True
    >>> first_failure(schema, {"days": 3})
    ('', "missing required property 'city'")
    >>> first_failure(schema, {"city": "Paris", "days": 30})
    ('/days', '30 is more than the maximum 14')
    >>> first_failure({"type": "string", "pattern": "^[a-z]+$"}, "ABC") is None  # cannot tell
    True
    """
    found = _first(schema, value, _Context(schema, _budget(schema, value)))
    if found is None:
        return None
    path, reason = found
    return pointer(path), reason


def input_example_problems(tool: Mapping[str, object]) -> Iterator[tuple[int, str]]:
    """(index, reason) of each ``input_examples`` entry of ``tool`` that surely fails its schema.

    Only a custom tool (no ``type``, or ``type: "custom"``) with an object ``input_schema`` and a
    list of ``input_examples`` is checked.  An example that is not a JSON object always fails.
    Each reason is one line, and starts with where the example fails when that is not its top.

    >>> tool = {"name": "get_weather",
    ...         "input_schema": {"type": "object", "properties": {"city": {"type": "string"}},
    ...                          "required": ["city"]},
    ...         "input_examples": [{"city": "Paris"}, {"town": "Lyon"}, {"city": 75}]}
    >>> list(input_example_problems(tool))
    [(1, "missing required property 'city'"), (2, '/city: expected string, got integer')]
    """
    if tool.get("type", "custom") != "custom":
        return
    schema = tool.get("input_schema")
    examples = tool.get("input_examples")
    if not isinstance(schema, dict) or not isinstance(examples, list):
        return
    context = _Context(schema, _budget(schema, examples))
    for k, example in enumerate(examples):
        if not isinstance(example, dict):
            yield k, f"an input example must be an object, not {kind_name(example)}"
            continue
        context.memo.clear()  # its keys are paths into one example
        found = _first(schema, example, context)
        if found is not None:
            path, reason = found
            yield k, f"{_printable(pointer(path))}: {reason}" if path else reason


PROPERTY_KEY: Final = re.compile(r"[a-zA-Z0-9_.-]{1,64}")
"""What the API takes as a property name at the top of a custom tool's ``input_schema``."""

COMBINATORS: Final = ("oneOf", "allOf", "anyOf")
"""Keywords the API refuses at the top of a custom tool's ``input_schema``."""


def schema_shape_problems(schema: dict[str, object]) -> Iterator[tuple[Path, str]]:
    """(path within the schema, reason) of what the API refuses at the top of an object
    ``input_schema``: ``oneOf``/``allOf``/``anyOf``, a ``properties`` that is not an object of
    schemas, a property name outside ``^[a-zA-Z0-9_.-]{1,64}$``, a ``required`` that is not a
    list of names.  Deeper levels are not looked at.

    >>> list(schema_shape_problems({"type": "object", "properties": {"filter[id]": {}, "n": "number"}}))
    [(('properties', 'filter[id]'), "property name 'filter[id]' must match ^[a-zA-Z0-9_.-]{1,64}$"), (('properties', 'n'), 'a property must be described by a schema object, not a string')]
    """
    if "oneOf" in schema or "allOf" in schema or "anyOf" in schema:
        for keyword in schema:
            if keyword in COMBINATORS:
                yield (keyword,), f"input_schema does not support {keyword} at the top level"
    properties = schema.get("properties")
    if type(properties) is dict:
        for key, value in properties.items():
            # an ASCII identifier of up to 64 characters fits the pattern, and is quicker told
            if not (len(key) <= 64 and key.isascii() and key.isidentifier()) and not PROPERTY_KEY.fullmatch(
                key
            ):
                yield ("properties", key), f"property name {_short(key)} must match ^[a-zA-Z0-9_.-]{{1,64}}$"
            if type(value) is not dict and type(value) is not bool:
                yield (
                    ("properties", key),
                    f"a property must be described by a schema object, not {kind_name(value)}",
                )
    elif properties is not None:  # null is allowed: the SDK's InputSchemaTyped makes both optional
        yield ("properties",), f"properties must be an object, not {kind_name(properties)}"
    required = schema.get("required")
    if required is not None and not (type(required) is list and all(type(r) is str for r in required)):
        yield ("required",), "required must be a list of property names"


UNSUPPORTED_KEYWORDS: Final[Mapping[str, str]] = {
    **dict.fromkeys(
        ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"), "a numerical constraint"
    ),
    **dict.fromkeys(("maxItems", "uniqueItems", "contains"), "an array constraint beyond minItems 0 or 1"),
    **dict.fromkeys(("minProperties", "maxProperties"), "an object size constraint"),
    **dict.fromkeys(("not", "if", "propertyNames"), "a condition"),
    "oneOf": "use anyOf",
}
"""Keywords structured outputs answer with a ``400`` (``For 'integer' type, property 'minimum' is
not supported``, ``Schema keyword 'not' is not supported``), and what kind of rule each is, or
what to use instead.  The SDK's ``transform_schema`` moves them into the description (``oneOf``
it turns into ``anyOf``); ``minLength``, ``maxLength`` and ``pattern`` are accepted."""


STRING_FORMATS: Final = frozenset(
    {"date-time", "time", "date", "duration", "email", "hostname", "uri", "ipv4", "ipv6", "uuid", "text"}
)
"""The ``format`` values structured outputs accept on a string: the SDK's
``SupportedStringFormats``, and ``text``, which its ``get_transformed_string`` writes.  Another
is a ``400``: ``For 'string' type, format 'phone' is not supported``."""


def output_schema_problems(schema: object) -> Iterator[tuple[Path, str]]:
    """(path within the schema, reason) of what structured outputs refuse in
    ``output_config.format.schema`` and in the ``input_schema`` of a ``strict`` tool: an object
    schema without ``"additionalProperties": false``, an array schema with a ``minItems`` other
    than 0 or 1, a keyword of :data:`UNSUPPORTED_KEYWORDS`, a string ``format`` outside
    :data:`STRING_FORMATS`, an object or array in an ``enum``, a recursive or external ``$ref``.
    The SDK's ``transform_schema`` makes a schema fit all but the last; a schema written by hand
    often does not.  A ``type`` list (``["object", "null"]``) gets the checks of each type it names.

    >>> list(output_schema_problems({"type": "object", "properties": {"tags": {"type": "array", "minItems": 2}}}))
    [((), "an object schema needs 'additionalProperties': false"), (('properties', 'tags', 'minItems'), 'minItems may only be 0 or 1, not 2')]
    """
    stack: list[tuple[object, Path]] = [(schema, ())]
    while stack:
        node, path = stack.pop()
        if not isinstance(node, dict) or len(path) > 2 * MAX_DEPTH:
            continue
        kinds = _declared_types(node)
        if "object" in kinds and node.get("additionalProperties") is not False:
            yield path, "an object schema needs 'additionalProperties': false"
        if "array" in kinds and "minItems" in node and not _zero_or_one(node["minItems"]):
            yield (*path, "minItems"), f"minItems may only be 0 or 1, not {_short(node['minItems'])}"
        form = node.get("format")
        if "string" in kinds and isinstance(form, str) and form not in STRING_FORMATS:
            yield (*path, "format"), f"structured outputs do not support the string format {_short(form)}"
        if isinstance(node.get("enum"), list):
            for k, item in enumerate(node["enum"]):
                if isinstance(item, dict | list):
                    yield (
                        (*path, "enum", k),
                        f"an enum value must be a string, number, boolean or null, not {kind_name(item)}",
                    )
        for keyword in node:
            if keyword in UNSUPPORTED_KEYWORDS:
                yield (
                    (*path, keyword),
                    f"structured outputs do not support {keyword} ({UNSUPPORTED_KEYWORDS[keyword]})",
                )
        stack.extend(reversed(_subschemas(node, path)))
    yield from _ref_problems(schema)


MAX_OPTIONAL_PARAMETERS: Final = 24
MAX_UNION_PARAMETERS: Final = 16
"""The structured-outputs docs' "Schema complexity limits": at most 24 optional parameters (not
in ``required``) and 16 parameters with union types (``anyOf`` or a ``type`` list) in a request,
summed over its strict schemas.  Past them the API answers ``400``: ``Schemas contains too many
optional parameters (87) ... (limit: 24)`` (elie222/inbox-zero#2662)."""


Load: TypeAlias = tuple[int, int]
"""How many optional parameters and parameters with union types a request's strict schemas hold."""


def with_load(load: Load, schema: object) -> tuple[Load, list[str]]:
    """``load``, the strict schemas of a request before ``schema``, with ``schema``'s added; and
    why, for each complexity limit ``schema`` takes the request past (so that, of the schemas
    that pass a limit together, only the one that passes it is told)."""
    optional, unions = _parameter_counts(schema)
    after = (load[0] + optional, load[1] + unions)
    reasons = [
        f"{total} {what} in the request's strict schemas, this one's included: structured outputs"
        f" allow at most {limit} (in the output schema and every strict tool's, summed)"
        for before, total, limit, what in (
            (load[0], after[0], MAX_OPTIONAL_PARAMETERS, "optional parameters"),
            (load[1], after[1], MAX_UNION_PARAMETERS, "parameters with union types (anyOf or a type list)"),
        )
        if before <= limit < total
    ]
    return after, reasons


def strict_load(tools: Iterable[object]) -> Load:
    """The :data:`Load` of the input schemas of the ``strict`` tools among ``tools``."""
    load: Load = (0, 0)
    for tool in tools:
        if isinstance(tool, dict) and tool.get("strict") is True:
            load, _ = with_load(load, tool.get("input_schema"))
    return load


def _parameter_counts(schema: object) -> tuple[int, int]:
    """How many optional parameters and parameters with union types ``schema`` surely holds:
    properties of the objects reached through ``properties``, ``items`` and ``anyOf``.  What
    ``$ref``, ``allOf`` or a ``required`` that is not a list make of the count is not told, and
    not counted."""
    optional = unions = 0
    stack: list[tuple[object, int]] = [(schema, 0)]
    while stack:
        node, depth = stack.pop()
        if not isinstance(node, dict) or depth > MAX_DEPTH:
            continue
        properties = node.get("properties")
        if isinstance(properties, dict):
            required = node.get("required", [])
            if isinstance(required, list):
                names = {name for name in required if isinstance(name, str)}
                optional += sum(1 for key in properties if key not in names)
            unions += sum(1 for sub in properties.values() if _union(sub))
            stack += [(sub, depth + 1) for sub in properties.values()]
        branches = node.get("anyOf")
        if isinstance(branches, list):
            stack += [(sub, depth + 1) for sub in branches]
        stack.append((node.get("items"), depth + 1))
    return optional, unions


def _union(schema: object) -> bool:
    """Whether a schema is a union: an ``anyOf`` of two or more, or a ``type`` list naming two
    or more types."""
    if not isinstance(schema, dict):
        return False
    branches, names = schema.get("anyOf"), schema.get("type")
    if isinstance(branches, list) and len(branches) >= 2:
        return True
    return isinstance(names, list) and len({n for n in names if isinstance(n, str) and n in _TYPE_NAMES}) >= 2


_SUBSCHEMA_KEYWORDS: Final = (
    "properties",
    "patternProperties",
    "additionalProperties",
    "dependentSchemas",
    "dependencies",
    "prefixItems",
    "items",
    "additionalItems",
    "anyOf",
    "allOf",
    "oneOf",
    "$defs",
    "definitions",
)
"""Where the structured-output checks look for subschemas: a keyword's value is one schema, a
list of them or an object of them.  Whatever the API makes of the keyword itself, it refuses
what it refuses in the schemas under it.  Not under ``not``, ``if``/``then``/``else``,
``contains`` or ``propertyNames``, which are reported themselves: what is under them goes with
them."""

_SCHEMA_OBJECTS: Final = frozenset(
    {"properties", "patternProperties", "dependentSchemas", "dependencies", "$defs", "definitions"}
)
"""The keywords of :data:`_SUBSCHEMA_KEYWORDS` whose value is an object of schemas."""


def _declared_types(node: dict[object, object]) -> list[object]:
    """The types a schema's ``type`` names: one, or each of a list (``["object", "null"]``).
    The API checks each listed type as if it stood alone (structured-outputs docs, "type arrays")."""
    names = node.get("type")
    return names if isinstance(names, list) else [names]


def _zero_or_one(bound: object) -> bool:
    """Whether a JSON value is the number 0 or 1 (``true`` is not, though Python has it equal 1)."""
    return type(bound) is not bool and bound in (0, 1)


def _subschemas(node: dict[object, object], path: Path) -> list[tuple[object, Path]]:
    """The subschemas of ``node`` the structured-output checks look through, with their paths."""
    children: list[tuple[object, Path]] = []
    for keyword in _SUBSCHEMA_KEYWORDS:
        if keyword not in node:
            continue
        group = node[keyword]
        if keyword in _SCHEMA_OBJECTS:
            if isinstance(group, dict):
                children += [(sub, (*path, keyword, key)) for key, sub in group.items()]
        elif isinstance(group, list):
            children += [(sub, (*path, keyword, k)) for k, sub in enumerate(group)]
        else:
            children.append((group, (*path, keyword)))
    return children


def _ref_problems(schema: object) -> Iterator[tuple[Path, str]]:
    """(path, reason) of each ``$ref`` structured outputs refuse: one that is not a string, one
    to another document, a ``#``/``#/...`` pointer to nothing or to a value that is not a
    schema, or one that leads back to a schema it is inside of (a recursive schema).

    A depth-first walk from the root that follows each ``$ref`` to its target: a target reached
    again while it is still being walked closes a loop.  Each target is walked once.  A ``$ref``
    to the ``$id`` of a schema inside the root is not to another document; a ``#...`` pointer
    below such a schema is relative to it, and convo does not follow it (the API may not).
    """
    named, rebased = _resources(schema)
    walking: set[int] = {id(schema)}  # the root, and the targets being walked
    walked: set[int] = set()
    steps = _budget(schema)
    stack: list[tuple[object, Path, bool]] = [(schema, (), False)]  # (node, path, done walking it)
    while stack and steps > 0:
        node, path, done = stack.pop()
        if done:
            walking.discard(id(node))
            walked.add(id(node))
            continue
        if not isinstance(node, dict) or len(path) > 2 * MAX_DEPTH or id(node) in walked:
            continue  # a target walked already is not walked again where it stands
        steps -= 1
        ref = node.get("$ref")
        uri = ref.partition("#")[0] if isinstance(ref, str) else ""
        if "$ref" in node and not isinstance(ref, str):
            yield (*path, "$ref"), f"a $ref must be a string (a URI reference), not {kind_name(ref)}"
        elif uri and uri not in named:
            yield (
                (*path, "$ref"),
                f"structured outputs do not support a $ref to another document: {_short(ref)}",
            )
        elif isinstance(ref, str) and (uri or id(node) not in rebased):
            found = _ref_target(ref, schema, named)
            if found is None:
                if _plain_pointer(ref):
                    yield (*path, "$ref"), f"$ref {_short(ref)} points to nothing in the schema"
            elif not isinstance(found[0], dict | bool):
                yield (
                    (*path, "$ref"),
                    f"$ref {_short(ref)} points to {kind_name(found[0])}, not to a schema",
                )
            elif id(found[0]) in walking:
                yield (
                    (*path, "$ref"),
                    f"structured outputs do not support recursive schemas: {_short(ref)} leads back here",
                )
            elif id(found[0]) not in walked:
                target, where = found
                walking.add(id(target))
                stack += [(target, where, True), (target, where, False)]
        stack += [(sub, where, False) for sub, where in reversed(_subschemas(node, path))]


def _resources(schema: object) -> tuple[dict[str, tuple[object, Path]], set[int]]:
    """The schemas inside ``schema`` (itself included) by their ``$id`` (its part before ``#``),
    with their paths; and the ``id()`` of each subschema below an ``$id`` other than the root's."""
    named: dict[str, tuple[object, Path]] = {}
    rebased: set[int] = set()
    stack: list[tuple[object, Path, bool]] = [(schema, (), False)]  # (node, path, below an $id)
    while stack:
        node, path, below = stack.pop()
        if not isinstance(node, dict) or len(path) > 2 * MAX_DEPTH:
            continue
        name = node.get("$id")
        uri = name.partition("#")[0] if isinstance(name, str) else ""
        if uri:
            named.setdefault(uri, (node, path))
            below = below or node is not schema
        if below:
            rebased.add(id(node))
        stack += [(sub, where, below) for sub, where in _subschemas(node, path)]
    return named, rebased


def _plain_pointer(ref: str) -> bool:
    """Whether ``ref`` ends in a ``#`` or ``#/...`` JSON Pointer that every resolver reads as
    convo does: not an anchor (``#name``), and without percent-escapes (``%2F`` is split on
    by some resolvers, not by others)."""
    fragment = ref.partition("#")[2]
    return fragment[:1] in ("", "/") and "%" not in fragment


def _ref_target(
    ref: str, schema: object, named: Mapping[str, tuple[object, Path]]
) -> tuple[object, Path] | None:
    """The subschema ``ref`` names, a ``#...`` pointer into ``schema`` or into a schema of
    ``named`` (``<$id>#...``), and its path in ``schema``; None if there is none."""
    uri, _, fragment = ref.partition("#")
    base, base_path = named[uri] if uri else (schema, ())
    found = _pointed(base, "#" + fragment)
    return None if found is None else (found[0], (*base_path, *found[1]))


def _first(schema: object, value: object, context: _Context) -> Failure | None:
    verdict = _check(schema, value, (), 0, context)
    return verdict if isinstance(verdict, tuple) else None


def _budget(*values: object) -> int:
    """The work budget for checking these values: linear in their size."""
    nodes = 0
    stack: list[object] = list(values)
    while stack:
        item = stack.pop()
        nodes += 1
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return _BASE_STEPS + _STEPS_PER_NODE * nodes


# --- one schema -----------------------------------------------------------------------------------


def _check(schema: object, value: object, path: Path, depth: int, context: _Context) -> Verdict:
    """The verdict of ``schema`` on ``value``, found at ``path``."""
    if schema is True:
        return None
    if schema is False:
        return path, "no value is allowed here"
    if not isinstance(schema, dict) or depth >= MAX_DEPTH or not context.spend():
        return _UNSURE
    kind = json_kind(value)
    if kind is None:
        return _UNSURE
    if schema is not context.root and ("$id" in schema or "id" in schema):
        # a new base URI: below it, "#/..." no longer points into the root schema
        context.rebased += 1
        try:
            return _check_keywords(schema, value, kind, path, depth, context)
        finally:
            context.rebased -= 1
    return _check_keywords(schema, value, kind, path, depth, context)


def _check_keywords(
    schema: dict[object, object], value: object, kind: str, path: Path, depth: int, context: _Context
) -> Verdict:
    if "$ref" in schema:
        return _with_ref(schema, value, path, depth, context)
    unsure = any(key not in _KNOWN and _SCOPED.get(key, kind) == kind for key in schema)
    for verdict in _keywords(schema, value, kind, path, depth, context):
        if verdict is None:
            continue
        if isinstance(verdict, tuple):
            return verdict
        unsure = True
    return _UNSURE if unsure else None


def _with_ref(
    schema: dict[object, object], value: object, path: Path, depth: int, context: _Context
) -> Verdict:
    """A schema with ``$ref``: the target decides; siblings count only from draft 2019-09 on."""
    target = _resolve(schema["$ref"], context)
    if target is _UNSURE:
        return _UNSURE
    key = (id(target), path)
    known = context.memo.get(key)
    if isinstance(known, _Busy):
        return _UNSURE  # a loop that made no progress into the value
    if key in context.memo:
        verdict = known
    else:
        context.memo[key] = _BUSY
        verdict = context.memo[key] = _check(target, value, path, depth + 1, context)
    if isinstance(verdict, tuple):
        return verdict
    siblings = {key: sub for key, sub in schema.items() if key != "$ref" and key not in _ANNOTATIONS}
    if siblings and _check(siblings, value, path, depth + 1, context) is not None:
        return _UNSURE  # fails or is undecided; in draft 7 the siblings are ignored anyway
    return verdict


def _resolve(ref: object, context: _Context) -> object:
    """The subschema a ``#/...`` pointer names inside the root schema, or :data:`_UNSURE`."""
    if not isinstance(ref, str) or context.rebased:
        return _UNSURE
    found = _pointed(context.root, ref)
    return _UNSURE if found is None else found[0]


def _pointed(root: object, ref: str) -> tuple[object, Path] | None:
    """The value a ``#`` or ``#/...`` pointer names inside ``root``, and its path; None if none."""
    node: object = root
    path: Path = ()
    if ref == "#":
        return node, path
    if not ref.startswith("#/"):
        return None  # another document, or an anchor
    for raw in ref[2:].split("/"):
        part = unquote(raw).replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and part in node:
            node, path = node[part], (*path, part)
        elif isinstance(node, list) and part.isascii() and part.isdigit() and int(part[:9]) < len(node):
            node, path = node[int(part)], (*path, int(part))
        else:
            return None
    return node, path


def _keywords(
    schema: dict[object, object], value: object, kind: str, path: Path, depth: int, context: _Context
) -> Iterator[Verdict]:
    """The verdict of each keyword group of ``schema`` that applies to ``value``, in order."""
    yield _type(schema, value, kind, path)
    if "enum" in schema:
        yield _enum(schema["enum"], value, path, context)
    if "const" in schema:
        same = _equal(schema["const"], value, 0, context)
        yield _UNSURE if same is None else None if same else (path, f"must be {_short(schema['const'])}")
    if isinstance(value, dict):
        yield _object(schema, value, path, depth, context)
    elif isinstance(value, list):
        yield _array(schema, value, path, depth, context)
    elif isinstance(value, str):
        yield _string(schema, value, path)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        yield _number(schema, value, path)
    yield _combinators(schema, value, path, depth, context)


# --- type, enum and const -------------------------------------------------------------------------


def json_kind(value: object) -> str | None:
    """The JSON Schema type of a decoded JSON value (``integer`` for 1.0), or None if not JSON."""
    if value is None:
        return "null"
    kind = type(value)
    if kind is bool:
        return "boolean"
    if kind is int:
        return "integer"
    if kind is float:
        assert isinstance(value, float)
        if not math.isfinite(value):
            return None
        return "integer" if value.is_integer() else "number"
    return _CONTAINER_KINDS.get(kind)


_CONTAINER_KINDS: Final[Mapping[type, str]] = {str: "string", list: "array", dict: "object"}
_KIND_NAMES: Final = {"null": "null", "array": "an array", "object": "an object", "integer": "an integer"}


def kind_name(value: object) -> str:
    """How a message names the JSON Schema type of a decoded value (``"an integer"``)."""
    kind = json_kind(value)
    return "not a JSON value" if kind is None else json_kind_name(kind)


def json_kind_name(kind: str) -> str:
    """How a message names a JSON Schema type: ``"a string"``, ``"an integer"``, ``"null"``."""
    return _KIND_NAMES.get(kind, f"a {kind}")


def _type(schema: dict[object, object], value: object, kind: str, path: Path) -> Verdict:
    if "type" not in schema:
        return None
    names = schema["type"]
    if isinstance(names, str):
        names = [names]
    if not isinstance(names, list) or not names:
        return _UNSURE
    unsure = False
    for name in names:
        if name == kind or (name == "number" and kind == "integer"):
            return None
        if not isinstance(name, str) or name not in _TYPE_NAMES:  # a draft-3 schema in the list, or "any"
            unsure = True
    if unsure or (kind == "null" and schema.get("nullable") is True):
        return _UNSURE
    expected = " or ".join(str(name) for name in names)
    return path, f"expected {expected}, got {kind}"


def _enum(options: object, value: object, path: Path, context: _Context) -> Verdict:
    if not isinstance(options, list) or not options:
        return _UNSURE
    if type(value) is str or value is None:  # == is JSON equality for these: one fast scan
        if not context.spend(1 + len(options) // 64):
            return _UNSURE
        found: bool | None = value in options
    else:
        found = False
        for option in options:
            same = _equal(option, value, 0, context)
            if same:
                return None
            if same is None:
                found = None
    if found:
        return None
    if found is None:
        return _UNSURE
    return path, f"{_short(value)} is not one of the allowed values"


def _equal(a: object, b: object, depth: int, context: _Context) -> bool | None:
    """JSON equality (``1 == 1.0``, ``true != 1``), or None when it cannot be told."""
    if depth >= MAX_DEPTH or not context.spend():
        return None
    kind_a, kind_b = json_kind(a), json_kind(b)
    if kind_a is None or kind_b is None:
        return None
    numeric = ("integer", "number")
    if kind_a in numeric and kind_b in numeric:
        return a == b
    if kind_a != kind_b:
        return False
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return False
        result: bool | None = True
        for x, y in zip(a, b, strict=True):
            same = _equal(x, y, depth + 1, context)
            if same is False:
                return False
            if same is None:
                result = None
        return result
    if isinstance(a, dict) and isinstance(b, dict):
        if a.keys() != b.keys():
            return False
        result = True
        for key, x in a.items():
            same = _equal(x, b[key], depth + 1, context)
            if same is False:
                return False
            if same is None:
                result = None
        return result
    return a == b


# --- by kind of value -----------------------------------------------------------------------------


_SIZE_BOUNDS: Final[tuple[tuple[str, Callable[[int, int], bool], str], ...]] = (
    ("minProperties", operator.lt, "fewer than"),
    ("maxProperties", operator.gt, "more than"),
    ("minItems", operator.lt, "fewer than"),
    ("maxItems", operator.gt, "more than"),
)
_NUMBER_BOUNDS: Final[tuple[tuple[str, Callable[[float, float], bool], str], ...]] = (
    ("minimum", operator.lt, "less than the minimum"),
    ("maximum", operator.gt, "more than the maximum"),
    ("exclusiveMinimum", operator.le, "not more than the exclusive minimum"),
    ("exclusiveMaximum", operator.ge, "not less than the exclusive maximum"),
)
"""Bound keywords, how a value fails them, and how a message says so.  Python compares ints and
floats exactly, however large."""


def _object(
    schema: dict[object, object], value: dict[object, object], path: Path, depth: int, context: _Context
) -> Verdict:
    unsure = False
    required = schema.get("required")
    if required is not None:
        if not isinstance(required, list):
            unsure = True  # draft 3 put `required: true` on the property
        else:
            for name in required:
                if not isinstance(name, str):
                    unsure = True
                elif name not in value:
                    return path, f"missing required property {_short(name)}"
    properties = schema.get("properties", {})
    extra = schema.get("additionalProperties", True)
    patterns = schema.get("patternProperties", {})
    if not isinstance(properties, dict):
        properties, unsure = {}, True
        extra = True  # which properties are "additional" is unknown too
    if patterns != {}:
        unsure = True  # the patterns are ECMA regexes: not checked
    for key, item in value.items():
        if type(key) is not str:
            return _UNSURE
        if key in properties:
            sub = properties[key]
        elif extra is True or extra == {}:
            continue
        elif patterns != {}:
            continue  # the key may match a pattern, which then applies instead
        else:
            sub = extra
            if extra is False:
                return path, f"property {_short(key)} is not allowed"
        verdict = _check(sub, item, (*path, key), depth + 1, context)
        if isinstance(verdict, tuple):
            return verdict
        unsure = unsure or verdict is not None
    verdict = _size(schema, len(value), "Properties", path)
    if isinstance(verdict, tuple):
        return verdict
    return _UNSURE if unsure or verdict is not None else None


def _size(schema: dict[object, object], size: int, noun: str, path: Path) -> Verdict:
    """``min``/``max`` + ``noun`` (``Properties`` or ``Items``) against a ``size``."""
    unsure = False
    for keyword, fails, words in _SIZE_BOUNDS:
        if keyword.endswith(noun) and keyword in schema:
            bound = _count(schema[keyword])
            if bound is None:
                unsure = True
            elif fails(size, bound):
                return path, f"has {words} {bound} {noun.lower()}"
    return _UNSURE if unsure else None


def _array(
    schema: dict[object, object], value: list[object], path: Path, depth: int, context: _Context
) -> Verdict:
    verdict = _size(schema, len(value), "Items", path)
    if isinstance(verdict, tuple):
        return verdict
    unsure = verdict is not None
    if "prefixItems" in schema:
        unsure = True  # positional schemas are not checked
    if "items" in schema:
        items = schema["items"]
        start = 0
        prefix = schema.get("prefixItems")
        if isinstance(prefix, list):
            start = len(prefix)  # from draft 2020-12 on, `items` is for the rest
        elif prefix is not None:
            start = len(value)
        if isinstance(items, dict | bool):
            for i in range(start, len(value)):
                verdict = _check(items, value[i], (*path, i), depth + 1, context)
                if isinstance(verdict, tuple):
                    return verdict
                unsure = unsure or verdict is not None
        else:
            unsure = True  # the positional (list) form of drafts before 2020-12
    if schema.get("uniqueItems") is True:
        verdict = _unique(value, path, context)
        if isinstance(verdict, tuple):
            return verdict
        unsure = unsure or verdict is not None
    elif schema.get("uniqueItems", False) is not False:
        unsure = True
    if "contains" in schema:
        if "minContains" in schema or "maxContains" in schema:
            unsure = True
        else:
            verdict = _contains(schema["contains"], value, path, depth, context)
            if isinstance(verdict, tuple):
                return verdict
            unsure = unsure or verdict is not None
    return _UNSURE if unsure else None


def _unique(value: list[object], path: Path, context: _Context) -> Verdict:
    unsure = False
    for i in range(len(value)):
        if context.steps < 0:
            return _UNSURE
        for j in range(i):
            same = _equal(value[j], value[i], 0, context)
            if same:
                return path, f"items {j} and {i} are equal, and items must be unique"
            if same is None:
                unsure = True
    return _UNSURE if unsure else None


def _contains(schema: object, value: list[object], path: Path, depth: int, context: _Context) -> Verdict:
    unsure = False
    for i, item in enumerate(value):
        verdict = _check(schema, item, (*path, i), depth + 1, context)
        if verdict is None:
            return None
        if not isinstance(verdict, tuple):
            unsure = True
    return _UNSURE if unsure else (path, "has no item that matches 'contains'")


def _string(schema: dict[object, object], value: str, path: Path) -> Verdict:
    unsure = False
    if "maxLength" in schema:
        bound = _count(schema["maxLength"])
        if bound is None:
            unsure = True
        elif len(value) > bound:  # more code points means more UTF-16 units too
            return path, f"is longer than {bound} characters"
    if "minLength" in schema:
        bound = _count(schema["minLength"])
        if bound is None:
            unsure = True
        elif len(value) < bound:
            if len(value.encode("utf-16-le", "surrogatepass")) // 2 < bound:
                return path, f"is shorter than {bound} characters"
            unsure = True
    return _UNSURE if unsure else None


def _number(schema: dict[object, object], value: float, path: Path) -> Verdict:
    unsure = False
    for keyword, fails, words in _NUMBER_BOUNDS:
        if keyword not in schema:
            continue
        bound = schema[keyword]
        if isinstance(bound, bool):  # draft 4: a flag on minimum/maximum, which stay inclusive
            unsure = unsure or bound
        elif not isinstance(bound, int | float) or json_kind(bound) is None:  # not a finite number
            unsure = True
        elif fails(value, bound):
            return path, f"{_short(value)} is {words} {_short(bound)}"
    if "multipleOf" in schema:
        step = schema["multipleOf"]
        if type(step) is int and step > 0 and type(value) is int:
            if value % step:
                return path, f"{_short(value)} is not a multiple of {step}"
        else:
            unsure = True  # floating-point remainders differ between validators
    return _UNSURE if unsure else None


def _count(bound: object) -> int | None:
    """A non-negative integer keyword value (``2`` or ``2.0``), or None if it is not one."""
    if type(bound) is int and bound >= 0:
        return bound
    if type(bound) is float and bound.is_integer() and bound >= 0 and math.isfinite(bound):
        return int(bound)
    return None


# --- combinators ----------------------------------------------------------------------------------


def _combinators(
    schema: dict[object, object], value: object, path: Path, depth: int, context: _Context
) -> Verdict:
    unsure = False
    for keyword in ("allOf", "anyOf", "oneOf"):
        if keyword not in schema:
            continue
        branches = schema[keyword]
        if not isinstance(branches, list) or not branches:
            unsure = True
            continue
        verdicts = []
        for branch in branches:
            verdict = _check(branch, value, path, depth + 1, context)
            if keyword == "allOf" and isinstance(verdict, tuple):
                return verdict
            if keyword == "anyOf" and verdict is None:
                break
            verdicts.append(verdict)
        verdict = _combine(keyword, verdicts, len(branches), path)
        if isinstance(verdict, tuple):
            return verdict
        unsure = unsure or verdict is not None
    if "not" in schema:
        verdict = _check(schema["not"], value, path, depth + 1, context)
        if verdict is None:
            return path, "matches the schema under 'not'"
        unsure = unsure or not isinstance(verdict, tuple)
    if "if" in schema:
        verdict = _if(schema, value, path, depth, context)
        if isinstance(verdict, tuple):
            return verdict
        unsure = unsure or verdict is not None
    return _UNSURE if unsure else None


def _combine(keyword: str, verdicts: list[Verdict], count: int, path: Path) -> Verdict:
    """The verdict of ``allOf``/``anyOf``/``oneOf`` from those of its branches (anyOf stops at a pass)."""
    passed = sum(1 for v in verdicts if v is None)
    failed = sum(1 for v in verdicts if isinstance(v, tuple))
    if keyword == "allOf":
        return None if passed == count else _UNSURE
    if keyword == "anyOf":
        if len(verdicts) < count or passed:
            return None
        return (path, "matches none of the 'anyOf' schemas") if failed == count else _UNSURE
    if passed >= 2:
        return path, "matches more than one of the 'oneOf' schemas"
    if failed == count:
        return path, "matches none of the 'oneOf' schemas"
    return None if passed == 1 and failed == count - 1 else _UNSURE


def _if(schema: dict[object, object], value: object, path: Path, depth: int, context: _Context) -> Verdict:
    """``if``/``then``/``else``: the branch the condition picks, or both when it is undecided."""
    condition = _check(schema["if"], value, path, depth + 1, context)
    if condition is None:
        return _check(schema.get("then", True), value, path, depth + 1, context)
    if isinstance(condition, tuple):
        return _check(schema.get("else", True), value, path, depth + 1, context)
    then = _check(schema.get("then", True), value, path, depth + 1, context)
    other = _check(schema.get("else", True), value, path, depth + 1, context)
    if then is None and other is None:
        return None
    if isinstance(then, tuple) and isinstance(other, tuple):
        return then
    return _UNSURE


# --- messages -------------------------------------------------------------------------------------


def _short(value: object, limit: int = 40) -> str:
    """A one-line rendering of a JSON value for a message, cut to about ``limit`` characters."""
    if isinstance(value, str):
        text = repr(value[:limit])  # the cut below drops the closing quote of a long one
    elif value is None or isinstance(value, bool):
        text = {None: "null", True: "true", False: "false"}[value]
    elif isinstance(value, int) and value.bit_length() > 128:
        text = "a very large integer"  # and str() of a huge one raises
    elif isinstance(value, int | float):
        text = repr(value)
    else:
        text = kind_name(value)
    return _printable(text if len(text) <= limit else text[: limit - 1] + "…")


def _printable(text: str, limit: int = 80) -> str:
    """``text`` on one line: characters that are not printable become escapes."""
    if not text.isprintable():
        text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    return text if len(text) <= limit else text[: limit - 1] + "…"
