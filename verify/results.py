"""The public result types of the verifier: options, verdicts, check results, reports."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # `import verify.results` (the CLI's defaults) stays light
    from dsl.diagnostics import Diagnostic

# Z3's resource limit counts solver work in abstract units ("rlimit count" in its
# statistics); on a 2020s x86 core one second of solving is roughly 3-6 million units.
# The default allows about 5 seconds of work per query, so that on ordinary hardware
# the deterministic rlimit, not the wall-clock timeout, is what stops a hard query:
# the same spec then gives the same verdicts on every run and every machine. The
# timeout stays as a backstop against slow machines and unusual queries.
DEFAULT_RLIMIT = 25_000_000


@dataclass(frozen=True)
class SolverOptions:
    """Limits for every Z3 query.

    timeout_ms: wall-clock limit per query in milliseconds (0 = none).
    rlimit: Z3 resource limit per query (0 = unlimited); see DEFAULT_RLIMIT.
    seed: Z3's random seed; fixed so that results are reproducible.
    """

    timeout_ms: int = 10_000
    rlimit: int = DEFAULT_RLIMIT
    seed: int = 0


DEFAULT_OPTIONS = SolverOptions()


class Verdict(enum.Enum):
    PROVED = "proved"  # the check holds: no counterexample exists
    REFUTED = "refuted"  # a counterexample was found (carried by the diagnostic)
    UNKNOWN = "unknown"  # the solver could not decide within its limits


@dataclass
class CheckResult:
    """One check, e.g. "gap:next_study", "conflict:next_study:r1:r3", "property:no_early_biopsy"."""

    check: str
    verdict: Verdict
    # None if PROVED, except that a passed example may carry a warning about itself (VP319, facts its
    # path never reads); never None if REFUTED or UNKNOWN.
    diagnostic: Diagnostic | None
    seconds: float = 0.0


@dataclass
class Report:
    results: list[CheckResult] = field(default_factory=list)

    def diagnostics(self) -> list[Diagnostic]:
        """Every diagnostic of the report, sorted by location, code and message."""
        found = [r.diagnostic for r in self.results if r.diagnostic is not None]
        return sorted(found, key=lambda d: (*d.sort_key(), d.evidence.check if d.evidence is not None else ""))

    def refuted(self) -> list[CheckResult]:
        return [r for r in self.results if r.verdict is Verdict.REFUTED]

    def unknown(self) -> list[CheckResult]:
        return [r for r in self.results if r.verdict is Verdict.UNKNOWN]

    def by_check(self) -> dict[str, CheckResult]:
        return {r.check: r for r in self.results}

    def extend(self, other: Report) -> None:
        self.results.extend(other.results)
