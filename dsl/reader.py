"""Reading spec files: bytes -> text -> AST, following imports.

Every failure becomes a Diagnostic (VP1xx); nothing here raises on bad input.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from dsl import ast
from dsl.diagnostics import Diagnostic, error
from dsl.parser import MAX_BYTES, parse_text
from dsl.source import SourceFile, Span


@dataclass
class ReadResult:
    """The modules of one guideline (the root first, then its imports in load order)."""

    modules: list[ast.Module] = field(default_factory=list)
    sources: dict[str, SourceFile] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)


def display_path(path: str) -> str:
    """The path as diagnostics show it: relative to the working directory when inside it."""
    rel = os.path.relpath(path)
    return path if rel.startswith("..") else rel


def decode(path: str, data: bytes) -> tuple[str | None, Diagnostic | None]:
    if len(data) > MAX_BYTES:
        return None, error(
            "VP105",
            f"file is {len(data):,} bytes; the limit is {MAX_BYTES:,}",
            Span.point(path, 1, 1),
            hint="split the guideline into catalogues and import them",
        )
    if b"\x00" in data:
        offset = data.index(b"\x00")
        line = data.count(b"\n", 0, offset) + 1
        col = offset - (data.rfind(b"\n", 0, offset) + 1) + 1
        return None, error(
            "VP106",
            "file contains NUL bytes: not a text spec",
            Span.point(path, line, col),
            hint="is this a binary file?",
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, error(
            "VP101",
            f"byte 0x{data[exc.start]:02x} is not valid UTF-8",
            Span.point(path, line, col),
            hint="save the file as UTF-8",
        )
    for lineno, line_text in enumerate(text.splitlines(), start=1):
        for col, ch in enumerate(line_text, start=1):
            if (ord(ch) < 32 and ch not in "\t\r\f\v") or ch == "\x7f":
                return None, error(
                    "VP106",
                    f"control character U+{ord(ch):04X} in file",
                    Span.point(path, lineno, col),
                    hint="is this a binary file?",
                )
    return text, None


def read_file(path: str) -> tuple[SourceFile | None, ast.Module | None, list[Diagnostic]]:
    shown = display_path(path)
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except IsADirectoryError:
        return None, None, [error("VP100", "is a directory, not a file", Span.point(shown, 1, 1))]
    except OSError as exc:
        reason = exc.strerror or str(exc)
        return None, None, [error("VP100", f"cannot read file: {reason}", None, hint=shown)]
    text, problem = decode(shown, data)
    if text is None:
        assert problem is not None
        return None, None, [problem]
    source = SourceFile(shown, text)
    module, diags = parse_text(shown, text)
    return source, module, diags


def read_guideline(path: str) -> ReadResult:
    """Read a file and, depth first, every catalogue it imports (each file once)."""
    result = ReadResult()
    visiting: list[str] = []
    done: set[str] = set()

    def visit(file: str, importer: ast.ImportDecl | None) -> None:
        real = os.path.realpath(file)
        if real in visiting:
            assert importer is not None
            chain = " -> ".join(display_path(p) for p in [*visiting[visiting.index(real) :], real])
            result.diagnostics.append(error("VP111", f"import cycle: {chain}", importer.path.span))
            return
        if real in done:
            return
        if importer is not None and not os.path.exists(file):
            result.diagnostics.append(
                error(
                    "VP110",
                    f"imported file '{importer.path.value}' does not exist",
                    importer.path.span,
                    hint=f"paths are relative to the importing file; looked for {display_path(file)}",
                )
            )
            return
        source, module, diags = read_file(file)
        result.diagnostics.extend(diags)
        if source is not None:
            result.sources[source.path] = source
        if module is None:
            done.add(real)
            return
        if importer is not None and module.header.kind != "catalogue":
            result.diagnostics.append(
                error(
                    "VP112",
                    f"'{importer.path.value}' is a guideline; only catalogues can be imported",
                    importer.path.span,
                    hint="move the shared declarations into a 'catalogue' file",
                )
            )
            done.add(real)
            return
        result.modules.append(module)
        visiting.append(real)
        base = os.path.dirname(file)
        for decl in module.decls:
            if isinstance(decl, ast.ImportDecl):
                visit(os.path.join(base, decl.path.value), decl)
        visiting.pop()
        done.add(real)

    visit(path, None)
    return result
