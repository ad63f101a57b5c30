"""Boxes: extraction is exact (or a superset), and the uncovered search is a partition."""

from __future__ import annotations

import itertools
import random
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dsl import model as m
from tests.verify import reference as ref
from tests.verify.specgen import conditions
from verify.bitset import bits_of, iter_bits
from verify.box import Box, Item, contains, intersects
from verify.boxindex import BoxIndex, RuleBoxes, _OrderedIndex
from verify.evaluate import evaluate, evaluate3
from verify.extract import extract
from verify.overlaps import overlapping_pairs
from verify.space import Space, nice_value
from verify.uncovered import Uncovered, widen
from veripath.api import load_spec

SETTINGS = settings(
    deadline=None,
    derandomize=True,
    max_examples=60,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
INPUTS = ("e", "f", "n", "x")
HEADER = """guideline b "B" version "1"
source s "S"
input e: a | b | c
input f: bool
input n: integer in [0, 5]
input x: number in [0, 10]
disposition d1 "D1" reassure
start k
decision k "K" unique
"""


def _model(conds: list[str], tmp: Path) -> m.Model:
    text = HEADER + "".join(f'  when {c} end d1 unrated "u" cite s\n' for c in conds)
    path = tmp / "b.vp"
    path.write_text(text, encoding="utf-8")
    loaded = load_spec(str(path))
    assert loaded.model is not None, [str(d) for d in loaded.diagnostics]
    return loaded.model


def _points(model: m.Model) -> list[dict[str, m.Value]]:
    return list(ref.patients(model))


@SETTINGS
@given(texts=st.lists(conditions(INPUTS, False), min_size=1, max_size=4))
def test_extraction_is_exact_or_a_superset(texts: list[str], tmp_path_factory: pytest.TempPathFactory) -> None:
    model = _model(texts, tmp_path_factory.mktemp("b"))
    rules = model.decision("k").rules
    space = Space(model, [r.cond for r in rules])
    for rule in rules:
        ext = extract(space, rule.cond)
        for p in _points(model):
            inside = ext.box is not None and space.contains_patient(ext.box, p)
            truth = evaluate(rule.cond, p)
            if ext.exact:
                assert inside == truth, (rule.cond, p)
            elif truth:
                assert inside, (rule.cond, p)


@SETTINGS
@given(texts=st.lists(conditions(INPUTS, False), min_size=1, max_size=5))
def test_uncovered_pieces_partition_the_complement(texts: list[str], tmp_path_factory: pytest.TempPathFactory) -> None:
    model = _model(texts, tmp_path_factory.mktemp("b"))
    rules = model.decision("k").rules
    space = Space(model, [r.cond for r in rules])
    exts = [extract(space, r.cond) for r in rules]
    covers = [e.box for e in exts if e.exact and e.box is not None]
    pieces = list(Uncovered(space, covers, space.full))
    for a, b in itertools.combinations(pieces, 2):
        assert not intersects(a, b)
    index = BoxIndex(space, covers)
    for piece in pieces:
        assert not any(intersects(piece, c) for c in covers)
        wide = widen(space, piece, index)
        assert contains(wide, piece)
        assert not any(intersects(wide, c) for c in covers)
        assert space.describe(wide)
    for p in _points(model):
        point = space.point_box(p)
        covered = any(intersects(point, c) for c in covers)
        holders = [q for q in pieces if intersects(point, q)]
        assert len(holders) == (0 if covered else 1)


@SETTINGS
@given(texts=st.lists(conditions(INPUTS, False), min_size=2, max_size=6))
def test_index_candidates_are_a_superset(texts: list[str], tmp_path_factory: pytest.TempPathFactory) -> None:
    model = _model(texts, tmp_path_factory.mktemp("b"))
    rules = model.decision("k").rules
    space = Space(model, [r.cond for r in rules])
    boxes = [extract(space, r.cond).box for r in rules]
    index = BoxIndex(space, boxes)
    for a in boxes:
        if a is None:
            continue
        cands = set(iter_bits(index.candidates(a)))
        for j, b in enumerate(boxes):
            if b is not None and intersects(a, b):
                assert j in cands
        assert set(index.meeting(a)) == {j for j, b in enumerate(boxes) if b is not None and intersects(a, b)}


@pytest.mark.parametrize("group", [2, 8, 1024])
@pytest.mark.parametrize("seed", range(6))
def test_overlapping_pairs_are_exactly_the_meeting_pairs(
    seed: int, group: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The join finds every pair of meeting boxes once, whatever their layout and however small its
    groups: many small boxes (split), a few wide ones straddling every cut, copies of one box (no
    split separates them)."""
    monkeypatch.setattr("verify.overlaps.OVERLAP_GROUP", group)
    model = _model(["e == a and f and n < 3 and x < 5 and x > 2 and x < 7"], tmp_path)
    space = Space(model, [r.cond for r in model.decision("k").rules])
    rng = random.Random(seed)

    def item(i: int) -> Item:
        full = space.full[i]
        if isinstance(full, int):
            return rng.randrange(1, full + 1)
        a = rng.randint(full[0], full[1])
        return (a, rng.randint(a, min(full[1], a + rng.choice([0, 1, 3, full[1]]))))

    boxes: list[Box | None] = [tuple(item(i) for i in range(len(space.dims))) for _ in range(150 + 40 * seed)]
    boxes[3] = None
    boxes.extend([boxes[0]] * (20 if seed % 2 else 0))
    ids = [k for k in range(len(boxes)) if k % 7 != 5]
    got = overlapping_pairs(space, boxes, ids)
    want: dict[int, list[int]] = {}
    for i, j in itertools.combinations(ids, 2):
        a, b = boxes[i], boxes[j]
        if a is not None and b is not None and intersects(a, b):
            want.setdefault(i, []).append(j)
    assert got == want


def test_ordered_index_with_many_distinct_bounds() -> None:
    """More distinct bounds than checkpoints: queries round up, never lose a rule."""
    ranges: list[tuple[int, int] | None] = [(k, k + 3) for k in range(0, 10000, 2)]
    ranges.append(None)
    index = _OrderedIndex(ranges, len(ranges))
    assert not index.starts_exact
    for a, b in [(0, 0), (5, 9), (1001, 1001), (1990, 5000), (9990, 20000), (-5, -1)]:
        got = set(iter_bits(index.query(a, b)))
        want = {k for k, r in enumerate(ranges) if r is not None and r[0] <= b and r[1] >= a}
        assert want <= got


@pytest.mark.parametrize(
    ("lo", "lo_open", "hi", "hi_open", "want"),
    [
        (Fraction(0), False, Fraction(60), False, Fraction(0)),
        (Fraction(5), True, Fraction(60), False, Fraction(6)),
        (Fraction(5), False, Fraction(10), True, Fraction(5)),
        (Fraction(-10), False, Fraction(-2), True, Fraction(-3)),
        (Fraction(1, 10), True, Fraction(2, 10), True, Fraction(3, 20)),
        (Fraction(5), True, Fraction(6), True, Fraction(11, 2)),
        (Fraction(1, 3), False, Fraction(1, 3), False, Fraction(1, 3)),
    ],
)
def test_nice_values(lo: Fraction, lo_open: bool, hi: Fraction, hi_open: bool, want: Fraction) -> None:
    assert nice_value(lo, lo_open, hi, hi_open) == want


def test_bitsets() -> None:
    assert bits_of([0, 3, 9], 10) == 0b1000001001
    assert list(iter_bits(0b1000001001)) == [0, 3, 9]
    big = bits_of(list(range(0, 300, 3)), 300)
    assert list(iter_bits(big)) == list(range(0, 300, 3))


@SETTINGS
@given(texts=st.lists(conditions(INPUTS, False), min_size=1, max_size=3))
def test_compiled_evaluation_equals_the_interpreter(texts: list[str], tmp_path_factory: pytest.TempPathFactory) -> None:
    model = _model(texts, tmp_path_factory.mktemp("b"))
    for rule in model.decision("k").rules:
        for p in _points(model):
            assert evaluate(rule.cond, p) == evaluate3(rule.cond, p)


@SETTINGS
@given(texts=st.lists(conditions(INPUTS, False), min_size=1, max_size=5))
def test_rule_boxes_equal_extraction_and_evaluation(texts: list[str], tmp_path_factory: pytest.TempPathFactory) -> None:
    """The rule boxes (conjunctions extracted in one walk) are those of `Space` and `extract`, and
    the rules they find for a patient are those whose condition holds."""
    model = _model(texts, tmp_path_factory.mktemp("b"))
    decision = model.decisions[0]
    rb = RuleBoxes(model, decision)
    space = Space(model, [r.cond for r in decision.rules])
    assert rb.space.dims == space.dims
    assert rb.space.constants == space.constants
    for rule, box, exact in zip(decision.rules, rb.boxes, rb.exact, strict=True):
        assert (box, exact) == (extract(space, rule.cond).box, extract(space, rule.cond).exact)
    for p in _points(model):
        want = tuple(r.index for r in decision.rules if evaluate(r.cond, p))
        assert rb.matching(p) == want
        assert rb.first(p) == want[:1]
