"""The one solver factory: every Z3 query of the verifier goes through here.

Each solver gets a fixed random seed and both a wall-clock `timeout` and a
deterministic resource limit `rlimit` (a timeout alone is not reproducible).

A query always asks "is there a patient such that ...?" and the answer is a
`Verdict`, never a bool:
  REFUTED  such a patient exists; the result carries the decoded model
  PROVED   no such patient exists
  UNKNOWN  the solver gave up; the result carries `reason_unknown()`

Ctrl-C: while `check()` runs, Z3 handles SIGINT itself (Python never sees it) and answers
unknown with the reason "interrupted from keyboard" (or "canceled"). `check` turns that
answer back into the KeyboardInterrupt the user asked for, so a run stops instead of
reporting an undecided check and going on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import z3

from dsl.model import Value
from verify.results import SolverOptions, Verdict

Patient = dict[str, Value]


@dataclass(frozen=True)
class SolverResult:
    verdict: Verdict
    model: Patient | None = None  # REFUTED only: plain values keyed by variable name
    reason: str | None = None  # UNKNOWN only


@dataclass
class SolverStats:
    """How many queries were made (tests and benchmarks look at this)."""

    queries: int = 0
    unknown: int = 0
    max_rlimit: int = 0  # the most resource units one query used (to size SolverOptions.rlimit)


STATS = SolverStats()

# The reasons Z3 gives when a query was interrupted (SIGINT during check(), or a cancel).
INTERRUPTED = frozenset({"interrupted from keyboard", "canceled", "cancelled"})


def make_solver(ctx: z3.Context, options: SolverOptions) -> Any:
    """A fresh z3.Solver in `ctx` with the seed, timeout and rlimit of `options`."""
    solver = z3.Solver(ctx=ctx)
    solver.set("random_seed", options.seed)
    solver.set("timeout", max(0, options.timeout_ms))
    solver.set("rlimit", max(0, options.rlimit))
    return solver


def check(solver: Any, decode: Callable[[Any], Patient]) -> SolverResult:
    """Run one query on `solver` (its current assertions)."""
    STATS.queries += 1
    before = _rlimit_count(solver)
    try:
        answer = solver.check()
    except z3.Z3Exception as exc:  # e.g. an interrupted or cancelled query
        if _interrupted(str(exc)):
            raise KeyboardInterrupt from exc
        STATS.unknown += 1
        return SolverResult(Verdict.UNKNOWN, reason=str(exc))
    STATS.max_rlimit = max(STATS.max_rlimit, _rlimit_count(solver) - before)
    if answer == z3.sat:
        return SolverResult(Verdict.REFUTED, model=decode(solver.model()))
    if answer == z3.unsat:
        return SolverResult(Verdict.PROVED)
    reason = str(solver.reason_unknown()) or "unknown"
    if _interrupted(reason):
        raise KeyboardInterrupt(reason)
    STATS.unknown += 1
    return SolverResult(Verdict.UNKNOWN, reason=reason)


def _interrupted(reason: str) -> bool:
    return reason.strip().lower() in INTERRUPTED


def _rlimit_count(solver: Any) -> int:
    try:
        return int(solver.statistics().get_key_value("rlimit count"))
    except z3.Z3Exception:
        return 0


@contextmanager
def scope(solver: Any) -> Iterator[Any]:
    """push/pop around temporary assertions."""
    solver.push()
    try:
        yield solver
    finally:
        solver.pop()
