"""The verification stamp of a pathway, from the verifier's reports (see `compiler.stamp`)."""

from __future__ import annotations

from collections.abc import Iterable

from compiler.graph import DecisionGraph
from compiler.stamp import SolverSettings, Stamp, VerdictName
from verify.results import CheckResult, SolverOptions, Verdict


def settings_of(options: SolverOptions) -> SolverSettings:
    return SolverSettings(timeout_ms=options.timeout_ms, rlimit=options.rlimit, seed=options.seed)


def proved_properties(graph: DecisionGraph, results: Iterable[CheckResult]) -> tuple[str, ...]:
    """The properties of the spec whose check was proved, in source order."""
    by_check = {r.check: r.verdict for r in results}
    return tuple(p.name for p in graph.model.properties if by_check.get(f"property:{p.name}") is Verdict.PROVED)


def stamp_of(graph: DecisionGraph, options: SolverOptions, results: Iterable[CheckResult]) -> Stamp:
    """The stamp for the results of `verify_graph` and `run_examples` (all of them).

    refuted: some check failed with an error (warnings such as dead rules do not count);
    unknown: some check was not decided (even when --allow-unknown let the run go on);
    skipped: there are no results; else verified.
    """
    found = list(results)
    verdict: VerdictName
    if any(r.verdict is Verdict.REFUTED and r.diagnostic is not None and r.diagnostic.is_error for r in found):
        verdict = "refuted"
    elif any(r.verdict is Verdict.UNKNOWN for r in found):
        verdict = "unknown"
    elif not found:
        return Stamp(verdict="skipped")
    else:
        verdict = "verified"
    return Stamp(verdict=verdict, solver=settings_of(options), proved=proved_properties(graph, found))
