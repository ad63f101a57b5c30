"""Reading spec files: bytes -> text -> AST, following imports.

Every failure becomes a Diagnostic (VP1xx); nothing here raises on bad input.

Only regular files are read (a FIFO or a device named `*.vp` is reported, never opened for
a blocking read). Imports are confined to the *import roots*: the folder of the spec being
read, plus any extra roots the caller allows (`read_guideline(..., extra_roots=...)`); an
import that resolves (after symbolic links) outside every root is reported without being
opened. Memory is bounded by the limits below (see docs/language.md, "Limits").
"""

from __future__ import annotations

import errno
import os
import re
import stat
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from dsl import ast
from dsl.codes import (
    BAD_ENCODING,
    BINARY_FILE,
    IMPORT_CYCLE,
    IMPORT_LIMIT,
    IMPORT_NOT_CATALOGUE,
    IMPORT_NOT_FOUND,
    IMPORT_OUTSIDE_ROOT,
    TOO_LARGE,
    UNREADABLE_FILE,
    Code,
)
from dsl.diagnostics import Diagnostic, error
from dsl.parser import parse_text
from dsl.source import SourceFile, Span

MAX_BYTES = 32 * 1024 * 1024
"""The largest spec file read, in bytes (a 50,000-rule decision table is about 12 MB)."""
MAX_TOTAL_BYTES = 32 * 1024 * 1024
"""The most bytes read for one guideline: the file and everything it imports, together."""
MAX_FILES = 1000
"""The most files one guideline may consist of: the file and everything it imports."""
MAX_IMPORT_DEPTH = 50
"""The longest chain of imports (a imports b imports c ...), the spec itself not counted."""


@dataclass
class ReadResult:
    """The modules of one guideline (the root first, then its imports in load order)."""

    modules: list[ast.Module] = field(default_factory=list)
    sources: dict[str, SourceFile] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    # module path -> the paths of the modules it imports (as `ast.Module.path` shows them), in order
    imports: dict[str, list[str]] = field(default_factory=dict)
    parse_seconds: float = 0.0  # of the time reading took, the time spent parsing (the benchmarks' stages)

    def release_syntax(self) -> None:
        """Let go of the syntax trees (`modules`) once the Model is built from them: the Model and
        every diagnostic point into the source through spans only, and a large table's tree is
        most of what the front end holds (docs/language.md, "Limits")."""
        self.modules = []


def display_path(path: str) -> str:
    """The path as diagnostics show it: relative to the working directory when inside it."""
    if not path:
        return path
    rel = os.path.relpath(path)
    return path if rel.startswith("..") else rel


def not_regular(mode: int) -> str | None:
    """What a file of this mode is when it is not a regular file ('a FIFO', ...); None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def special_file(path: str) -> str | None:
    """For folder discovery: what `path` is if it exists but is not a regular file or a folder, else None.

    Never opens the file, so a FIFO cannot block the caller.
    """
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None  # reported when it is read
    kind = not_regular(mode)
    return None if kind == "a directory" else kind


def is_missing(path: str) -> bool:
    """Whether nothing exists at `path` (unlike os.path.exists, False for a symlink loop or a path
    that cannot be searched: those exist, and reading them says why they cannot be read)."""
    try:
        os.stat(path)
    except FileNotFoundError:
        return True
    except OSError:
        return False
    return False


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


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
        return None, error(
            TOO_LARGE,
            f"file is {size or len(data):,} bytes; the limit is {MAX_BYTES:,}",
            Span.point(path, 1, 1),
            hint="split the guideline into catalogues and import them",
        )
    for bom, encoding in _UTF16_32_BOMS.items():
        if data.startswith(bom):
            return None, error(
                BAD_ENCODING,
                f"the file is {encoding} text, not UTF-8",
                Span.point(path, 1, 1),
                hint="save the file as UTF-8",
            )
    data = data.removeprefix(b"\xef\xbb\xbf")  # a UTF-8 byte order mark is allowed, and not text
    if b"\x00" in data:
        line, col = _position(data, data.index(b"\x00"))
        return None, error(
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
        return None, error(
            BAD_ENCODING,
            f"byte 0x{data[exc.start]:02x} is not valid UTF-8",
            Span.point(path, line, col),
            hint="save the file as UTF-8",
        )
    control = _CONTROL.search(text)
    if control is not None:
        offset = control.start()
        ch = text[offset]
        return None, error(
            BINARY_FILE,
            f"control character U+{ord(ch):04X} in file",
            Span.point(path, text.count("\n", 0, offset) + 1, offset - text.rfind("\n", 0, offset)),
            hint="is this a binary file?",
        )
    return text, None


# Control characters a text spec never holds (tab, line feed, vertical tab and form feed are text).
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def _read_bytes(path: str, limit: int) -> tuple[bytes, int]:
    """At most `limit + 1` bytes of a regular file, and its size; raises OSError, or ValueError naming
    what the path is when it is not a regular file (never blocking on a FIFO)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    try:
        info = os.fstat(fd)
        kind = not_regular(info.st_mode)
        if kind is not None:
            raise ValueError(kind)
        with os.fdopen(fd, "rb", closefd=False) as fh:
            return fh.read(limit + 1), info.st_size
    finally:
        os.close(fd)


