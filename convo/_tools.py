"""Typed tools: a tool definition from a class, and a ``tool_use.input`` parsed into that class.

A tool's input is declared as an ``msgspec.Struct``, a dataclass or an attrs class (or a
``TypedDict``): anything msgspec can convert and describe with JSON Schema.  msgspec does all
three jobs here, schema, parsing and the error path, so one set of rules decides both what the
model is told and what is accepted (cattrs can structure these classes too, but has no JSON
Schema); field descriptions and bounds come from ``Annotated[..., msgspec.Meta(...)]``.

The schema is a pure function of the class: field order as declared, nested classes under
``$defs`` (sorted by name), so a tool definition's bytes, and the prompt cache behind them, never
change from run to run.
"""

from __future__ import annotations

import dataclasses
import inspect
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final, Generic, TypeVar, cast, final

import msgspec

from ._blocks import ToolUseBlock
from ._errors import ConvoError, InvalidArgument, pointer

if TYPE_CHECKING:
    from anthropic.types import ToolParam

__all__ = ["Tool", "ToolInputError", "tool"]

T = TypeVar("T")

NAME: Final = re.compile(r"[a-zA-Z0-9_-]{1,64}")
_AT: Final = re.compile(r"^(?P<detail>.*?) - at (?P<key>`key` in )?`(?P<path>\$.*)`$", re.S)
_NAMED_FIELD: Final = re.compile(r"^Object (?:missing required|contains unknown) field `(?P<field>[^`]*)`$")
_INDEX: Final = re.compile(r"\[(\d+)\]")
_NAME_TEXT: Final = re.compile(r"[^.\[]*")


class ToolInputError(ConvoError, ValueError):
    """A ``tool_use.input`` that does not fit the tool's input type.

    ``path`` is a JSON Pointer into the input (``/location/city``; ``""`` for the input as a
    whole), ``detail`` what is wrong there.  Given to :meth:`Conversation.tool_results` as a
    result, it becomes an ``is_error`` result whose text tells the model what to fix.
    """

    tool: str
    path: str
    detail: str
    tool_use_id: str | None

    def __init__(self, *, tool: str, path: str, detail: str, tool_use_id: str | None = None) -> None:
        self.tool = tool
        self.path = path
        self.detail = detail
        self.tool_use_id = tool_use_id
        where = f" at {path}" if path else ""
        super().__init__(f"{tool} input does not fit its schema{where}: {detail}")


