"""The single-table entry point: contexts, caps, the baseline, and the box fast path."""

from __future__ import annotations

import time

from dsl import model as m
from tests.verify.helpers import base_id, full_patient, load_graph, refuted
from tests.verify.tables_gen import grid
from verify import CheckResult, Report, Verdict, verify_graph
from verify.baseline import check_decision_naive
from verify.evaluate import evaluate
from verify.solver import STATS
from verify.tables import check_decision


def _refuted(results: list[CheckResult]) -> set[str]:
    return {r.check for r in results if r.verdict is Verdict.REFUTED}


def test_single_table_matches_the_pathway_for_a_start_decision() -> None:
    graph = load_graph("planted_unique.vp")
    model = graph.model
    alone = check_decision(model, "triage")
    assert refuted(Report(alone)) == refuted(verify_graph(graph)) - {("unreachable:decision:triage", "VP306")}


def test_context_changes_the_verdicts() -> None:
    model = load_graph("planted_context.vp").model
    deep = model.decision("triage").rules[0].cond  # depth == deep
    without = _refuted(check_decision(model, "deep_next"))
    within = _refuted(check_decision(model, "deep_next", deep))
    assert "dead:deep_next:r3" not in without
    assert "dead:deep_next:r3" in within
    sup = model.decision("triage").rules[1].cond  # depth == superficial
    assert "gap:sup_next" in _refuted(check_decision(model, "sup_next"))
    assert "gap:sup_next" not in _refuted(check_decision(model, "sup_next", sup))


def test_unreachable_context() -> None:
    model = load_graph("planted_context.vp").model
    deep = model.decision("triage").rules[0].cond
    contradiction = model.decision("deep_next").rules[2].cond  # depth == superficial
    both = m.And(operands=(deep, contradiction), span=deep.span)
    results = check_decision(model, "deep_next", both)
    assert [(r.check, r.verdict) for r in results] == [("unreachable:decision:deep_next", Verdict.REFUTED)]


def test_naive_baseline_agrees_on_the_planted_tables() -> None:
    for name, decision in [
        ("planted_unique.vp", "triage"),
        ("planted_first.vp", "triage"),
        ("planted_priority.vp", "triage"),
        ("planted_any.vp", "triage"),
        ("planted_nonbox.vp", "compare"),
    ]:
        model = load_graph(name).model
        fast = {base_id(c) for c in _refuted(check_decision(model, decision))}
        assert fast == _refuted(check_decision_naive(model, decision)), name


def test_box_tables_need_no_solver_and_find_every_planted_bug() -> None:
    model, removed, n = grid(40, gaps=4, conflicts=3)  # 4*3*2*40 - 4 + 3 = 959 rules
    assert n == 959
    before = STATS.queries
    start = time.perf_counter()
    results = check_decision(model, "t")
    seconds = time.perf_counter() - start
    assert STATS.queries == before, "a box table with no context needs no Z3 query"
    assert seconds < 5
    refuted = [r for r in results if r.verdict is Verdict.REFUTED]
    conflicts = [r for r in refuted if r.check.startswith("conflict:")]
    gaps = [r for r in refuted if r.check.startswith("gap:")]
    assert len(conflicts) == 3
    assert 1 <= len(gaps) <= 4  # adjacent removed cells merge into one region
    assert len(refuted) == len(conflicts) + len(gaps)
    rules = model.decision("t").rules
    for g in gaps:
        assert g.diagnostic is not None
        assert g.diagnostic.counterexample is not None
        p = full_patient(model, g.diagnostic.counterexample.values())
        assert not any(evaluate(r.cond, p) for r in rules)
        cell = (int(str(p["e0"])[1]), int(str(p["e1"])[1]), p["f"], int(float(p["x"]) * 40 // 100))
        assert cell in removed
    for c in conflicts:
        assert c.diagnostic is not None
        assert c.diagnostic.counterexample is not None
        p = full_patient(model, c.diagnostic.counterexample.values())
        assert sum(evaluate(r.cond, p) for r in rules) == 2


def test_masked_rules_under_first() -> None:
    model, _, _ = grid(10, policy="first", gaps=0, conflicts=5)
    refuted = _refuted(check_decision(model, "t"))
    assert refuted == {f"masked:t:r{k}" for k in range(241, 246)}


def test_gap_cap_says_more_exist() -> None:
    model, _, _ = grid(30, gaps=60, conflicts=0, seed=3)
    results = check_decision(model, "t", max_gaps=5)
    gaps = [r for r in results if r.check.startswith("gap:")]
    assert [r.check for r in gaps] == ["gap:t", "gap:t:2", "gap:t:3", "gap:t:4", "gap:t:5"]
    last = gaps[-1].diagnostic
    assert last is not None and "not listed (limit 5" in last.notes[0].message
