"""An undecided query is its own result (VP309), never a pass."""

from __future__ import annotations

import pytest
import z3

from dsl.codes import UNKNOWN_RESULT
from dsl.diagnostics import Severity
from tests.verify.helpers import load_graph
from verify import SolverOptions, Verdict, verify_graph
from verify.results import DEFAULT_OPTIONS, DEFAULT_RLIMIT
from verify.solver import check, make_solver
from verify.tables import check_decision


def _hard(ctx: z3.Context) -> list[z3.ExprRef]:
    """Pigeonhole: 9 pigeons in 8 holes, hard enough for any small limit."""
    holes = [z3.Int(f"p{i}", ctx) for i in range(9)]
    return [z3.Distinct(*holes), *[z3.And(h >= 0, h < 8) for h in holes]]


def test_default_limits() -> None:
    assert DEFAULT_OPTIONS.rlimit == DEFAULT_RLIMIT > 0
    assert DEFAULT_OPTIONS.timeout_ms == 10_000 and DEFAULT_OPTIONS.seed == 0


@pytest.mark.parametrize("options", [SolverOptions(rlimit=1), SolverOptions(timeout_ms=1, rlimit=0)])
def test_solver_gives_up_with_a_reason(options: SolverOptions) -> None:
    ctx = z3.Context()
    solver = make_solver(ctx, options)
    solver.add(*_hard(ctx))
    result = check(solver, lambda model: {})
    assert result.verdict is Verdict.UNKNOWN
    assert result.model is None
    assert result.reason


@pytest.mark.parametrize("name", ["planted_properties.vp", "planted_context.vp", "clean_pathway.vp"])
def test_unknown_is_reported_and_never_proved(name: str) -> None:
    graph = load_graph(name)
    full = verify_graph(graph)
    starved = verify_graph(graph, SolverOptions(rlimit=1))
    unknown = [r for r in starved.results if r.verdict is Verdict.UNKNOWN]
    assert unknown, "a starved solver must leave something undecided"
    for r in unknown:
        assert r.diagnostic is not None
        assert r.diagnostic.code == UNKNOWN_RESULT
        assert r.diagnostic.severity is Severity.ERROR
        evidence = r.diagnostic.evidence
        assert evidence is not None
        assert evidence.verdict == "unknown"
        assert evidence.check == r.check
        assert evidence.reason
        assert evidence.counterexample is None
    starved_by_check = starved.by_check()
    for r in full.results:
        if r.verdict is Verdict.REFUTED and r.check in starved_by_check:
            assert starved_by_check[r.check].verdict is not Verdict.PROVED, r.check


def test_property_unknown_names_the_property() -> None:
    # p_before: no patient the verifier knows without Z3 violates it, so its verdict needs the query
    # (p_never is refuted by such a patient whatever the solver's limits)
    graph = load_graph("planted_properties.vp")
    result = verify_graph(graph, SolverOptions(rlimit=1)).by_check()["property:p_before"]
    assert result.verdict is Verdict.UNKNOWN
    assert result.diagnostic is not None
    assert "property 'p_before'" in result.diagnostic.message
    assert result.diagnostic.span == next(p.span for p in graph.model.properties if p.name == "p_before")


def test_table_unknown_in_a_context() -> None:
    graph = load_graph("planted_context.vp")
    model = graph.model
    decision = model.decision("deep_next")
    context = model.decision("triage").rules[0].cond  # depth == deep
    results = check_decision(model, decision, context, SolverOptions(rlimit=1))
    assert any(r.verdict is Verdict.UNKNOWN for r in results)
    proved = {r.check for r in results if r.verdict is Verdict.PROVED}
    refuted = {r.check for r in check_decision(model, decision, context) if r.verdict is Verdict.REFUTED}
    assert not proved & refuted
