"""Repeated studies in the verifier and the examples: each order reveals a fresh result.

The planted specs carry their findings as `# expect:` comments (`test_planted`), and the
brute-force reference gives every order a fresh result (`reference`); these tests pin what
those do not: which result each decision reads, the revisit limit, and the examples' facts.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from compiler.lower import lower
from dsl import model as m
from dsl.codes import EXAMPLE_BREAKS_ASSUMPTION, UNREAD_EXAMPLE_FACT
from tests.verify.helpers import DATA, load_graph
from verify import Verdict, run_examples, simulate, verify_graph
from verify.equivalence import compare_decision
from verify.examples import broken_assumptions
from verify.results import DEFAULT_OPTIONS


def test_a_loop_reaches_its_limit_only_while_the_results_send_patients_round() -> None:
    graph = load_graph("planted_loop.vp")
    # indeterminate, then clear: the second look ends the loop
    trace = simulate(graph, {"urgent": False, "us_result": ["indeterminate", "clear"]})
    assert (trace.orders, trace.end) == (("us_plain", "us_plain"), "reassure")
    # every look indeterminate: the revisit limit
    stuck = simulate(graph, {"urgent": False, "us_result": ["indeterminate"] * 3})
    assert stuck.end is None and stuck.error == "the revisit limit is reached without a disposition"
    ends = verify_graph(graph).by_check()["property:ends"]
    assert ends.diagnostic is not None and ends.diagnostic.counterexample is not None
    shown = ends.diagnostic.counterexample.values()["us_result"]
    assert isinstance(shown, tuple) and shown[:2] == ("indeterminate", "indeterminate")


def test_each_decision_reads_the_latest_result() -> None:
    graph = load_graph("repeat_once.vp")
    trace = simulate(graph, {"us_result": ("nondiagnostic", "suspicious")})
    assert [s.text for s in trace.steps if s.kind == "finding"] == [
        "finding us_result = nondiagnostic",
        "finding us_result (result 2) = suspicious",
    ]
    assert trace.end == "refer"
    # a single value is the first result only: the repeat's result is needed
    waiting = simulate(graph, {"us_result": "nondiagnostic", "mri_contraindicated": False})
    assert waiting.missing == ("us_result#2",) and waiting.decision == "after_repeat"
    assert waiting.error is not None and "'us_result (result 2)'" in waiting.error
    # a result key is accepted too: the form the verifier's patients take
    assert simulate(graph, {"us_result": "nondiagnostic", "us_result#2": "benign"}).end == "reassure"


def test_the_repeated_decision_is_checked_for_each_result_and_reported_once() -> None:
    report = verify_graph(load_graph("planted_repeat.vp"))
    checks = [r.check for r in report.results if r.check.split(":")[1:2] == ["review"]]
    assert checks.count("dead:review:r1") == checks.count("dead:review:r3") == 1
    by = report.by_check()
    # r1 applies only after two ultrasounds, r3 only after one: neither is dead
    assert by["dead:review:r1"].verdict is by["dead:review:r3"].verdict is Verdict.PROVED
    assert [r.check for r in report.refuted() if r.check.startswith("gap:")] == ["gap:review"]


def test_an_example_breaks_an_assumption_if_one_of_its_results_does(tmp_path: Path) -> None:
    spec = tmp_path / "a.vp"
    spec.write_text(
        (DATA / "repeat_once.vp").read_text(encoding="utf-8")
        + 'assume "no suspicious ultrasound": us_result != suspicious\n',
        encoding="utf-8",
    )
    graph = load_graph(spec)
    model = graph.model
    assert broken_assumptions(model, {"us_result": ("nondiagnostic", "benign")}) == []
    assert broken_assumptions(model, {"us_result": ("nondiagnostic", "suspicious")}) == list(model.assumptions)
    by = run_examples(graph).by_check()
    d = by["example:suspicious on the repeat"].diagnostic
    assert d is not None and d.code is EXAMPLE_BREAKS_ASSUMPTION
    assert d.message == (
        "example 'suspicious on the repeat' breaks the assumption 'no suspicious ultrasound': "
        "us_result = nondiagnostic then suspicious"
    )


def test_a_result_no_decision_reads_is_a_warning() -> None:
    graph = load_graph(DATA.parent / "dsl" / "repeats.vp")
    by = run_examples(graph).by_check()
    assert by["example:benign at the second look"].diagnostic is None
    unread = by["example:a second result the path never reads"]
    assert unread.verdict is Verdict.PROVED
    assert unread.diagnostic is not None and unread.diagnostic.code is UNREAD_EXAMPLE_FACT
    assert unread.diagnostic.message == (
        "example 'a second result the path never reads' gives 'us_result (result 2)', "
        "which no decision on its path (and no assumption) reads"
    )


def test_results_flatten_and_gather() -> None:
    facts: dict[str, m.Fact] = {"a": True, "r": ("x", "y", "z")}
    flat = m.flatten_facts(facts)
    assert flat == {"a": True, "r": "x", "r#2": "y", "r#3": "z"}
    assert m.gather_facts(flat) == facts
    assert m.gather_facts({"r#2": "y"}) == {"r#2": "y"}  # a later result without the first stays keyed
    assert [m.result_label(k) for k in flat] == ["a", "r", "r (result 2)", "r (result 3)"]
    assert m.split_result("r#12") == ("r", 12) and m.result_key("r", 1) == "r"
    assert m.format_fact(("x", "y")) == "x then y"


def test_an_edited_decision_is_compared_at_every_result_it_reads() -> None:
    """`verify.equivalence` (equivalent mutants) compares each copy of a repeated decision with the
    edited decision reading the same results."""
    graph = load_graph("repeat_once.vp")
    model = graph.model
    after = model.decision("after_repeat")
    # the benign repeat now refers: only a patient whose second result is benign tells them apart
    edited_rules = tuple(replace(r, end="refer") if r.index == 1 else r for r in after.rules)
    changed = replace(after, rules=edited_rules)
    edited = lower(replace(model, decisions=tuple(changed if d.name == after.name else d for d in model.decisions)))
    diff = compare_decision(graph, changed, edited, DEFAULT_OPTIONS)
    assert diff.verdict is Verdict.REFUTED and diff.patient is not None
    assert (diff.patient["us_result"], diff.patient["us_result#2"]) == ("nondiagnostic", "benign")
    # the same rules in another order, under 'unique': the same decision
    same = replace(after, rules=tuple(reversed(after.rules)))
    edited = lower(replace(model, decisions=tuple(same if d.name == after.name else d for d in model.decisions)))
    assert compare_decision(graph, same, edited, DEFAULT_OPTIONS).verdict is Verdict.PROVED


def test_a_property_condition_reads_the_latest_result(tmp_path: Path) -> None:
    """`when us_result == nondiagnostic never core_biopsy`: checked at each order of the biopsy
    with the latest ultrasound there (`verify.paths.Known` tracks it, and resumes past an order
    where the condition does not hold). Reading the first result instead would report the
    suspicious repeat after a nondiagnostic first look, which the property allows."""
    spec = DATA / "planted_repeat_property.vp"
    violated = verify_graph(load_graph(spec)).by_check()["property:no_blind_biopsy"]
    assert violated.verdict is Verdict.REFUTED and violated.diagnostic is not None
    assert violated.diagnostic.counterexample is not None
    shown = violated.diagnostic.counterexample.values()
    assert (shown["urgent"], shown["us_result"]) == (True, ("nondiagnostic", "nondiagnostic"))
    # without the urgent biopsy after two nondiagnostic looks, every biopsy follows a suspicious latest result
    text = spec.read_text(encoding="utf-8")
    blind = "when us_result == nondiagnostic and urgent order core_biopsy end refer"
    assert blind in text
    fixed = tmp_path / "fixed.vp"
    fixed.write_text(text.replace(blind, "when us_result == nondiagnostic and urgent order mri end refer"), "utf-8")
    proved = verify_graph(load_graph(fixed)).by_check()["property:no_blind_biopsy"]
    assert proved.verdict is Verdict.PROVED
