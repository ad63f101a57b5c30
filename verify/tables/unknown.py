"""Undecided checks: the VP309 result of a check the solver could not decide."""

from __future__ import annotations

import time
from typing import Any

from dsl.codes import UNKNOWN_RESULT
from dsl.diagnostics import diagnostic
from verify.counterexample import (
    make_evidence,
)
from verify.results import CheckResult, Verdict


def unknown_result(check: str, what: str, span: Any, reason: str | None, t0: float) -> CheckResult:
    """VP309: the solver could not decide whether `what` (a clause: "rules a and b overlap")."""
    diag = diagnostic(
        code=UNKNOWN_RESULT,
        message=f"could not decide whether {what} (solver: {reason or 'unknown'})",
        span=span,
        hint="raise the solver limits (timeout, rlimit); an undecided check is not a pass",
        evidence=make_evidence(check, "unknown", reason=reason or "unknown"),
    )
    return CheckResult(check, Verdict.UNKNOWN, diag, time.perf_counter() - t0)
