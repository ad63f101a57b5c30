"""Differential tests: on random small specs, Z3 verdicts equal brute-force enumeration."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings

from compiler.graph import DecisionGraph
from dsl import model as m
from tests.verify import reference as ref
from tests.verify.helpers import base_id, validate
from tests.verify.specgen import RANDOM_SPECS, Built, load_random, specs
from verify import Verdict, simulate, verify_graph
from verify.baseline import check_decision_naive
from verify.evaluate import evaluate
from verify.tables import check_decision

COMMON = RANDOM_SPECS


def _load(built: Built, tmp_path: Path) -> DecisionGraph:
    return load_random(built, tmp_path)


def _differential(built: Built, tmp_path: Path) -> None:
    graph = _load(built, tmp_path)
    report = verify_graph(graph)
    assert not report.unknown(), built.text
    found = {base_id(r.check) for r in report.refuted()}
    expected = ref.findings(graph)
    assert found == expected, built.text
    for r in report.refuted():
        assert r.diagnostic is not None
        validate(graph, r.diagnostic)


@settings(COMMON, max_examples=150)
@given(built=specs())
def test_verdicts_equal_brute_force(built: Built, tmp_path_factory: pytest.TempPathFactory) -> None:
    _differential(built, tmp_path_factory.mktemp("spec"))


# 50 draws: the brute force of a conditional draw enumerates up to 150,000 patients (3.5 minutes for
# 100 draws on this 2-core machine); `pytest --runslow` also runs 300.
@settings(COMMON, max_examples=50)
@given(built=specs(conditional=True))
def test_conditional_properties_equal_brute_force(built: Built, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Properties whose `when` tests the finding (unknown until its action is ordered on the path)."""
    _differential(built, tmp_path_factory.mktemp("spec"))


@pytest.mark.slow
@settings(COMMON, max_examples=300)
@given(built=specs(conditional=True))
def test_conditional_properties_equal_brute_force_many(built: Built, tmp_path_factory: pytest.TempPathFactory) -> None:
    _differential(built, tmp_path_factory.mktemp("spec"))


@pytest.mark.slow
@settings(COMMON, max_examples=600)
@given(built=specs())
def test_verdicts_equal_brute_force_many(built: Built, tmp_path_factory: pytest.TempPathFactory) -> None:
    _differential(built, tmp_path_factory.mktemp("spec"))


@settings(COMMON, max_examples=40)
@given(built=specs())
def test_tables_agree_with_the_naive_baseline(built: Built, tmp_path_factory: pytest.TempPathFactory) -> None:
    graph = _load(built, tmp_path_factory.mktemp("spec"))
    model = graph.model
    for d in model.decisions:
        fast = {base_id(r.check) for r in check_decision(model, d) if r.verdict is Verdict.REFUTED}
        naive = {r.check for r in check_decision_naive(model, d) if r.verdict is Verdict.REFUTED}
        assert fast == naive, built.text


@settings(COMMON, max_examples=40)
@given(built=specs())
def test_simulation_follows_a_reference_path(built: Built, tmp_path_factory: pytest.TempPathFactory) -> None:
    graph = _load(built, tmp_path_factory.mktemp("spec"))
    for p in list(ref.patients(graph.model, graph))[:40]:
        trace = simulate(graph, p)
        paths = ref.paths(graph, p)
        if trace.error is None:
            assert trace.end is not None
            assert any(
                m.orders_match(tuple(ref.orders(graph, path)), trace.orders) and path.nodes[-1] == f"end:{trace.end}"
                for path in paths
            )
        else:
            # stopped: a gap, a revisit limit, or overlapping rules with different outcomes
            assert trace.end is None
            assert any(path.stuck or path.nodes[-1].endswith("__revisit_limit__") for path in paths) or len(paths) > 1
        for a in graph.model.assumptions:
            assert evaluate(a.cond, p)


def _verdicts(graph: DecisionGraph) -> dict[str, Verdict]:
    return {base_id(r.check): r.verdict for r in verify_graph(graph).results}


@settings(COMMON, max_examples=60)
@given(built=specs())
def test_named_conditions_and_split_files_mean_what_they_stand_for(
    built: Built, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A spec with named conditions verifies exactly as the same spec with each condition written out
    where it is used; a spec whose decisions and declarations sit in a catalogue, exactly as in one file.
    Same verdict for every check, same run for every class of patients."""
    graph = _load(built, tmp_path_factory.mktemp("text"))
    inlined = load_random(built, tmp_path_factory.mktemp("inlined"), "inlined")
    split = load_random(built, tmp_path_factory.mktemp("split"), "split")
    verdicts = _verdicts(graph)
    assert _verdicts(inlined) == verdicts, built.text
    assert _verdicts(split) == verdicts, built.text
    for p in list(ref.patients(graph.model, graph))[:40]:
        runs = [simulate(g, p) for g in (graph, inlined, split)]
        assert len({(t.orders, t.end, t.error) for t in runs}) == 1, (built.text, p)
    assert [n for n, _ in graph.graph.nodes(data=True)] == [n for n, _ in split.graph.nodes(data=True)]
