"""One Diagnostic type for every stage: syntax, semantics, verification and export."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from dsl.codes import CODES, Code, Severity
from dsl.evidence import Counterexample, Evidence
from dsl.frozen import node
from dsl.source import Span

__all__ = ["Diagnostic", "Note", "Severity", "VeripathError", "diagnostic", "did_you_mean", "error", "warning"]


@node
class Note:
    """A secondary message, optionally pointing at another place in the source."""

    message: str
    span: Span | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Diagnostic:
    code: Code
    severity: Severity
    message: str
    span: Span | None
    hint: str | None = None
    notes: tuple[Note, ...] = ()
    # What a verification finding carries: check id, verdict, counterexample, solver reason.
    evidence: Evidence | None = field(default=None, hash=False, compare=False)
    # Set when a `waive` declaration of the spec accepts this finding: the author's reason.
    # A waived finding stays in every report (SARIF: a suppression) but does not fail the run.
    waived: str | None = field(default=None, hash=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.code, Code) or CODES.get(self.code.code) is not self.code:
            raise ValueError(f"unregistered diagnostic code {self.code!r}")

    def with_severity(self, severity: Severity) -> Diagnostic:
        """The same diagnostic at another severity (a context-dependent override, e.g. --allow-unknown)."""
        return replace(self, severity=severity)

    @property
    def counterexample(self) -> Counterexample | None:
        return self.evidence.counterexample if self.evidence is not None else None

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def sort_key(self) -> tuple[str, int, int, str, str]:
        if self.span is None:
            return ("", 0, 0, self.code.code, self.message)
        return (self.span.file, self.span.line, self.span.column, self.code.code, self.message)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "code": self.code.code,
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
        if self.waived is not None:
            out["waived"] = self.waived
        return out


def diagnostic(
    code: Code,
    message: str,
    span: Span | None,
    hint: str | None = None,
    *,
    notes: tuple[Note, ...] = (),
    evidence: Evidence | None = None,
    severity: Severity | None = None,
) -> Diagnostic:
    """A diagnostic of a registered code, at the code's default severity.

    Pass `severity` only where the severity genuinely depends on the context; the one such case
    today is `--allow-unknown`, which reports VP309 as a warning (see `Diagnostic.with_severity`).
    """
    return Diagnostic(
        code=code,
        severity=code.severity if severity is None else severity,
        message=message,
        span=span,
        hint=hint,
        notes=notes,
        evidence=evidence,
    )


def error(code: Code, message: str, span: Span | None, hint: str | None = None, **kw: Any) -> Diagnostic:
    """An error diagnostic: `diagnostic()` with the severity forced to error (prefer `diagnostic`)."""
    return diagnostic(code, message, span, hint, severity=Severity.ERROR, **kw)


def warning(code: Code, message: str, span: Span | None, hint: str | None = None, **kw: Any) -> Diagnostic:
    """A warning diagnostic: `diagnostic()` with the severity forced to warning (prefer `diagnostic`)."""
    return diagnostic(code, message, span, hint, severity=Severity.WARNING, **kw)


class VeripathError(Exception):
    """Root of internal failures that the CLI reports as 'internal error' (exit 3)."""


def did_you_mean(name: str, candidates: list[str] | tuple[str, ...]) -> str | None:
    """A 'did you mean' hint for a misspelt name, or None when nothing is close."""
    import difflib

    close = difflib.get_close_matches(name, sorted(set(candidates)), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else None
