"""Differential test of `verify.equivalence` on random small specs and random mutants of them.

By brute force over the patients (tests/verify/reference.py): the Z3 verdict is PROVED exactly
when no patient who reaches a changed decision (one, or several for a mutated `define`) gets,
from the two versions, rules with different outcomes (or a rule from one and none from the
other); a PROVED verdict means every patient follows paths with the same orders and ends
through both pathways; a REFUTED verdict's patient is one whose outcome differs.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from compiler import wellformed
from compiler.graph import DecisionGraph
from compiler.lower import lower
from dsl import model as m
from dsl.model import Value
from tests.verify import reference as ref
from tests.verify.specgen import RANDOM_SPECS, Built, specs
from verify.equivalence import compare_decision, compare_decisions
from verify.results import DEFAULT_OPTIONS, Verdict
from veripath.api import load_spec
from veripath.mutate.operators import mutants


def _differs(before: m.Decision, after: m.Decision, p: Mapping[str, Value]) -> bool:
    old = {r.outcome for r in ref.applicable(before, p)}
    new = {r.outcome for r in ref.applicable(after, p)}
    if bool(old) != bool(new):
        return True
    return any(a != b for a in old for b in new)


def _ends(graph: DecisionGraph, p: Mapping[str, Value]) -> set[tuple[tuple[str, ...], str, bool]]:
    return {(tuple(ref.orders(graph, path)), path.nodes[-1], path.stuck) for path in ref.paths(graph, p)}


@settings(RANDOM_SPECS, max_examples=30)
@given(built=specs(), pick=st.integers(0, 10_000))
def test_equivalence_equals_brute_force(built: Built, pick: int, tmp_path_factory: pytest.TempPathFactory) -> None:
    path = tmp_path_factory.mktemp("spec") / "rnd.vp"
    path.write_text(built.text, encoding="utf-8")
    loaded = load_spec(str(path))
    assume(loaded.graph is not None and loaded.read is not None)
    assert loaded.graph is not None and loaded.model is not None and loaded.read is not None
    graph, model = loaded.graph, loaded.model
    found = mutants(model, loaded.read.modules)
    assume(found)
    mu = found[pick % len(found)]
    assume(not mu.changes_assumptions(model))
    edited = lower(mu.apply(model))
    assume(not any(d.is_error for d in wellformed.check(edited)))
    # the patients over the interesting points of both versions' thresholds
    copies = tuple(dataclasses.replace(d, name=f"{d.name}!mutant") for d in mu.decisions)
    # with a result per order of a repeated study in either version
    everyone = list(ref.patients(dataclasses.replace(model, decisions=(*model.decisions, *copies)), graph, edited))

    def differs(p: Mapping[str, Value]) -> bool:
        # at some visit of a changed decision, as it reads the latest results there
        return any(_differs(model.decision(d.name), d, q) for d in mu.decisions for q in ref.visits(graph, p, d.name))

    differing = [p for p in everyone if differs(p)]
    diff = compare_decisions(graph, mu.decisions, edited, DEFAULT_OPTIONS)
    assert diff.verdict is not Verdict.UNKNOWN
    assert (diff.verdict is Verdict.PROVED) == (not differing), (built.text, mu.id, mu.description)
    if diff.verdict is Verdict.PROVED:
        for p in everyone:
            assert _ends(graph, p) == _ends(edited, p), (built.text, mu.id, p)
    else:
        assert diff.patient is not None
        assert differs(diff.patient) or _ends(graph, diff.patient) != _ends(edited, diff.patient), (
            built.text,
            mu.id,
            diff.patient,
        )


def test_an_unreached_decision_is_equivalent_whatever_changes(tmp_path: Path) -> None:
    spec = tmp_path / "x.vp"
    spec.write_text(
        'guideline g "G" version "1"\nsource s "S"\ninput f: bool\nassume: f\n'
        'disposition d1 "D1" reassure\ndisposition d2 "D2" refer\nstart k0\n'
        'decision k0 "K0" first\n  when f end d1 unrated "u" cite s\n  otherwise then k1 unrated "u" cite s\n'
        'decision k1 "K1" first\n  otherwise end d1 unrated "u" cite s\n',
        encoding="utf-8",
    )
    loaded = load_spec(str(spec))
    assert loaded.graph is not None and loaded.model is not None and loaded.read is not None
    (mu,) = [x for x in mutants(loaded.model, loaded.read.modules) if x.id == "k1.r1:swap-end:1"]
    edited = lower(mu.apply(loaded.model))
    assert compare_decision(loaded.graph, mu.decisions[0], edited, DEFAULT_OPTIONS).verdict is Verdict.PROVED
