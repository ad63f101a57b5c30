"""Examples are three-valued: facts left out are unknown.

An example must determine its own path: at every decision on it, the given facts must decide
which rule applies under the hit policy (else VP308 names the facts the decision needs). Its facts
must not break an assumption (VP318; an assumption that reads a fact left out is unknown, not
broken), and every fact it gives must be read by a decision on its path or by an assumption
(else the example passes with a VP319 warning).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dsl import model as m
from dsl.codes import EXAMPLE_BREAKS_ASSUMPTION, EXAMPLE_FAILED, UNREAD_EXAMPLE_FACT
from dsl.source import Span
from tests.verify import reference as ref
from tests.verify.helpers import load_graph
from tests.verify.specgen import RANDOM_SPECS, Built, load_random, specs
from verify import Verdict, run_examples, simulate
from verify.examples import broken_assumptions, check_example, unread_facts
from verify.results import CheckResult
from veripath.api import load_spec


def _results(name: str) -> dict[str, CheckResult]:
    return run_examples(load_graph(name)).by_check()


def test_facts_that_break_an_assumption_name_it() -> None:
    by = _results("example_facts.vp")
    d = by["example:pregnant man"].diagnostic
    assert by["example:pregnant man"].verdict is Verdict.REFUTED
    assert d is not None and d.code is EXAMPLE_BREAKS_ASSUMPTION and d.is_error
    assert d.message == (
        "example 'pregnant man' breaks the assumption 'pregnancy only in female patients': sex = male, pregnant = true"
    )
    assert d.hint == (
        "every patient satisfies the assumptions, so no patient has these facts: "
        "correct the example's facts (or the assumption)"
    )
    assert d.span is not None and (d.span.line, d.span.column, d.span.end_column) == (43, 9, 19)  # sex = male
    assert [(n.message, n.span.line if n.span else None) for n in d.notes] == [
        ("assumption 'pregnancy only in female patients'", 18)
    ]
    assert d.counterexample is not None and not d.counterexample.path  # the example is not run

    two = by["example:too large, and a pregnant man"].diagnostic
    assert two is not None
    assert two.message == (
        "example 'too large, and a pregnant man' breaks the assumptions "
        "'pregnancy only in female patients', 'size_cm <= 50 cm': pregnant = true, size_cm = 55 cm, sex = male"
    )
    assert [n.message for n in two.notes] == [
        "assumption 'pregnancy only in female patients'",
        "assumption 'size_cm <= 50 cm'",
    ]


def test_a_fact_left_out_makes_an_assumption_unknown_not_broken() -> None:
    by = _results("example_facts.vp")
    assert by["example:pregnant, sex left out"].verdict is Verdict.PROVED
    assert by["example:pregnant, sex left out"].diagnostic is None


def test_facts_the_path_never_reads_are_a_warning() -> None:
    by = _results("example_facts.vp")
    assert by["example:every fact counts"].diagnostic is None  # age: read by an assumption only
    finding = by["example:a finding of a study never ordered"]
    assert finding.verdict is Verdict.PROVED  # the example passes
    d = finding.diagnostic
    assert d is not None and d.code is UNREAD_EXAMPLE_FACT and not d.is_error
    assert d.message == (
        "example 'a finding of a study never ordered' gives 'mri_result', "
        "which no decision on its path (and no assumption) reads"
    )
    assert d.hint == "delete the fact, or check the path shown: the example may not take the one you meant"
    assert d.span is not None and (d.span.line, d.span.column, d.span.end_column) == (54, 64, 83)
    assert d.counterexample is not None
    assert [s.kind for s in d.counterexample.path] == ["decision", "order", "finding", "decision", "end"]

    inputs = by["example:an input no decision on the path tests"].diagnostic
    assert inputs is not None
    assert inputs.message == (
        "example 'an input no decision on the path tests' gives 'pain', "
        "which no decision on its path (and no assumption) reads"
    )


HEAD = """guideline g "G" version "1"
source s "S"
input a: bool
input b: bool
disposition x "X" reassure
disposition y "Y" refer
start d
"""


def _run(tmp_path: Path, decision: str, given: str) -> CheckResult:
    spec = tmp_path / "g.vp"
    spec.write_text(
        f'{HEAD}{decision}example "e" cite s\n  given {given}\n  expect end x\n',
        encoding="utf-8",
    )
    loaded = load_spec(str(spec))
    assert loaded.graph is not None, [str(d) for d in loaded.diagnostics]
    (result,) = run_examples(loaded.graph).results
    return result


NEEDS_B = "example 'e' does not give a value for 'b', needed at decision 'd'"
FIRST, UNIQUE, ANY, PRIORITY = (f'decision d "D" {p}\n' for p in ("first", "unique", "any", "priority"))


def _rule(cond: str | None, end: str, rating: str = 'unrated "t"') -> str:
    guard = "otherwise" if cond is None else f"when {cond}"
    return f"  {guard} end {end} {rating} cite s\n"


def _rated(cond: str | None, end: str, score: int) -> str:
    category = {9: "usually_appropriate", 5: "may_be_appropriate", 1: "usually_not_appropriate"}[score]
    return _rule(cond, end, f"rated {category} {score}")


@pytest.mark.parametrize(
    ("decision", "given", "failure"),
    [
        # first: the first rule that is true applies only if every earlier rule is false
        (FIRST + _rule("b", "y") + _rule("a", "x"), "a = true", NEEDS_B),
        (FIRST + _rule("a", "x") + _rule("b", "y"), "a = true", None),
        (FIRST + _rule("a and b", "y") + _rule(None, "x"), "a = false", None),
        # unique and any: a rule that is true applies (the verifier proves no other rule can match)
        (UNIQUE + _rule("a", "x") + _rule("not a and b", "y"), "a = true", None),
        (UNIQUE + _rule("a and b", "y") + _rule(None, "x"), "a = true", NEEDS_B),  # otherwise: no earlier rule
        (ANY + _rule("a", "x") + _rule("b", "x"), "a = true", None),
        (ANY + _rule("a", "x") + _rule("b", "x"), "a = false", NEEDS_B),
        # priority: the best true rule applies only if no unknown rule scores as high
        (PRIORITY + _rated("a", "x", 9) + _rated("b", "y", 5) + _rated(None, "y", 1), "a = true", None),
        (PRIORITY + _rated("a", "x", 5) + _rated("b", "y", 9) + _rated(None, "y", 1), "a = true", NEEDS_B),
    ],
)
def test_the_given_facts_must_determine_the_path(
    tmp_path: Path, decision: str, given: str, failure: str | None
) -> None:
    result = _run(tmp_path, decision, given)
    if failure is None:
        assert result.verdict is Verdict.PROVED and result.diagnostic is None
    else:
        assert result.verdict is Verdict.REFUTED and result.diagnostic is not None
        assert result.diagnostic.code is EXAMPLE_FAILED
        assert result.diagnostic.message == failure
        assert result.diagnostic.hint == "add the value to 'given', or check that the example takes the path you meant"


@settings(RANDOM_SPECS, max_examples=60)
@given(built=specs(), data=st.data())
def test_three_valued_examples_agree_with_every_completion(
    built: Built, data: st.DataObject, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Brute force over random specs and random partial patients (facts left out at random):
    - an assumption is broken (VP318) only if no completion of the facts satisfies it;
    - an example that reaches a disposition gets the orders and disposition of every completion
      of its facts that satisfies the assumptions (the given facts determine the path);
    - a fact reported as unread (VP319) can take any value without changing the outcome."""
    graph = load_random(built, tmp_path_factory.mktemp("spec"))
    model = graph.model
    # every result of a repeated study is a fact of its own (`res#2`), given only after the earlier ones
    domains = {v.name: ref.domain(model, model.variable(v.finding)) for v in graph.fresh_model.variables}
    everyone = list(ref.patients(model, graph))
    for _ in range(4):
        given: dict[str, m.Value] = {}
        for n, values in domains.items():
            name, k = m.split_result(n)
            if data.draw(st.integers(0, 5)) > 0 and (k == 1 or m.result_key(name, k - 1) in given):
                given[n] = data.draw(st.sampled_from(values))
        completions = [p for p in everyone if all(p[n] == v for n, v in given.items())]
        broken = broken_assumptions(model, m.gather_facts(given))
        assert not (broken and completions), built.text  # (completions satisfy every assumption)
        trace = simulate(graph, given)
        example = m.Example(
            title="e",
            citations=(),
            given=tuple(m.gather_facts(given).items()),
            expect_orders=m.expand_orders(trace.orders)[0],  # at each choice, the first option
            expect_end=trace.end or model.dispositions[0].name,
            span=Span.point("rnd.vp", 1, 1),
        )
        result = check_example(graph, example, "example:e")
        if broken:
            assert result.diagnostic is not None and result.diagnostic.code is EXAMPLE_BREAKS_ASSUMPTION
            continue
        if trace.error is not None:
            assert result.verdict is Verdict.REFUTED
            continue
        assert result.verdict is Verdict.PROVED
        for p in completions:
            paths = ref.paths(graph, p)
            assert any(
                m.orders_match(tuple(ref.orders(graph, path)), trace.orders) and path.nodes[-1] == f"end:{trace.end}"
                for path in paths
            ), (built.text, given, p)
        unread = unread_facts(graph, given, trace)
        assert (result.diagnostic is not None) == bool(unread)
        for name in unread:
            for value in domains[name]:
                again = simulate(graph, {**given, name: value})
                assert (again.orders, again.end) == (trace.orders, trace.end), (built.text, given, name, value)
