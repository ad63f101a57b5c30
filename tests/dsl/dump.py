"""A deterministic, readable text dump of any dsl dataclass tree (AST or Model), for golden files.

Every dataclass prints as its type name followed by one indented line per field, in declaration
order; spans print as `file:line:col-line:col` with the file relative to a base folder, so the dump
does not depend on the working directory.
"""

from __future__ import annotations

import dataclasses
import enum
import json
import os
from fractions import Fraction

from dsl.source import Span

INDENT = "  "
PATH_FIELDS = ("path", "files")  # file names (Model.path, Model.files, Module.path): shown relative to base


def show_span(span: Span, base: str) -> str:
    file = _relative(span.file, base)
    return f"{file}:{span.line}:{span.column}-{span.end_line}:{span.end_column}"


def _scalar(value: object, base: str) -> str | None:
    """The one-line form of a leaf value, or None if the value needs a block."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | Fraction):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, enum.Enum):  # e.g. an operator: shown as its source text
        return json.dumps(value.value, ensure_ascii=False)
    if isinstance(value, Span):
        return show_span(value, base)
    if isinstance(value, tuple | list):
        items = [_scalar(item, base) for item in value]
        if all(item is not None for item in items):
            return "[" + ", ".join(str(item) for item in items) + "]"
    return None


# Fields only the compiler fills (the model of a pathway that repeats a study): always empty in
# the front end's model, so not dumped when empty.
COMPILER_FIELDS = {("Model", "latest_copies"), ("Decision", "latest")}


def _lines(value: object, base: str, depth: int) -> list[str]:
    pad = INDENT * depth
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = [f"{pad}{type(value).__name__}"]
        for f in dataclasses.fields(value):
            if f.name.startswith("_"):
                continue
            if (type(value).__name__, f.name) in COMPILER_FIELDS and not getattr(value, f.name):
                continue
            out.extend(_field(f.name, getattr(value, f.name), base, depth + 1))
        return out
    if isinstance(value, tuple | list):
        out = []
        for item in value:
            inner = _lines(item, base, depth)
            out.append(f"{pad}- {inner[0].lstrip()}")
            out.extend(inner[1:])
        return out
    scalar = _scalar(value, base)
    if scalar is None:
        raise TypeError(f"cannot dump {type(value).__name__}")
    return [f"{pad}{scalar}"]


def _relative(path: str, base: str) -> str:
    return os.path.relpath(os.path.abspath(path), os.path.abspath(base)).replace(os.sep, "/")


def _field(name: str, value: object, base: str, depth: int) -> list[str]:
    pad = INDENT * depth
    if name in PATH_FIELDS and isinstance(value, str):
        value = _relative(value, base)
    elif name in PATH_FIELDS and isinstance(value, tuple):
        value = tuple(_relative(v, base) for v in value)
    scalar = _scalar(value, base)
    if scalar is not None:
        return [f"{pad}{name}: {scalar}"]
    if isinstance(value, tuple | list):
        return [f"{pad}{name}:", *_lines(value, base, depth + 1)]
    inner = _lines(value, base, depth)
    return [f"{pad}{name}: {inner[0].lstrip()}", *inner[1:]]


def dump(value: object, base: str = ".") -> str:
    """The dump of `value` as text ending in a newline."""
    return "\n".join(_lines(value, base, 0)) + "\n"
