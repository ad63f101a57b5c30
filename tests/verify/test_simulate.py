"""Evaluation of conditions, simulation of one patient, and scenario examples."""

from __future__ import annotations

from fractions import Fraction

import pytest

from dsl import model as m
from dsl.codes import EXAMPLE_FAILED
from dsl.ops import Op
from dsl.source import Span
from tests.verify.helpers import load_graph
from verify import MissingValue, Verdict, evaluate, evaluate3, run_examples, simulate

SPAN = Span.point("t.vp", 1, 1)


def _cmp(var: str, op: Op, value: int) -> m.Compare:
    return m.Compare(op=op, left=m.Linear.of_var(var), right=m.Linear.of_const(Fraction(value)), span=SPAN)


def test_evaluate_core_language() -> None:
    big = _cmp("size", Op.GE, 5)
    deep = m.EnumIn(var="depth", values=("deep",), span=SPAN)
    pain = m.BoolVar(var="pain", span=SPAN)
    cond = m.Or(operands=(m.And(operands=(big, deep), span=SPAN), m.Not(operand=pain, span=SPAN)), span=SPAN)
    patient: dict[str, m.Value] = {"size": Fraction(7), "depth": "deep", "pain": True}
    assert evaluate(cond, patient)
    assert not evaluate(cond, {**patient, "size": Fraction(4)})
    assert evaluate(m.Const(value=True, span=SPAN), {})
    same = m.EnumCompare(op=Op.EQ, left="a", right="b", span=SPAN)
    assert evaluate(same, {"a": "x", "b": "x"}) and not evaluate(same, {"a": "x", "b": "y"})
    assert evaluate(m.And(operands=(), span=SPAN), {}) and not evaluate(m.Or(operands=(), span=SPAN), {})


def test_evaluate3_is_kleene() -> None:
    big = _cmp("size", Op.GE, 5)
    pain = m.BoolVar(var="pain", span=SPAN)
    assert evaluate3(m.And(operands=(big, pain), span=SPAN), {"pain": False}) is False
    assert evaluate3(m.And(operands=(big, pain), span=SPAN), {"pain": True}) is None
    assert evaluate3(m.Or(operands=(big, pain), span=SPAN), {"pain": True}) is True
    assert evaluate3(m.Not(operand=big, span=SPAN), {}) is None
    with pytest.raises(MissingValue) as info:
        evaluate(big, {})
    assert info.value.var == "size"


def test_simulate_follows_the_pathway() -> None:
    graph = load_graph("clean_pathway.vp")
    trace = simulate(
        graph,
        {
            "depth": "deep",
            "size_cm": 8,
            "mri_contraindicated": True,
            "age": 50,
            "xr_result": "nondiagnostic",
            "us_result": "suspicious",
            "ct_result": "suspicious",
        },
    )
    assert trace.error is None
    assert trace.orders == ("radiograph", "us_plain", "ct_w", "biopsy")
    assert trace.end == "sarcoma"
    kinds = [s.kind for s in trace.steps]
    assert kinds[0] == "decision" and kinds[-1] == "end"
    assert trace.steps[0].rule == "initial.r3"
    assert any(s.text == "finding ct_result = suspicious" for s in trace.steps)


def test_simulate_reports_gaps_and_missing_values() -> None:
    graph = load_graph("planted_unique.vp")
    trace = simulate(graph, {"depth": "superficial", "size_cm": 12, "pain": False})
    assert trace.end is None and trace.error == "no rule of decision 'triage' matches"
    conflict = simulate(graph, {"depth": "deep", "size_cm": 7.5, "pain": False})
    assert conflict.error is not None and "both match" in conflict.error
    missing = simulate(graph, {"depth": "deep"})
    assert missing.missing == ("size_cm",)
    with pytest.raises(ValueError):
        simulate(graph, {"depth": "sideways"})


def test_examples_pass_on_the_clean_pathway() -> None:
    report = run_examples(load_graph("clean_pathway.vp"))
    assert [r.verdict for r in report.results] == [Verdict.PROVED] * 3


def test_failing_examples_explain_the_difference() -> None:
    report = run_examples(load_graph("example_failures.vp"))
    by = report.by_check()
    assert by["example:passes"].verdict is Verdict.PROVED
    assert by["example:disposition only"].verdict is Verdict.PROVED
    assert by["example:no orders expected"].verdict is Verdict.REFUTED

    wrong_end = by["example:wrong disposition"].diagnostic
    assert wrong_end is not None and wrong_end.code == EXAMPLE_FAILED
    assert wrong_end.message == "example 'wrong disposition' gives another disposition than expected"
    assert wrong_end.evidence is not None
    assert wrong_end.evidence.expected == "orders us then end reassure"
    assert wrong_end.evidence.actual == "orders us then end refer"
    assert "rule 'r2'" in wrong_end.notes[0].message

    wrong_orders = by["example:wrong orders"].diagnostic
    assert wrong_orders is not None
    assert wrong_orders.message == "example 'wrong orders' gives other orders than expected"
    assert wrong_orders.evidence is not None
    assert wrong_orders.evidence.actual == "orders us, mri then end refer"
    assert "'mri' is ordered here" in wrong_orders.notes[0].message

    missing = by["example:missing value"].diagnostic
    assert missing is not None
    assert (
        missing.message == "example 'missing value' does not give a value for 'size_cm', needed at decision 'after_us'"
    )
    assert missing.counterexample is not None
    assert missing.counterexample.path[0].text.startswith("decision initial")
    assert missing.span is not None