@final
class Tool(Generic[T]):
    """A client tool whose input is the type ``T``: its definition, and a parser for its calls.

    Make one with :func:`convo.tool`.
    """

    __slots__ = ("_description", "_input_schema", "_name", "_type", "_wire")
    _type: type[T]
    _name: str
    _description: str | None
    _input_schema: dict[str, Any]
    _wire: bytes

    def __init__(self, cls: type[T], *, name: str | None = None, description: str | None = None) -> None:
        name = _snake(cls.__name__) if name is None else name
        if not isinstance(name, str) or not NAME.fullmatch(name):
            raise InvalidArgument(f"a tool name must match ^[a-zA-Z0-9_-]{{1,64}}$, not {name!r}")
        try:
            schema = msgspec.json.schema(cls)
        except (TypeError, ValueError, NameError) as exc:  # NameError: an annotation that does not resolve
            raise InvalidArgument(f"cannot describe {cls!r} as a tool input: {exc}") from None
        input_schema = _inline_root(schema, _named_classes(cls))
        if input_schema.get("type") != "object":
            raise InvalidArgument(
                f"a tool input must be an object type (a Struct, dataclass, attrs class), not {cls!r}"
            )
        if description is None:
            description = _docstring(cls)
        definition: dict[str, Any] = {"name": name}
        if description:
            definition["description"] = description
        definition["input_schema"] = input_schema
        setter = object.__setattr__
        setter(self, "_type", cls)
        setter(self, "_name", name)
        setter(self, "_description", description or None)
        setter(self, "_input_schema", input_schema)
        setter(self, "_wire", msgspec.json.encode(definition))

    @property
    def input_type(self) -> type[T]:
        """The class a call's input parses into."""
        return self._type

    @property
    def name(self) -> str:
        """The tool's name (the class name in snake_case unless given)."""
        return self._name

    @property
    def description(self) -> str | None:
        """What the model is told the tool does (the class docstring unless given)."""
        return self._description

    @property
    def input_schema(self) -> dict[str, Any]:
        """The JSON Schema of the input (a fresh copy)."""
        schema: dict[str, Any] = msgspec.json.decode(self._wire)["input_schema"]
        return schema

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("immutable type: 'Tool'")

    def definition(self) -> ToolParam:
        """The tool definition for ``tools=[...]``: ``name``, ``description``, ``input_schema``
        (typed as the SDK's ``ToolParam``, so it goes to ``client.messages.create`` as it is)."""
        return cast("ToolParam", msgspec.json.decode(self._wire))

    def to_json(self) -> bytes:
        """The definition's JSON bytes (always the same for the same class)."""
        return self._wire

    def parse(self, call: ToolUseBlock | Mapping[str, Any] | bytes | str) -> T:
        """The input of a call as a ``T``: a tool_use block, its ``input`` dict, or JSON.

        Raises :class:`convo.ToolInputError` with a JSON Pointer to the field that does not
        fit, and :class:`convo.InvalidArgument` for a tool_use block that calls another tool.
        """
        tool_use_id = None
        data: Any
        if isinstance(call, ToolUseBlock):
            if call.name != self.name:
                raise InvalidArgument(f"tool_use {call.id} calls {call.name!r}, not {self.name!r}")
            tool_use_id = call.id
            data = call.input
        elif isinstance(call, bytes | str):
            try:
                data = msgspec.json.decode(call)
            except msgspec.DecodeError as exc:
                raise ToolInputError(tool=self.name, path="", detail=f"not JSON: {exc}") from None
            except RecursionError:
                raise ToolInputError(tool=self.name, path="", detail="nested too deeply") from None
        elif isinstance(call, Mapping):
            data = dict(call)
        else:
            raise InvalidArgument(
                f"parse takes a tool_use block, a mapping or JSON, not {type(call).__name__}"
            )
        try:
            return msgspec.convert(data, type=self._type, str_keys=True)  # JSON keys are strings
        except RecursionError:
            raise ToolInputError(
                tool=self.name, path="", detail="nested too deeply", tool_use_id=tool_use_id
            ) from None
        except msgspec.ValidationError as exc:
            path, detail = _locate(str(exc), data, self._type)
            raise ToolInputError(tool=self.name, path=path, detail=detail, tool_use_id=tool_use_id) from None

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Tool):
            return NotImplemented
        return self._type is other._type and self._wire == other._wire

    def __hash__(self) -> int:
        return hash(self._wire)

    def __repr__(self) -> str:
        return f"Tool({self._name!r}, {self._type.__qualname__})"


def tool(cls: type[T], *, name: str | None = None, description: str | None = None) -> Tool[T]:
    """Define a client tool from a class describing its input.

    ``cls`` is an ``msgspec.Struct``, a dataclass or an attrs class.  ``name`` defaults to the
    class name in snake_case, ``description`` to its docstring.

    >>> import dataclasses, json
    >>> import convo
    >>> @dataclasses.dataclass
    ... class GetWeather:
    ...     '''Get the current weather for a city.'''
    ...     city: str
    ...     days: int = 1
    >>> weather = convo.tool(GetWeather)
    >>> print(json.dumps(weather.definition()))
    {"name": "get_weather", "description": "Get the current weather for a city.", "input_schema": {"type": "object", "properties": {"city": {"type": "string"}, "days": {"type": "integer", "default": 1}}, "required": ["city"]}}
    >>> weather.parse({"city": "Paris", "days": 3})
    GetWeather(city='Paris', days=3)
    >>> try:
    ...     weather.parse({"city": "Paris", "days": "3"})
    ... except convo.ToolInputError as exc:
    ...     print(exc.path, "|", exc)
    /days | get_weather input does not fit its schema at /days: Expected `int`, got `str`
    """
    return Tool(cls, name=name, description=description)


# -- the schema -----------------------------------------------------------------------------------


def _inline_root(schema: dict[str, Any], classes: dict[str, type]) -> dict[str, Any]:
    """msgspec's ``{"$ref": "#/$defs/X", "$defs": {...}}`` as X itself, other defs kept under it,
    each described by its class's docstring as the root is (``classes``: by ``$defs`` name)."""
    defs: dict[str, Any] = dict(schema.get("$defs", {}))
    ref = schema.get("$ref")
    if not isinstance(ref, str) or not ref.startswith("#/$defs/"):
        return schema
    root_name = ref.removeprefix("#/$defs/")
    root = {k: v for k, v in defs.pop(root_name).items() if k not in ("title", "description")}
    if _refers(root, ref) or any(_refers(d, ref) for d in defs.values()):
        defs[root_name] = schema["$defs"][root_name]  # recursive: keep it addressable
    for name, sub in defs.items():
        doc = _docstring(classes[name]) if name in classes else None
        if isinstance(sub.get("description"), str) and doc:
            defs[name] = {**sub, "description": doc}
    if defs:
        root["$defs"] = dict(sorted(defs.items()))
    return root


