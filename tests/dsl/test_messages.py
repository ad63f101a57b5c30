"""Messages that used to mislead, and the bounds on loop unrolling."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import compiler.lower  # noqa: F401  (the package exports the function under the module's name)
from dsl.cond import compares
from veripath.api import SpecError, compile, load_spec

lowering = sys.modules["compiler.lower"]

HEAD = 'guideline g "G" version "1"\nsource s "S"\ndisposition ok "OK" reassure\n'


def _write(tmp_path: Path, body: str) -> str:
    spec = tmp_path / "g.vp"
    spec.write_text(HEAD + body, encoding="utf-8")
    return str(spec)


def test_a_use_of_a_rejected_input_is_not_a_second_error(tmp_path: Path) -> None:
    spec = _write(
        tmp_path,
        'input age "Age": integer in [120, 0] years\nstart d\ndecision d "D" first\n'
        "  when age > 5 end ok rated usually_appropriate 9 cite s\n"
        "  otherwise end ok rated usually_appropriate 9 cite s\n",
    )
    diags = load_spec(spec).diagnostics
    assert [d.code.code for d in diags] == ["VP216"]
    assert all("not an input or finding" not in d.message for d in diags)


LOOP = (
    "input again: bool\nstart review\n"
    'decision review "Review" first at most {n} visits\n'
    "  when again then review rated usually_appropriate 9 cite s\n"
    "  otherwise end ok rated usually_appropriate 9 cite s\n"
)


def test_the_largest_visit_bound_is_accepted(tmp_path: Path) -> None:
    loaded = load_spec(_write(tmp_path, LOOP.format(n=lowering.MAX_VISITS)))
    assert loaded.diagnostics == [] and loaded.graph is not None
    assert f"decision:review@{lowering.MAX_VISITS - 1}" in loaded.graph.graph


@pytest.mark.parametrize("n", [lowering.MAX_VISITS + 1, 100_000, 10**20])
def test_visit_bounds_above_the_limit_are_rejected(tmp_path: Path, n: int) -> None:
    loaded = load_spec(_write(tmp_path, LOOP.format(n=n)))
    assert [(d.code.code, d.message) for d in loaded.diagnostics] == [
        ("VP221", f"a visit bound must be at most {lowering.MAX_VISITS}, not {n:,}")
    ]
    assert loaded.graph is None


def test_a_graph_over_the_size_limit_is_a_diagnostic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lowering, "MAX_GRAPH_SIZE", 50)
    loaded = load_spec(_write(tmp_path, LOOP.format(n=40)))
    (d,) = loaded.diagnostics
    assert d.code.code == "VP224" and d.span is not None and d.span.line == 6
    assert (
        d.message
        == "the decision graph would have more than 50 nodes and edges once the loops through 'review' are unrolled"
    )
    assert loaded.graph is None and loaded.model is not None
    with pytest.raises(SpecError) as err:
        compile(loaded.model)
    assert [x.code.code for x in err.value.diagnostics] == ["VP224"]


COMPARE = (
    'input age: integer in [0, 120] years\nstart d\ndecision d "D" first\n'
    "  when age {op} 40 end ok rated usually_appropriate 9 cite s\n"
    "  otherwise end ok rated usually_appropriate 9 cite s\n"
)


@pytest.mark.parametrize(
    ("op", "hint"),
    [
        ("\u2265", "write '>=' for '\u2265': operators are written in plain ASCII"),
        ("\u2264", "write '<=' for '\u2264': operators are written in plain ASCII"),
        ("\u2260", "write '!=' for '\u2260': operators are written in plain ASCII"),
        ("\u2192", "write 'implies' for '\u2192': operators are written in plain ASCII"),
        ("\u2208", "write 'in' for '\u2208': operators are written in plain ASCII"),
        ("\u201c", 'strings use straight double quotes (")'),
        ("\u2019", 'strings use straight double quotes (")'),
        ("\u00a0", "a non-breaking or invisible space: retype it as an ordinary space"),
        ("\u00e9", "names, numbers and operators are plain ASCII; other characters belong in strings or comments"),
        (";", "comments start with '#'"),
    ],
)
def test_typographic_operators_get_the_ascii_one(tmp_path: Path, op: str, hint: str) -> None:
    """`age ≥ 40` used to get "comments start with '#'"."""
    (d,) = load_spec(_write(tmp_path, COMPARE.format(op=op))).diagnostics
    assert (d.code.code, d.message, d.hint) == ("VP102", f"unexpected character {op!r}", hint)
    assert d.span is not None and (d.span.line, d.span.column) == (7, 12)


@pytest.mark.parametrize(
    ("decl", "where", "message", "hint"),
    [
        (
            "input depth: superficial\n",
            (4, 14, 4, 25),
            "an enumeration needs two or more values; this one has only 'superficial'",
            "separate the values with '|' (superficial | deep), or declare a yes/no input as 'bool'",
        ),
        (
            "input depth: superficial |\n",
            (4, 14, 4, 27),
            "an enumeration needs two or more values; this one has only 'superficial'",
            "separate the values with '|' (superficial | deep), or declare a yes/no input as 'bool'",
        ),
        (
            'action us "US" imaging\nfinding us_result from us: benign\n',
            (5, 28, 5, 34),
            "an enumeration needs two or more values; this one has only 'benign'",
            "separate the values with '|' (benign | suspicious)",
        ),
        (
            "input depth: superficial | deep |\n",
            (4, 33, 4, 34),
            "the enumeration ends with '|'",
            "add the value that follows the '|', or delete the '|'",
        ),
    ],
)
def test_a_one_value_enumeration_is_reported_where_it_is(
    tmp_path: Path, decl: str, where: tuple[int, int, int, int], message: str, hint: str
) -> None:
    """It used to be "unexpected 'start'", at the next line."""
    (d,) = load_spec(_write(tmp_path, decl + "start d\n")).diagnostics
    assert d.span is not None
    assert (d.code.code, d.message, d.hint) == ("VP118", message, hint)
    assert (d.span.line, d.span.column, d.span.end_line, d.span.end_column) == where


EXAMPLE = (
    'input age: integer in [0, 120] years\nstart d\ndecision d "D" first\n'
    "  otherwise end ok rated usually_appropriate 9 cite s\n"
    'example "e"{cite}\n  given age = {age}\n  expect end ok\n'
)


def test_an_out_of_range_example_value_names_the_range(tmp_path: Path) -> None:
    """It used to say "the comparison is constant for every patient" (there is no comparison)."""
    (d,) = load_spec(_write(tmp_path, EXAMPLE.format(cite=" cite s", age="1452 months"))).diagnostics
    assert (d.code.code, d.message, d.hint) == (
        "VP218",
        "1452 months is outside the declared range of 'age' (integer in [0, 120] years)",
        "an example describes a patient the pathway is for: correct the value, "
        "or widen the input's range if real patients lie outside it",
    )
    assert d.span is not None and (d.span.line, d.span.column, d.span.end_column) == (9, 15, 26)


def test_an_example_without_a_citation_is_an_error(tmp_path: Path) -> None:
    (d,) = load_spec(_write(tmp_path, EXAMPLE.format(cite="", age="40"))).diagnostics
    assert (d.code.code, d.message, d.hint) == (
        "VP212",
        "example 'e' has no citation",
        'add: cite SOURCE "where in the source" (the case or the passage the example checks)',
    )
    assert d.is_error and d.span is not None and (d.span.line, d.span.column) == (8, 1)


def test_conditional_ordering_is_a_property_not_a_syntax_error(tmp_path: Path) -> None:
    """`when C never A before B` used to stop at "unexpected 'before'"; it is a property form now."""
    spec = _write(
        tmp_path,
        'input pregnant: bool\naction us "US" imaging modality us\naction ct "CT" imaging modality ct\n'
        "start d\n"
        'decision d "D" first\n'
        "  when pregnant order us, ct end ok rated usually_appropriate 9 cite s\n"
        "  otherwise order ct end ok rated usually_appropriate 9 cite s\n"
        "property p1: when pregnant never ct before us\n"
        "property p2: when pregnant always us before ct\n"
        "property p3: always us before ct\n",
    )
    loaded = load_spec(spec)
    assert loaded.diagnostics == [] and loaded.model is not None
    kinds = [(p.kind, p.condition is not None) for p in loaded.model.properties]
    assert kinds == [("never_before", True), ("always_before", True), ("always_before", False)]


# -- numbers and units (issue 9) ----------------------------------------------------------------

AGE = 'input age "Age": integer in [0, 120] years\nstart d\ndecision d "D" first\n'
RULE = (
    "  when {cond} end ok rated usually_appropriate 9 cite s\n  otherwise end ok rated usually_appropriate 9 cite s\n"
)


def _diagnostics(tmp_path: Path, body: str) -> list[tuple[str, str, str | None]]:
    return [(d.code.code, d.message, d.hint) for d in load_spec(_write(tmp_path, body)).diagnostics]


def test_an_unknown_unit_lists_the_units(tmp_path: Path) -> None:
    """It used to list the top-level keywords ("expected 'action', 'assume', ...")."""
    assert _diagnostics(tmp_path, "input score: integer in [0, 10] pts\n") == [
        (
            "VP115",
            "unknown unit 'pts'",
            "did you mean 'points'? the units are: mm, cm, m, g, kg, mL, L, minutes, hours, days, weeks, months, "
            "years, points, percent, %, mL/min, mL/min/1.73m2, mg/dL, umol/L, mmol/L",
        )
    ]
    assert _diagnostics(tmp_path, AGE + RULE.format(cond="age > 40 decades")) == [
        (
            "VP115",
            "unknown unit 'decades'",
            "the units are: mm, cm, m, g, kg, mL, L, minutes, hours, days, weeks, months, years, points, percent, %, "
            "mL/min, mL/min/1.73m2, mg/dL, umol/L, mmol/L",
        )
    ]


def test_a_misspelt_keyword_after_a_number_is_not_an_unknown_unit(tmp_path: Path) -> None:
    (d,) = load_spec(_write(tmp_path, AGE + "  when age > 40 edn ok rated usually_appropriate 9 cite s\n")).diagnostics
    assert d.code.code == "VP103" and d.message == "unexpected name 'edn'"


def test_a_range_may_carry_a_unit(tmp_path: Path) -> None:
    """`age in [30, 40) years` used to give "unexpected 'years'"."""
    with_unit = load_spec(_write(tmp_path, AGE + RULE.format(cond="age in [30, 40) years")))
    assert with_unit.diagnostics == [] and with_unit.model is not None
    each = load_spec(_write(tmp_path, AGE + RULE.format(cond="age in [360 months, 40 years)")))
    assert each.model is not None
    (first, *_), (second, *_) = (m.decisions[0].rules for m in (with_unit.model, each.model))
    assert [(c.op, c.left, c.right) for c in compares(first.cond)] == [
        (c.op, c.left, c.right) for c in compares(second.cond)
    ]


def test_arithmetic_is_not_a_comment(tmp_path: Path) -> None:
    """`10 * age` used to give "unexpected character '*'" with the hint "comments start with '#'"."""
    assert _diagnostics(tmp_path, AGE + RULE.format(cond="10 * age > 400 years")) == []


def test_months_against_weeks_say_why_and_what_to_do(tmp_path: Path) -> None:
    body = 'input symptoms: integer in [0, 104] weeks\nstart d\ndecision d "D" first\n'
    assert _diagnostics(tmp_path, body + RULE.format(cond="symptoms > 2 months")) == [
        (
            "VP239",
            "'symptoms' is measured in weeks; months do not convert to weeks: a calendar month is 28 to 31 days "
            "and a year 365 or 366, so there is no exact conversion",
            "give the number in weeks, days, hours or minutes, as the source states it, or declare 'symptoms' in "
            "months or years",
        )
    ]
    assert _diagnostics(tmp_path, body + RULE.format(cond="symptoms > 6 weeks and symptoms < 42 days")) == []


def test_units_of_other_kinds_say_why(tmp_path: Path) -> None:
    body = 'input creatinine: number in [0, 20] mg/dL\nstart d\ndecision d "D" first\n'
    assert _diagnostics(tmp_path, body + RULE.format(cond="creatinine > 100 umol/L")) == [
        (
            "VP205",
            "'creatinine' is measured in mg/dL; umol/L cannot be converted",
            "umol/L and mg/dL do not convert: the factor depends on the substance's molar mass",
        )
    ]


def test_a_product_of_two_variables_names_the_term(tmp_path: Path) -> None:
    body = 'input a_cm: number in [0, 60] cm\ninput b_cm: number in [0, 60] cm\nstart d\ndecision d "D" first\n'
    assert _diagnostics(tmp_path, body + RULE.format(cond="2 * (a_cm * b_cm) > 25")) == [
        (
            "VP238",
            "'a_cm * b_cm' multiplies 'a_cm' by 'b_cm'; a comparison may multiply or divide a variable only by a "
            "constant",
            "conditions stay in linear arithmetic, which the verifier decides exactly for every patient; compare "
            "without the product (a / b > 2 is a > 2 * b when b is positive), or declare the derived quantity as an "
            "input",
        )
    ]