def read_file(
    path: str, at: Span | None = None, *, limit: int = MAX_BYTES
) -> tuple[SourceFile | None, ast.Module | None, list[Diagnostic]]:
    """Read and parse one file. `at` is where a problem opening it is reported (the import that names it);
    `limit` is the most bytes it may have (never more than MAX_BYTES)."""
    source, problems = load_file(path, at, limit=limit)
    if source is None:
        return None, None, problems
    module, diags = parse_text(source.path, source.text)
    return source, module, diags


def load_file(
    path: str, at: Span | None = None, *, limit: int = MAX_BYTES
) -> tuple[SourceFile | None, list[Diagnostic]]:
    """Read and decode one file (`read_file` without the parse)."""
    shown = display_path(path)
    limit = max(0, min(limit, MAX_BYTES))
    try:
        data, size = _read_bytes(path, limit)
    except ValueError as exc:
        kind = str(exc)
        message = "is a directory, not a file" if kind == "a directory" else f"is {kind}, not a regular file"
        return None, [error(UNREADABLE_FILE, message, at or Span.point(shown, 1, 1))]
    except IsADirectoryError:
        return None, [error(UNREADABLE_FILE, "is a directory, not a file", at or Span.point(shown, 1, 1))]
    except OSError as exc:
        hint = None if at is not None else shown
        return None, [error(UNREADABLE_FILE, f"cannot read file: {_reason(exc)}", at, hint=hint)]
    if len(data) > limit and limit < MAX_BYTES:
        return None, [_total_too_large(at or Span.point(shown, 1, 1))]
    text, problem = decode(shown, data, size)
    if text is None:
        assert problem is not None
        return None, [problem]
    return SourceFile(shown, text), []


def _total_too_large(at: Span) -> Diagnostic:
    return error(
        IMPORT_LIMIT,
        f"the guideline and its imports exceed {MAX_TOTAL_BYTES:,} bytes together",
        at,
        hint="a guideline with its imports is read into memory at once; split it into separate guidelines",
    )


def _inside(real: str, roots: Sequence[str]) -> bool:
    return any(os.path.commonpath([real, root]) == root for root in roots)


def import_roots(path: str, extra_roots: Sequence[str] = ()) -> list[str]:
    """The folders (resolved) that the imports of the spec at `path` may read from:
    the spec's own folder, then `extra_roots`."""
    folder = os.path.dirname(os.path.abspath(path))
    roots = [os.path.realpath(folder)]
    for extra in extra_roots:
        real = os.path.realpath(extra)
        if real not in roots:
            roots.append(real)
    return roots


