"""Typed tools: a tool definition from a class, and a ``tool_use.input`` parsed into that class.

A tool's input is declared as an ``msgspec.Struct``, a dataclass or an attrs class (or a
``TypedDict``): anything msgspec can convert and describe with JSON Schema.  msgspec does all
three jobs here, schema, parsing and the error path, so one set of rules decides both what the
model is told and what is accepted (cattrs can structure these classes too, but has no JSON
Schema); field descriptions and bounds come from ``Annotated[..., msgspec.Meta(...)]``.

The schema is a pure function of the class: field order as declared, nested classes under
``$defs`` (sorted by name), sets in a fixed order (not the hash order, which changes with
``PYTHONHASHSEED``), so a tool definition's bytes, and the prompt cache behind them, never change
from run to run.  The generated definition goes through the validator's own check of an
``input_schema`` (:func:`convo._schema.schema_shape_problems`), so convo never makes a tool that
its own ``check`` refuses.
"""

from __future__ import annotations

import dataclasses
import inspect
import math
import re
import typing
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final, Generic, TypeVar, cast, final

import msgspec
import msgspec.inspect as mi

from ._blocks import ToolUseBlock
from ._codec import decode_block, encode_python
from ._errors import ConvoError, InputError, InvalidArgument, pointer
from ._schema import schema_shape_problems

if TYPE_CHECKING:
    from anthropic.types import ToolParam

    from ._conversation import SDKObject

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

    >>> import dataclasses, convo
    >>> @dataclasses.dataclass
    ... class GetWeather:
    ...     city: str
    >>> conv = convo.Conversation().user("Weather?").assistant(
    ...     [convo.ToolUseBlock(id="toolu_1", name="get_weather", input={"city": 3})])
    >>> try:
    ...     convo.tool(GetWeather).parse(conv.pending_tool_uses[0])
    ... except convo.ToolInputError as exc:
    ...     print(exc.path, exc.detail)
    ...     print(conv.tool_results({"toolu_1": exc}).messages[-1].to_json())
    /city Expected `str`, got `int`
    b'{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"get_weather input does not fit its schema at /city: Expected `str`, got `int`","is_error":true}]}'
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

    >>> import dataclasses, convo
    >>> @dataclasses.dataclass
    ... class GetWeather:
    ...     city: str
    >>> weather = convo.tool(GetWeather, description="Current weather in a city.")
    >>> weather.to_json()
    b'{"name":"get_weather","description":"Current weather in a city.","input_schema":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}'
    >>> weather.parse(convo.ToolUseBlock(id="toolu_1", name="get_weather", input={"city": "Paris"}))
    GetWeather(city='Paris')
    """

    __slots__ = ("_description", "_input_schema", "_name", "_type", "_wire")
    _type: type[T]
    _name: str
    _description: str | None
    _input_schema: dict[str, Any]
    _wire: bytes

    def __init__(self, cls: type[T], *, name: str | None = None, description: str | None = None) -> None:
        input_schema = _input_schema(cls)
        name = _snake(cls.__name__) if name is None else name
        if not isinstance(name, str) or not NAME.fullmatch(name):
            raise InvalidArgument(f"a tool name must match ^[a-zA-Z0-9_-]{{1,64}}$, not {name!r}")
        if description is None:
            description = _docstring(cls)
        elif not isinstance(description, str):
            raise InvalidArgument(f"a tool description must be a string, not {type(description).__name__}")
        for _, reason in schema_shape_problems(input_schema):  # the rules convo.check applies
            raise InvalidArgument(f"{cls.__qualname__} cannot be a tool input: {reason}")
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

    def __copy__(self) -> Tool[T]:
        return self  # immutable: a copy could only be the same value

    def __deepcopy__(self, memo: dict[int, Any]) -> Tool[T]:
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle as the class (by reference, as pickle keeps classes), the name and the
        description; unpickling defines the tool again."""
        return (_rebuild, (self._type, self._name, self._description or ""))

    def definition(self) -> ToolParam:
        """The tool definition for ``tools=[...]``: ``name``, ``description``, ``input_schema``
        (typed as the SDK's ``ToolParam``, so it goes to ``client.messages.create`` as it is)."""
        return cast("ToolParam", msgspec.json.decode(self._wire))

    def to_json(self) -> bytes:
        """The definition's JSON bytes (always the same for the same class)."""
        return self._wire

    def parse(self, call: ToolUseBlock | SDKObject | Mapping[str, Any] | bytes | str) -> T:
        """The input of a call as a ``T``: a tool_use block (convo's or the SDK's), its ``input``
        dict, or JSON.

        Raises :class:`convo.ToolInputError` with a JSON Pointer to the field that does not
        fit, and :class:`convo.InvalidArgument` for a tool_use block that calls another tool.
        """
        tool_use_id = None
        data: Any
        if not isinstance(call, ToolUseBlock | Mapping | bytes | str) and callable(
            getattr(call, "model_dump", None)
        ):
            call = _sdk_block(call)
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

    ``cls`` is an ``msgspec.Struct``, a dataclass, an attrs class or a ``TypedDict``.  ``name``
    defaults to the class name in snake_case, ``description`` (a string) to its docstring.
    Anything else, and a class whose fields the API would refuse, is a
    :class:`convo.InvalidArgument`.

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


