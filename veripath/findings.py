"""What every report renderer shows: the findings of a run with their identity, and what was proved.

`findings(report, baseline)` pairs each diagnostic with its file, guideline and fingerprint and
says whether it is in the baseline; `Finding.fails` says whether it counts against the run (a
waived or baselined finding is still reported, but does not). `summarize(report)` counts what
the verifier proved: decisions complete and consistent, properties, examples, undecided checks.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from dsl.diagnostics import Diagnostic, Severity
from verify.results import CheckResult, Verdict
from veripath.baseline import can_baseline
from veripath.identity import fingerprint
from veripath.pipeline import FileResult, Report
from veripath.status import ExitCode, exit_code


@dataclass(frozen=True)
class Finding:
    diagnostic: Diagnostic
    file: str | None  # the spec it belongs to (as shown), None for problems with no file
    guideline: str | None
    fingerprint: str
    baselined: bool = False

    @property
    def waived(self) -> str | None:
        """The author's reason when a `waive` declaration accepts this finding."""
        return self.diagnostic.waived

    @property
    def accepted(self) -> bool:
        """Reported, but accepted: waived in the spec or listed in the baseline."""
        return self.waived is not None or self.baselined


def guideline_of(f: FileResult) -> str | None:
    return f.guideline


def findings(report: Report, baseline: frozenset[str] = frozenset()) -> list[Finding]:
    """Every diagnostic of `report` in its order (the run's own first, then each file's by location)."""
    out = [Finding(d, None, None, fingerprint(d, None), _in(d, None, baseline)) for d in report.extra]
    for f in report.files:
        g = guideline_of(f)
        for d in f.sorted_diagnostics():
            out.append(Finding(d, f.path, g, fingerprint(d, g), _in(d, g, baseline)))
    return out


def _in(d: Diagnostic, guideline: str | None, baseline: frozenset[str]) -> bool:
    return bool(baseline) and can_baseline(d) and fingerprint(d, guideline) in baseline


def status(report: Report, found: Iterable[Finding]) -> ExitCode:
    """The run's exit status: the findings that are neither waived nor in the baseline decide it."""
    return exit_code([x.diagnostic for x in found if not x.accepted], strict=report.options.strict)


@dataclass
class Summary:
    """What a run found and proved, for the summary line and the JSON report."""

    files: int = 0
    errors: int = 0
    warnings: int = 0
    waived: int = 0
    baselined: int = 0
    decisions: int = 0
    decisions_proved: int = 0  # complete and consistent
    properties: int = 0
    properties_proved: int = 0
    examples: int = 0
    examples_passed: int = 0
    undecided: int = 0
    seconds: float = 0.0
    proofs: list[tuple[str, str, float]] = field(default_factory=list)  # (file, check id, seconds)

    def to_json(self) -> dict[str, Any]:
        return {
            "files": self.files,
            "errors": self.errors,
            "warnings": self.warnings,
            "waived": self.waived,
            "baselined": self.baselined,
            "decisions": {"checked": self.decisions, "complete_and_consistent": self.decisions_proved},
            "properties": {"checked": self.properties, "proved": self.properties_proved},
            "examples": {"run": self.examples, "passed": self.examples_passed},
            "undecided": self.undecided,
        }


_DECISION_KINDS = ("gap", "conflicts", "conflict", "redundant")


def _decision_of(check: str) -> str | None:
    kind, _, rest = check.partition(":")
    return rest.split(":", 1)[0] if kind in _DECISION_KINDS else None


def summarize(report: Report, found: Iterable[Finding]) -> Summary:
    s = Summary(files=len(report.files), seconds=report.seconds)
    for x in found:
        if x.waived is not None:
            s.waived += 1
        elif x.baselined:
            s.baselined += 1
        elif x.diagnostic.is_error:
            s.errors += 1
        elif x.diagnostic.severity is Severity.WARNING:
            s.warnings += 1
    for f in report.files:
        verdicts: dict[str, list[Verdict]] = {}
        for c in f.checks:
            d = _decision_of(c.check)
            if d is not None:
                verdicts.setdefault(d, []).append(c.verdict)
            if c.check.startswith("property:"):
                s.properties += 1
                s.properties_proved += c.verdict is Verdict.PROVED
        s.decisions += len(verdicts)
        s.decisions_proved += sum(all(v is Verdict.PROVED for v in vs) for vs in verdicts.values())
        s.examples += len(f.examples)
        s.examples_passed += sum(e.verdict is Verdict.PROVED for e in f.examples)
        s.undecided += sum(r.verdict is Verdict.UNKNOWN for r in (*f.checks, *f.examples))
        s.proofs.extend((f.path, r.check, r.seconds) for r in _all(f) if r.verdict is Verdict.PROVED)
    return s


def _all(f: FileResult) -> Iterator[CheckResult]:
    yield from f.checks
    yield from f.examples


def plural(n: int, word: str, words: str | None = None) -> str:
    return f"{n} {word if n == 1 else (words or word + 's')}"


def posix(path: str) -> str:
    return path.replace(os.sep, "/")
