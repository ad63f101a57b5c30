"""Reading spec files: bytes -> text -> AST, following imports.

Every failure becomes a Diagnostic (VP1xx); nothing here raises on bad input.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from dsl import ast
from dsl.codes import (
    BAD_ENCODING,
    BINARY_FILE,
    IMPORT_CYCLE,
    IMPORT_NOT_CATALOGUE,
    IMPORT_NOT_FOUND,
    TOO_LARGE,
    UNREADABLE_FILE,
)
from dsl.diagnostics import Diagnostic, diagnostic
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


_UTF16_32_BOMS = {
    b"\xff\xfe\x00\x00": "UTF-32",
    b"\x00\x00\xfe\xff": "UTF-32",
    b"\xff\xfe": "UTF-16",
    b"\xfe\xff": "UTF-16",
}


def _position(data: bytes, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters, as `decode` counts them) of a byte offset."""
    before = data[:offset].replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    line_start = before.rfind(b"\n") + 1
    return before.count(b"\n") + 1, len(before[line_start:].decode("utf-8", errors="replace")) + 1


def decode(path: str, data: bytes, size: int | None = None) -> tuple[str | None, Diagnostic | None]:
    """The text of a spec file, or why it is not one. `size` is the file's size when `data` was cut short."""
    if len(data) > MAX_BYTES:
        return None, diagnostic(
            TOO_LARGE,
            f"file is {size or len(data):,} bytes; the limit is {MAX_BYTES:,}",
            Span.point(path, 1, 1),
            hint="split the guideline into catalogues and import them",
        )
    for bom, encoding in _UTF16_32_BOMS.items():
        if data.startswith(bom):
            return None, diagnostic(
                BAD_ENCODING,
                f"the file is {encoding} text, not UTF-8",
                Span.point(path, 1, 1),
                hint="save the file as UTF-8",
            )
    data = data.removeprefix(b"\xef\xbb\xbf")  # a UTF-8 byte order mark is allowed, and not text
    if b"\x00" in data:
        line, col = _position(data, data.index(b"\x00"))
        return None, diagnostic(
            BINARY_FILE,
            "file contains NUL bytes: not a text spec",
            Span.point(path, line, col),
            hint="is this a binary file?",
        )
    try:
        # Old Mac line breaks (a lone CR) would make a comment swallow the rest of the file.
        text = data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
    except UnicodeDecodeError as exc:
        line, col = _position(data, exc.start)
        return None, diagnostic(
            BAD_ENCODING,
            f"byte 0x{data[exc.start]:02x} is not valid UTF-8",
            Span.point(path, line, col),
            hint="save the file as UTF-8",
        )
    for lineno, line_text in enumerate(text.split("\n"), start=1):
        for col, ch in enumerate(line_text, start=1):
            if (ord(ch) < 32 and ch not in "\t\r\f\v") or ch == "\x7f":
                return None, diagnostic(
                    BINARY_FILE,
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
            size = os.fstat(fh.fileno()).st_size
    except IsADirectoryError:
        return None, None, [diagnostic(UNREADABLE_FILE, "is a directory, not a file", Span.point(shown, 1, 1))]
    except OSError as exc:
        reason = exc.strerror or str(exc)
        return None, None, [diagnostic(UNREADABLE_FILE, f"cannot read file: {reason}", None, hint=shown)]
    text, problem = decode(shown, data, size)
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
            result.diagnostics.append(diagnostic(IMPORT_CYCLE, f"import cycle: {chain}", importer.path.span))
            return
        if real in done:
            return
        if importer is not None and os.path.isdir(file):
            result.diagnostics.append(
                diagnostic(
                    UNREADABLE_FILE,
                    f"imported path '{importer.path.value}' is a directory, not a file",
                    importer.path.span,
                )
            )
            return
        if importer is not None and not os.path.exists(file):
            result.diagnostics.append(
                diagnostic(
                    IMPORT_NOT_FOUND,
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
                diagnostic(
                    IMPORT_NOT_CATALOGUE,
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
