"""Source files and spans: where every AST node and diagnostic points."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

_T = TypeVar("_T")


def direct_init(cls: type[_T]) -> type[_T]:
    """Give a frozen, slotted, keyword-only dataclass an `__init__` that stores each field through
    its slot instead of `object.__setattr__` (what dataclasses generates for frozen classes).

    Same signature, same defaults, same object; about a third less time per node, which counts
    when a large table makes a million of them. A class it cannot treat so (a field with a
    default factory or outside `__init__`, positional fields or none, `__post_init__`) is left as it is.
    """
    params = getattr(cls, "__dataclass_params__", None)
    fields = dataclasses.fields(cls)  # type: ignore[arg-type]
    if (
        params is None
        or not fields
        or not params.frozen
        or "__slots__" not in cls.__dict__
        or hasattr(cls, "__post_init__")
        or any(not f.init or not f.kw_only or f.default_factory is not dataclasses.MISSING for f in fields)
    ):
        return cls
    cls.__init__ = slot_init(cls, fields)  # type: ignore[method-assign]
    return cls


def slot_init(cls: type, fields: tuple[dataclasses.Field[Any], ...]) -> Callable[..., None]:
    """An `__init__` for `cls` taking `fields` by keyword (with their defaults) and storing each through its slot."""
    env: dict[str, Any] = {}
    args, body = [], []
    for i, f in enumerate(fields):
        slot = next(k.__dict__[f.name] for k in cls.__mro__ if f.name in k.__dict__)
        env[f"_set{i}"] = slot.__set__
        if f.default is dataclasses.MISSING:
            args.append(f.name)
        else:
            env[f"_default{i}"] = f.default
            args.append(f"{f.name}=_default{i}")
        body.append(f"    _set{i}(self, {f.name})")
    source = f"def __init__(self, *, {', '.join(args)}):\n" + "\n".join(body)
    exec(source, env)  # the generated text names only the fields; no value is pasted into it
    init: Callable[..., None] = env["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__module__ = cls.__module__
    return init


def direct_init_all(namespace: Mapping[str, object]) -> None:
    """`direct_init` for every dataclass a module defines (call it at the module's end with globals())."""
    module = namespace.get("__name__")
    for value in list(namespace.values()):
        if isinstance(value, type) and value.__module__ == module and dataclasses.is_dataclass(value):
            direct_init(value)


@dataclass(frozen=True, slots=True, kw_only=True, order=True)
class Span:
    """A region of a source file; lines and columns are 1-based, the end column exclusive."""

    file: str
    line: int
    column: int
    end_line: int
    end_column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"

    @staticmethod
    def point(file: str, line: int, column: int, width: int = 1) -> Span:
        return Span(file=file, line=line, column=column, end_line=line, end_column=column + width)

    def to_json(self) -> dict[str, object]:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
        }


direct_init(Span)


@dataclass(frozen=True, slots=True)
class SourceFile:
    """The decoded text of one file, kept so renderers can show the offending line."""

    path: str
    text: str

    def line_text(self, line: int) -> str:
        lines = self.text.split("\n")  # the lexer counts only newlines
        if 1 <= line <= len(lines):
            return lines[line - 1]
        return ""


def maker(cls: type[_T]) -> Callable[..., _T]:
    """A constructor taking the fields of a frozen, slotted dataclass positionally, in field order,
    that stores them through the slots: what the parser calls for its most frequent nodes."""
    env: dict[str, Any] = {"_new": object.__new__, "_cls": cls}
    names = [f.name for f in dataclasses.fields(cls)]  # type: ignore[arg-type]
    body = []
    for i, name in enumerate(names):
        env[f"_set{i}"] = next(k.__dict__[name] for k in cls.__mro__ if name in k.__dict__).__set__
        body.append(f"    _set{i}(node, {name})")
    exec(f"def make({', '.join(names)}):\n    node = _new(_cls)\n" + "\n".join(body) + "\n    return node", env)
    make: Callable[..., _T] = env["make"]
    make.__qualname__ = make.__name__ = f"make_{cls.__name__.lower()}"
    return make


make_span = maker(Span)
"""`Span(file=..., line=..., column=..., end_line=..., end_column=...)`, positionally and faster."""
