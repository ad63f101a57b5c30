"""Golden model dumps: every grammar construct, parsed and resolved, against a reviewed text dump.

Each `tests/data/dsl/<case>.vp` sits beside `<case>.expected.txt`; run pytest with
`--update-golden` to rewrite the expected files after an intended change (then review the diff).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lark import Token

from dsl.parser import _parser
from dsl.resolve import CONTRASTS, MODALITIES, RADIATION_LEVELS
from dsl.units import UNITS
from tests.dsl.dump import dump
from tests.dsl.support import DATA, case_id, cases, check_golden
from veripath.api import load_spec

GOLDEN = DATA / "dsl"
CASES = cases(GOLDEN)


def test_there_are_golden_cases() -> None:
    assert len(CASES) >= 8


@pytest.mark.parametrize("spec", CASES, ids=case_id)
def test_model_dump(spec: Path, update_golden: bool) -> None:
    loaded = load_spec(str(spec))
    assert [str(d.span) + ": " + d.message for d in loaded.diagnostics] == []
    assert loaded.model is not None
    if loaded.model.kind == "guideline":
        assert loaded.graph is not None
    check_golden(dump(loaded.model, base=str(GOLDEN)), spec.with_suffix(".expected.txt"), update_golden)


# -- the golden cases cover the whole grammar -----------------------------------------------------


def _grammar_constructs() -> set[str]:
    """Every tree the grammar can build: each alias, and each rule that is not inlined ('?rule')."""
    rules = _parser().rules
    named = {str(r.alias) for r in rules if r.alias}
    plain = {str(r.origin.name) for r in rules if not r.alias and not (r.options and r.options.expand1)}
    return {n for n in named | plain if not n.startswith("_")}


def _closed_terminal_values(name: str) -> set[str]:
    if name == "UNIT":
        return set(UNITS)  # the grammar's list is checked against dsl.units below
    (term,) = [t for t in _parser().terminals if t.name == name]
    body = term.pattern.value.replace("(?:", "").replace("(", "").replace(")", "").replace("\\b", "")
    return set(body.split("|"))


def test_the_grammar_admits_exactly_the_units_of_dsl_units() -> None:
    (term,) = [t for t in _parser().terminals if t.name == "UNIT"]
    body, _, lookahead = term.pattern.value.partition(")(?!")
    assert {alt.replace("\\", "") for alt in body.lstrip("(").split("|")} == set(UNITS)
    pattern = re.compile(term.pattern.value)
    for unit in UNITS:
        assert pattern.fullmatch(unit), unit
        assert not pattern.match(unit + "x") and not pattern.match(unit + "/"), unit  # no prefix of a longer word
    assert lookahead


def _parsed_golden() -> tuple[set[str], dict[str, set[str]]]:
    trees: set[str] = set()
    values: dict[str, set[str]] = {}
    for case in CASES:
        tree = _parser().parse(case.read_text(encoding="utf-8"))
        trees.update(str(t.data) for t in tree.iter_subtrees())
        for tok in tree.scan_values(lambda v: isinstance(v, Token)):
            values.setdefault(tok.type, set()).add(str(tok))
    return trees, values


def test_golden_cases_use_every_grammar_construct() -> None:
    trees, _ = _parsed_golden()
    assert _grammar_constructs() - trees == set()


@pytest.mark.parametrize("terminal", ["ACTION_KIND", "URGENCY", "HIT_POLICY", "UNIT", "COMPARATOR", "DISAGREEMENT"])
def test_golden_cases_use_every_keyword_value(terminal: str) -> None:
    _, values = _parsed_golden()
    assert _closed_terminal_values(terminal) - values.get(terminal, set()) == set()


def test_golden_cases_use_every_attribute_value() -> None:
    """Modalities, contrasts and radiation levels are names checked by the resolver, not the grammar."""
    actions = load_spec(str(GOLDEN / "actions.vp")).model
    assert actions is not None
    assert {a.modality for a in actions.actions} >= set(MODALITIES)
    assert {a.contrast for a in actions.actions} >= set(CONTRASTS)
    assert {a.radiation for a in actions.actions} | {a.pediatric_radiation for a in actions.actions} >= set(
        RADIATION_LEVELS
    )
    assert {d.kind for d in actions.dispositions} == {"reassure", "follow_up", "refer", "uncovered", "discharge"}
    assert {a.kind for a in actions.actions} == {"imaging", "procedure", "referral"}


def test_no_orphan_golden_files() -> None:
    orphans = [p.name for p in GOLDEN.glob("*.expected.txt") if not p.with_name(p.name.split(".")[0] + ".vp").exists()]
    assert orphans == []