def read_guideline(path: str, *, extra_roots: Sequence[str] = ()) -> ReadResult:
    """Read a file and, depth first, every catalogue it imports (each file once).

    Imports may only name files inside the spec's folder tree or inside one of `extra_roots`
    (both after resolving symbolic links); anything else is reported (VP113) and not opened.
    """
    result = ReadResult()
    roots = import_roots(path, extra_roots)
    visiting: list[str] = []
    done: set[str] = set()
    shown_as: dict[str, str] = {}  # real path -> the path of the module read from it
    budget = [MAX_TOTAL_BYTES]  # bytes left for this guideline
    files = [0]

    def problem(code: Code, message: str, span: Span | None, hint: str | None = None) -> None:
        result.diagnostics.append(error(code, message, span, hint=hint))

    def check_import(file: str, decl: ast.ImportDecl) -> bool:
        """Whether the imported file may be read; reports why not, without opening it."""
        named = decl.path.value
        span = decl.path.span
        if not named.strip():
            problem(
                IMPORT_NOT_FOUND, "the import names no file (the path is empty)", span, 'write: import "catalogue.vp"'
            )
            return False
        real = os.path.realpath(file)
        if not _inside(real, roots):
            shown_roots = ", ".join(display_path(r) or "." for r in roots)
            problem(
                IMPORT_OUTSIDE_ROOT,
                f"import '{named}' is outside the spec's folder tree; imports may only read files under: {shown_roots}",
                span,
                "move the catalogue beside the spec, or allow its folder as an extra import root",
            )
            return False
        try:
            mode = os.stat(file).st_mode
        except OSError as exc:
            if exc.errno == errno.ENOENT or (exc.errno == errno.ENOTDIR and not os.path.lexists(file)):
                problem(
                    IMPORT_NOT_FOUND,
                    f"imported file '{named}' does not exist",
                    span,
                    f"paths are relative to the importing file; looked for {display_path(file)}",
                )
            elif exc.errno == errno.ELOOP:
                problem(UNREADABLE_FILE, f"cannot read imported file '{named}': a loop of symbolic links", span)
            else:
                problem(UNREADABLE_FILE, f"cannot read imported file '{named}': {_reason(exc)}", span)
            return False
        kind = not_regular(mode)
        if kind == "a directory":
            problem(UNREADABLE_FILE, f"imported path '{named}' is a directory, not a file", span)
            return False
        if kind is not None:
            problem(UNREADABLE_FILE, f"imported path '{named}' is {kind}, not a regular file", span)
            return False
        return True

    def visit(file: str, importer: ast.ImportDecl | None) -> None:
        if importer is not None and not check_import(file, importer):
            return
        real = os.path.realpath(file)
        if real in visiting:
            assert importer is not None
            chain = " -> ".join(display_path(p) for p in [*visiting[visiting.index(real) :], real])
            result.diagnostics.append(error(IMPORT_CYCLE, f"import cycle: {chain}", importer.path.span))
            return
        if real in done:
            return
        at = importer.path.span if importer is not None else None
        if importer is not None:
            if len(visiting) > MAX_IMPORT_DEPTH:
                problem(
                    IMPORT_LIMIT,
                    f"imports are nested more than {MAX_IMPORT_DEPTH} files deep",
                    at,
                    "import the catalogues from fewer levels (a catalogue may import several)",
                )
                return
            if files[0] >= MAX_FILES:
                problem(
                    IMPORT_LIMIT,
                    f"the guideline and its imports are more than {MAX_FILES} files",
                    at,
                    "merge small catalogues",
                )
                return
        files[0] += 1
        source, diags = load_file(file, at, limit=budget[0])
        module = None
        if source is not None:
            t0 = time.perf_counter()
            module, diags = parse_text(source.path, source.text)
            result.parse_seconds += time.perf_counter() - t0
        result.diagnostics.extend(diags)
        if source is not None:
            result.sources[source.path] = source
            budget[0] -= len(source.text.encode("utf-8"))
        if module is None:
            done.add(real)
            return
        if importer is not None and module.header.kind != "catalogue":
            result.diagnostics.append(
                error(
                    IMPORT_NOT_CATALOGUE,
                    f"'{importer.path.value}' is a guideline; only catalogues can be imported",
                    importer.path.span,
                    hint="move the shared declarations into a 'catalogue' file",
                )
            )
            done.add(real)
            return
        result.modules.append(module)
        shown_as[real] = module.path
        visiting.append(real)
        base = os.path.dirname(file)
        imported = result.imports.setdefault(module.path, [])
        for decl in module.decls:
            if isinstance(decl, ast.ImportDecl):
                child = os.path.join(base, decl.path.value)
                visit(child, decl)
                shown = shown_as.get(os.path.realpath(child))
                if shown is not None and shown not in imported:
                    imported.append(shown)
        visiting.pop()
        done.add(real)

    visit(path, None)
    return result
