"""The verification stamp of a pathway, from the verifier's reports (see `compiler.stamp`)."""

from __future__ import annotations

from collections.abc import Iterable

from compiler.graph import DecisionGraph
from compiler.stamp import SolverSettings, VerificationStamp
from verify.results import Report, SolverOptions, Verdict


def settings_of(options: SolverOptions) -> SolverSettings:
    return SolverSettings(timeout_ms=options.timeout_ms, rlimit=options.rlimit, seed=options.seed)


def stamp_of(graph: DecisionGraph, options: SolverOptions, reports: Iterable[Report]) -> VerificationStamp:
    """`verified` iff no check failed with an error and none was undecided.

    Warnings (dead rules, redundant overlaps, unreachable nodes) do not unverify a
    pathway; an undecided check (VP309) does, even when `--allow-unknown` lets the
    build go on. `reports` are the reports of `verify_graph` and `run_examples`.
    """
    results = [r for report in reports for r in report.results]
    failed = any(r.verdict is Verdict.UNKNOWN or (r.diagnostic is not None and r.diagnostic.is_error) for r in results)
    by_check = {r.check: r.verdict for r in results}
    proved = tuple(p.name for p in graph.model.properties if by_check.get(f"property:{p.name}") is Verdict.PROVED)
    return VerificationStamp(
        verdict="unverified" if failed or not results else "verified",
        solver=settings_of(options),
        proved=proved,
    )
