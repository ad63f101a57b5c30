"""Source files and spans: where every AST node and diagnostic points."""

from __future__ import annotations

from dataclasses import dataclass


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