def _rebuild(cls: type[T], name: str, description: str) -> Tool[T]:
    return Tool(cls, name=name, description=description)


def _sdk_block(call: object) -> ToolUseBlock:
    """An SDK (pydantic) tool_use block read as ``from_wire`` reads it, with ``model_dump``."""
    try:
        block = decode_block(msgspec.json.decode(encode_python(call)), (), lambda problem: None)
    except InputError:
        block = None
    if not isinstance(block, ToolUseBlock):
        raise InvalidArgument(f"parse takes a tool_use block, a mapping or JSON, not {type(call).__name__}")
    return block


# -- the schema -----------------------------------------------------------------------------------


_CLASS_TYPES: Final = (mi.StructType, mi.DataclassType, mi.TypedDictType)


def _input_schema(cls: object) -> dict[str, Any]:
    """The JSON Schema of ``cls``: msgspec's, with ``cls`` itself at the top (the API wants
    ``"type": "object"`` there) and the other classes it reaches under ``$defs``, sorted by name;
    each class described by its docstring, and no set in hash order."""
    try:
        info = mi.type_info(cls)
    except (TypeError, ValueError, NameError) as exc:  # NameError: an annotation that does not resolve
        raise InvalidArgument(f"cannot describe {cls!r} as a tool input: {exc}") from None
    if not isinstance(info, _CLASS_TYPES) or getattr(info, "array_like", False):
        raise InvalidArgument(
            f"a tool input must be an object type (a Struct, dataclass, attrs class, TypedDict), not {cls!r}"
        )
    types = _class_types(info)
    try:
        _refuse_sets_in_meta(types)
        refs, defs = msgspec.json.schema_components([t.cls for t in types])
        names = [ref["$ref"].removeprefix("#/$defs/") for ref in refs]  # each class's name in $defs
        for t, name in zip(types, names, strict=True):
            defs[name] = _described(_with_defaults(defs[name], t), t.cls)
        defs = _stable(defs)  # and the sets Meta(examples=...) holds
    except InvalidArgument:
        raise
    except (TypeError, ValueError, NameError) as exc:
        raise InvalidArgument(f"cannot describe {cls!r} as a tool input: {exc}") from None
    input_schema = {k: v for k, v in defs[names[0]].items() if k not in ("title", "description")}
    if not any(_refers(sub, refs[0]["$ref"]) for sub in defs.values()):
        del defs[names[0]]  # inlined at the top; a recursive root stays addressable
    if defs:
        input_schema["$defs"] = dict(sorted(defs.items()))
    return input_schema


def _class_types(info: mi.Type) -> list[Any]:
    """``info`` and the type of every class (Struct, dataclass, attrs class, TypedDict) it
    reaches, once each, ``info`` first."""
    found: dict[Any, Any] = {}
    seen: set[int] = set()

    def walk(node: object) -> None:
        if id(node) in seen:
            return
        seen.add(id(node))
        if hasattr(node, "cls") and hasattr(node, "fields"):
            found.setdefault(node.cls, node)
        for field in getattr(node, "__struct_fields__", ()):
            value = getattr(node, field)
            for item in value if isinstance(value, tuple) else (value,):
                if isinstance(item, mi.Type | mi.Field):
                    walk(item)

    walk(info)
    return list(found.values())


