"""Helpers shared by the front-end tests: data folders, golden comparison, inline expectations."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from dsl.codes import CODES
from dsl.diagnostics import Diagnostic
from dsl.source import Span

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
SPECS = ROOT / "specs"


def cases(folder: Path, pattern: str = "*.vp") -> list[Path]:
    """The files of a data folder (not its subfolders), sorted, for parametrize."""
    return sorted(folder.glob(pattern))


def case_id(path: Path) -> str:
    return path.stem


def check_golden(actual: str, expected_file: Path, update: bool) -> None:
    """Compare `actual` with a golden file, or rewrite the file under --update-golden."""
    if update:
        expected_file.write_text(actual, encoding="utf-8", newline="\n")
        return
    if not expected_file.exists():
        pytest.fail(f"{expected_file} is missing; run pytest with --update-golden to create it")
    expected = expected_file.read_text(encoding="utf-8")
    assert actual == expected, f"output differs from {expected_file.name} (run with --update-golden to accept)"


# -- inline expectations ----------------------------------------------------------------
# '# expect: VP203 12:15: message'         the diagnostic is in this file
# '# expect: VP111 lib/b.vp:2:8: message'  in another file, relative to this one
_EXPECT = re.compile(
    r"#\s*expect:\s*(?P<code>VP\d{3})\s+(?:(?P<file>[^\s:]+):)?(?P<line>\d+):(?P<col>\d+)(?::\s*(?P<msg>.*\S))?"
)


@dataclass(frozen=True, order=True)
class Expected:
    file: str  # resolved absolute path
    line: int
    column: int
    code: str
    message: str | None


def expectations(path: Path) -> list[Expected]:
    """The '# expect:' comments of a file (read as bytes: the file need not be valid UTF-8)."""
    text = path.read_bytes().decode("utf-8", errors="replace")
    out = []
    for m in _EXPECT.finditer(text):
        file = (path.parent / m["file"]).resolve() if m["file"] else path.resolve()
        out.append(Expected(str(file), int(m["line"]), int(m["col"]), m["code"], m["msg"]))
    return sorted(out)


def found(diagnostic: Diagnostic) -> Expected:
    span = diagnostic.span
    assert span is not None, f"diagnostic without a position: {diagnostic}"
    return Expected(str(Path(span.file).resolve()), span.line, span.column, diagnostic.code.code, diagnostic.message)


def text_lines(text: str) -> list[str]:
    """Lines as the lexer counts them: split on newline only."""
    return text.split("\n")


def span_inside(span: Span, text: str) -> bool:
    """Whether a diagnostic's span points at a real place in `text` (or just past a line's end)."""
    lines = text_lines(text)
    if not 1 <= span.line <= len(lines):
        return False
    return 1 <= span.column <= len(lines[span.line - 1]) + 1


def registered(code: str) -> bool:
    return code in CODES
