"""A small writer for generated source text: `line()` and an `indent()` context manager.

Exporters build files line by line through a `CodeWriter`; nothing from a spec is ever
pasted into generated code. Text from a spec reaches Python source only as a literal
made by `literal()` (`repr()` of a `str`, `Fraction`, `int`, `bool`, `None` or a tuple
of those) and as an identifier checked by `identifier()`. Both refuse anything else, so
a name, title or note can never change the structure of a generated file.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Iterator
from contextlib import contextmanager
from fractions import Fraction

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")

Literal = str | int | bool | Fraction | None | tuple["Literal", ...]


class UnsafeName(ValueError):
    """A name from a spec is not a plain ASCII Python identifier."""


def identifier(name: str) -> str:
    """`name` itself if it is a plain ASCII identifier and not a keyword, else UnsafeName."""
    if not _IDENT.match(name) or keyword.iskeyword(name) or keyword.issoftkeyword(name):
        raise UnsafeName(f"{name!r} is not usable as a Python identifier")
    return name


def literal(value: Literal) -> str:
    """A Python expression that evaluates to `value` (exact for Fractions)."""
    if value is None or isinstance(value, bool | int):
        return repr(value)
    if isinstance(value, str):
        # repr() escapes quotes, backslashes, newlines and every non-printable character
        # (bidi controls included), so the literal is one line and closes where it should.
        text = repr(value)
        return text if text.isascii() else ascii(value)
    if isinstance(value, Fraction):
        if value.denominator == 1:
            return repr(value.numerator)
        return f"Fraction({value.numerator}, {value.denominator})"
    if isinstance(value, tuple):
        if len(value) == 1:
            return f"({literal(value[0])},)"
        return "(" + ", ".join(literal(v) for v in value) + ")"
    raise TypeError(f"no literal for {type(value).__name__}")


def comment(text: str) -> str:
    """A one-line comment body: only printable ASCII, no line breaks (anything else escaped)."""
    return ascii(text)[1:-1]


class CodeWriter:
    """Collects lines with the current indentation; `text()` joins them with a final newline."""

    def __init__(self, unit: str = "    ") -> None:
        self._lines: list[str] = []
        self._depth = 0
        self._unit = unit

    def line(self, text: str = "") -> None:
        if "\n" in text or "\r" in text:
            raise ValueError("a generated line may not contain a line break")
        self._lines.append(self._unit * self._depth + text if text else "")

    @contextmanager
    def indent(self, header: str | None = None) -> Iterator[None]:
        """Indent the lines written inside the block (after `header`, if given)."""
        if header is not None:
            self.line(header)
        self._depth += 1
        try:
            yield
        finally:
            self._depth -= 1

    def blank(self) -> None:
        if self._lines and self._lines[-1] != "":
            self._lines.append("")

    def text(self) -> str:
        while self._lines and self._lines[-1] == "":
            self._lines.pop()
        return "\n".join(self._lines) + "\n"
