"""The one solver factory: every Z3 query of the verifier goes through here.

Each solver gets a fixed random seed and both a wall-clock `timeout` and a
deterministic resource limit `rlimit` (a timeout alone is not reproducible).

A query always asks "is there a patient such that ...?" and the answer is a
`Verdict`, never a bool:
  REFUTED  such a patient exists; the result carries the decoded model
  PROVED   no such patient exists
  UNKNOWN  the solver gave up; the result carries `reason_unknown()`

Ctrl-C: while `check()` runs, Z3 handles SIGINT itself (Python never sees it) and answers
unknown, with the reason "interrupted from keyboard" or just "canceled". `check` turns that
answer back into the KeyboardInterrupt the user asked for, so a run stops instead of
reporting an undecided check and going on. Z3 also says "canceled" when a query runs out
of its rlimit or time, so "canceled" counts as Ctrl-C only while both limits had room left.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
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

# The reasons Z3 gives when SIGINT arrives during check(); "canceled" is ambiguous (see above).
INTERRUPTED = "interrupted from keyboard"
CANCELED = "canceled"


def make_solver(ctx: z3.Context, options: SolverOptions) -> Any:
    """A fresh z3.Solver in `ctx` with the seed, timeout and rlimit of `options`."""
    solver = z3.Solver(ctx=ctx)
    solver.set("random_seed", options.seed)
    solver.set("timeout", max(0, options.timeout_ms))
    solver.set("rlimit", max(0, options.rlimit))
    solver.veripath_options = options  # read back by `check` to tell Ctrl-C from a spent limit
    return solver


def assert_all(solver: Any, formulas: Iterable[Any]) -> None:
    """`solver.add(*formulas)`, the same assertions in the same order, through the C API for
    Boolean terms (`Solver.add` casts and checks each argument in Python: most of the time of
    asserting the definitions of a large product)."""
    ctx = solver.ctx
    ref = ctx.ref()
    handle = solver.solver
    for f in formulas:
        if isinstance(f, z3.BoolRef) and f.ctx is ctx:
            z3.Z3_solver_assert(ref, handle, f.as_ast())
        else:
            solver.add(f)


def check(solver: Any, decode: Callable[[Any], Patient]) -> SolverResult:
    """Run one query on `solver` (its current assertions)."""
    STATS.queries += 1
    before = _rlimit_count(solver)
    t0 = time.perf_counter()
    try:
        answer = solver.check()
    except z3.Z3Exception as exc:  # e.g. an interrupted or cancelled query
        if _interrupted(solver, str(exc), _rlimit_count(solver) - before, time.perf_counter() - t0):
            raise KeyboardInterrupt from exc
        STATS.unknown += 1
        return SolverResult(Verdict.UNKNOWN, reason=str(exc))
    STATS.max_rlimit = max(STATS.max_rlimit, _rlimit_count(solver) - before)
    if answer == z3.sat:
        return SolverResult(Verdict.REFUTED, model=decode(solver.model()))
    if answer == z3.unsat:
        return SolverResult(Verdict.PROVED)
    reason = str(solver.reason_unknown()) or "unknown"
    if _interrupted(solver, reason, _rlimit_count(solver) - before, time.perf_counter() - t0):
        raise KeyboardInterrupt(reason)
    STATS.unknown += 1
    return SolverResult(Verdict.UNKNOWN, reason=reason)


def _interrupted(solver: Any, reason: str, used: int, seconds: float) -> bool:
    """Whether an unknown answer means Ctrl-C: said so, or canceled with both limits unspent."""
    reason = reason.strip().lower()
    if reason == INTERRUPTED:
        return True
    if reason != CANCELED:
        return False
    options: SolverOptions = getattr(solver, "veripath_options", SolverOptions(timeout_ms=0, rlimit=0))
    rlimit_left = options.rlimit <= 0 or used < options.rlimit
    time_left = options.timeout_ms <= 0 or seconds * 1000 < options.timeout_ms * 0.9
    return rlimit_left and time_left


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