def _refuse_sets_in_meta(types: list[Any]) -> None:
    """Raise InvalidArgument for a set in a ``Meta(extra_json_schema=...)`` of these classes'
    fields: msgspec makes it a list, in hash order, before convo sees it."""
    for t in types:
        hints = list(typing.get_type_hints(getattr(t.cls, "__origin__", t.cls), include_extras=True).items())
        while hints:
            field, hint = hints.pop()
            for meta in getattr(hint, "__metadata__", ()):
                if isinstance(meta, msgspec.Meta) and _has_set(meta.extra_json_schema):
                    raise InvalidArgument(
                        f"the Meta(extra_json_schema=...) of {t.cls.__qualname__}.{field} holds a set, which"
                        " msgspec writes in hash order (it changes from run to run): give a list or tuple"
                    )
            hints.extend((field, arg) for arg in typing.get_args(hint))


def _has_set(value: object) -> bool:
    if isinstance(value, set | frozenset):
        return True
    if isinstance(value, dict):
        return any(map(_has_set, value.values()))
    return isinstance(value, list | tuple) and any(map(_has_set, value))


def _with_defaults(schema: dict[str, Any], info: Any) -> dict[str, Any]:
    """A class's schema with each field's default as JSON data, its sets in a fixed order
    (msgspec writes them in hash order), left out if JSON cannot hold it (NaN, infinity)."""
    properties = schema.get("properties")
    if not isinstance(properties, dict):  # an array-like Struct or a NamedTuple: fields by position
        items = schema.get("prefixItems", [])
        properties = dict(
            zip([f.encode_name for f in info.fields], items[len(items) - len(info.fields) :], strict=True)
        )
    for field in info.fields:
        if field.default is not msgspec.NODEFAULT:
            sub = properties[field.encode_name]
            sub.pop("default", None)
            default = msgspec.to_builtins(_stable(field.default), str_keys=True)
            if _finite(default):  # JSON has no NaN or infinity (msgspec writes null): left out
                sub["default"] = default
    return schema


def _stable(value: Any) -> Any:
    """``value`` with every set (and frozenset) as a list of its items sorted by their JSON: the
    same in every process, where the hash order changes with ``PYTHONHASHSEED``.  Dicts and
    lists keep their order; other objects (a Struct default) become JSON data with their dicts
    sorted too."""
    if isinstance(value, set | frozenset):
        return sorted((_stable(item) for item in value), key=msgspec.json.encode)
    if isinstance(value, dict):
        return {key: _stable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_stable(item) for item in value]
    return msgspec.to_builtins(value, str_keys=True, order="deterministic")


def _finite(data: Any) -> bool:
    if isinstance(data, float):
        return math.isfinite(data)
    if isinstance(data, dict):
        return all(map(_finite, data.values()))
    return not isinstance(data, list) or all(map(_finite, data))


def _described(schema: dict[str, Any], cls: Any) -> dict[str, Any]:
    """A class's schema described by :func:`_docstring` (msgspec reads docstrings its own way)."""
    described = {k: v for k, v in schema.items() if k == "title"}
    doc = _docstring(cls)
    if doc:
        described["description"] = doc
    described.update((k, v) for k, v in schema.items() if k not in ("title", "description"))
    return described


def _refers(node: Any, ref: str) -> bool:
    if isinstance(node, dict):
        return node.get("$ref") == ref or any(_refers(v, ref) for v in node.values())
    if isinstance(node, list):
        return any(_refers(v, ref) for v in node)
    return False


def _docstring(cls: Any) -> str | None:
    cls = getattr(cls, "__origin__", cls)  # a generic class, Box[int]
    doc = cls.__doc__
    if not doc or doc == _generated_doc(cls):
        return None
    return inspect.cleandoc(doc)


def _generated_doc(cls: type) -> str | None:
    """The docstring ``dataclasses`` (or ``namedtuple``) gives a class that has none: its name
    and signature."""
    if isinstance(cls, type) and issubclass(cls, tuple) and hasattr(cls, "_fields"):
        return f"{cls.__name__}({', '.join(cls._fields)}{',' if len(cls._fields) == 1 else ''})"
    if not dataclasses.is_dataclass(cls):
        return None
    try:
        return cls.__name__ + str(inspect.signature(cls)).replace(" -> None", "")
    except (TypeError, ValueError, NameError):
        return cls.__name__


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