def _named_classes(cls: type) -> dict[str, type]:
    """Every class (Struct, dataclass, attrs) the input type reaches, by the name msgspec gives
    its schema."""
    import msgspec.inspect

    found: dict[str, type] = {}
    seen: set[int] = set()

    def walk(info: object) -> None:
        if id(info) in seen:
            return
        seen.add(id(info))
        klass = getattr(info, "cls", None)
        if isinstance(klass, type) and hasattr(info, "fields"):
            found.setdefault(klass.__name__, klass)
        for field in getattr(info, "__struct_fields__", ()):
            value = getattr(info, field)
            for item in value if isinstance(value, tuple) else (value,):
                if isinstance(item, msgspec.inspect.Type | msgspec.inspect.Field):
                    walk(item)

    walk(msgspec.inspect.type_info(cls))
    return found


def _refers(node: Any, ref: str) -> bool:
    if isinstance(node, dict):
        return node.get("$ref") == ref or any(_refers(v, ref) for v in node.values())
    if isinstance(node, list):
        return any(_refers(v, ref) for v in node)
    return False


def _docstring(cls: type) -> str | None:
    doc = cls.__doc__
    if not doc:
        return None
    if dataclasses.is_dataclass(cls) and doc.startswith(cls.__name__ + "("):
        return None  # the signature dataclasses writes when there is no docstring
    return inspect.cleandoc(doc)


def _snake(name: str) -> str:
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name)
    return words.lower()


# -- the error path -------------------------------------------------------------------------------


def _locate(message: str, data: Any, cls: type) -> tuple[str, str]:
    """(JSON Pointer, detail) for one of msgspec's messages (``... - at `$.a[0].b```)."""
    match = _AT.match(message)
    detail, where = (match["detail"], match["path"]) if match else (message, "$")
    path: list[str | int] = []
    rest = where[1:]
    while rest:
        index = _INDEX.match(rest)
        if rest.startswith("[...]"):  # msgspec does not name map keys: find the one that fails
            key = _failing_key(data, path, message, cls)
            if key is None:
                return pointer(tuple(path)), detail
            path.append(key)
            rest = rest[5:]
        elif index:
            path.append(int(index[1]))
            rest = rest[index.end() :]
        elif rest.startswith("."):
            name = _name(rest[1:], _get(data, path))
            path.append(name)
            rest = rest[1 + len(name) :]
        else:  # not a path msgspec writes: stop where it is known
            return pointer(tuple(path)), detail
    if match and match["key"]:  # a map key that does not fit its type
        key = _failing_key(data, path, message, cls)
        if key is not None:
            path.append(key)
    named = _NAMED_FIELD.match(detail)
    if named:
        path.append(named["field"])
    return pointer(tuple(path)), detail


def _name(text: str, node: Any) -> str:
    """The field name ``text`` starts with: the longest key of the input ``node`` it goes on
    with (a renamed field may hold ``.`` or ``[``), else the text up to the next ``.`` or ``[``."""
    if isinstance(node, dict):
        fits = [
            key
            for key in node
            if isinstance(key, str)
            and text.startswith(key)
            and text[len(key) : len(key) + 1] in ("", ".", "[")
        ]
        if fits:
            return max(fits, key=len)
    match = _NAME_TEXT.match(text)
    return match[0] if match else text


def _failing_key(data: Any, path: list[str | int], message: str, cls: type) -> str | None:
    """The key of the map at ``path`` whose value fails with ``message``: the first failing key,
    since msgspec stops there, found by halving the keys (log n conversions, not n)."""
    node = _get(data, path)
    if not isinstance(node, dict) or not node:
        return None

    def fails(keys: list[Any]) -> str | None:
        try:
            msgspec.convert(_with(data, path, {k: node[k] for k in keys}), type=cls, str_keys=True)
        except msgspec.ValidationError as exc:
            return str(exc)
        return None

    keys = list(node)
    while len(keys) > 1:
        half = len(keys) // 2
        keys = keys[:half] if fails(keys[:half]) is not None else keys[half:]
    return cast(str, keys[0]) if fails(keys) == message else None


def _get(data: Any, path: list[str | int]) -> Any:
    for part in path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _with(data: Any, path: list[str | int], value: Any) -> Any:
    """``data`` with the node at ``path`` replaced (copies along the path only)."""
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(data, dict):
        return {**data, head: _with(data[head], rest, value)}
    items = list(data)
    items[cast(int, head)] = _with(items[cast(int, head)], rest, value)
    return items
