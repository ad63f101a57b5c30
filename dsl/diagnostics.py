"""One Diagnostic type for every stage: syntax, semantics, verification and export."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from dsl.codes import CODES
from dsl.evidence import Counterexample, Evidence
from dsl.source import Span


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"


@dataclass(frozen=True, slots=True, kw_only=True)
class Note:
    """A secondary message, optionally pointing at another place in the source."""

    message: str
    span: Span | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Diagnostic:
    code: str
    severity: Severity
    message: str
    span: Span | None
    hint: str | None = None
    notes: tuple[Note, ...] = ()
    # What a verification finding carries: check id, verdict, counterexample, solver reason.
    evidence: Evidence | None = field(default=None, hash=False, compare=False)

    def __post_init__(self) -> None:
        if self.code not in CODES:
            raise ValueError(f"unregistered diagnostic code {self.code}")

    @property
    def counterexample(self) -> Counterexample | None:
        return self.evidence.counterexample if self.evidence is not None else None

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def sort_key(self) -> tuple[str, int, int, str, str]:
        if self.span is None:
            return ("", 0, 0, self.code, self.message)
        return (self.span.file, self.span.line, self.span.column, self.code, self.message)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message,
            "location": self.span.to_json() if self.span else None,
        }
        if self.hint:
            out["hint"] = self.hint
        if self.notes:
            out["notes"] = [
                {"message": n.message, "location": n.span.to_json() if n.span else None} for n in self.notes
            ]
        if self.evidence is not None:
            out["data"] = self.evidence.to_json()
        return out


def error(code: str, message: str, span: Span | None, hint: str | None = None, **kw: Any) -> Diagnostic:
    return Diagnostic(code=code, severity=Severity.ERROR, message=message, span=span, hint=hint, **kw)


def warning(code: str, message: str, span: Span | None, hint: str | None = None, **kw: Any) -> Diagnostic:
    return Diagnostic(code=code, severity=Severity.WARNING, message=message, span=span, hint=hint, **kw)


class VeripathError(Exception):
    """Root of internal failures that the CLI reports as 'internal error' (exit 3)."""


def did_you_mean(name: str, candidates: list[str] | tuple[str, ...]) -> str | None:
    """A 'did you mean' hint for a misspelt name, or None when nothing is close."""
    import difflib

    close = difflib.get_close_matches(name, sorted(set(candidates)), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else None
