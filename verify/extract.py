"""Boxes from conditions: the box of a rule's condition, exact or a sound superset.

A condition is a box when it is a conjunction of one-variable constraints (after pushing
negations inward); a disjunction is a box when its parts differ in one dimension and
touch. A comparison of one variable with a constant is a box however the source writes it
(`2 * x + 1 > 6` is `x > 5/2`). Anything else (a comparison of two variables or of a linear
expression over several, a disjunction of unrelated boxes)
gets the smallest box containing it and `exact=False`, so the table checks can still
prune with it and confirm with Z3.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, cast

from dsl import model as m
from dsl.cond import CondVisitor
from dsl.ops import Op
from verify.box import Box, Item, Mask, Range
from verify.space import Space


@dataclass(frozen=True)
class Extracted:
    """A condition as a box: exact, or a sound over-approximation (a superset)."""

    box: Box | None  # None: the condition matches nothing (only when exact)
    exact: bool


def extract(space: Space, cond: m.Cond) -> Extracted:
    """The box of a condition over `space`, exact when the condition is a box.

    The table checks work on these boxes and ask Z3 only about rules that are not exact."""
    sparse, exact = _extract(space, cond, False)
    if sparse is None:
        return Extracted(None, exact)
    full = space.full
    return Extracted(tuple(sparse.get(i, full[i]) for i in range(len(full))), exact)


# Extraction works on sparse boxes (dimension -> item; a missing dimension is unconstrained),
# so that a conjunction of k atoms costs O(k), not O(k * dimensions).
Sparse = dict[int, Item]


def _meet(x: Item, y: Item) -> Item | None:
    """The common part of two items of one dimension, or None when they do not meet."""
    if isinstance(x, int):
        z = x & cast(Mask, y)  # same dimension: same kind
        return z if z else None
    assert isinstance(y, tuple)
    lo, hi = max(x[0], y[0]), min(x[1], y[1])
    return (lo, hi) if lo <= hi else None


def _join(x: Item, y: Item) -> tuple[Item, bool]:
    """The smallest item containing both, and whether it is exactly their union."""
    if isinstance(x, int):
        return x | cast(Mask, y), True  # same dimension: same kind
    assert isinstance(y, tuple)
    exact = not (y[0] > x[1] + 1 or x[0] > y[1] + 1)
    return (min(x[0], y[0]), max(x[1], y[1])), exact


def _within(space: Space, i: int, inner: Item, outer: Item) -> bool:
    """Whether `inner` lies within `outer` (items of dimension i)."""
    if isinstance(outer, int):
        return not cast(Mask, inner) & ~outer  # same dimension: same kind
    assert isinstance(inner, tuple)
    return outer[0] <= inner[0] and inner[1] <= outer[1]


def _sparse_contains(space: Space, outer: Sparse, inner: Sparse) -> bool:
    """Whether the sparse box `outer` contains the sparse box `inner`."""
    return all(_within(space, i, inner.get(i, space.full[i]), x) for i, x in outer.items())


def _sparse_union(space: Space, a: Sparse, b: Sparse) -> tuple[Sparse, bool]:
    """A box containing a ∪ b, and whether it is exactly a ∪ b."""
    if _sparse_contains(space, a, b):
        return a, True
    if _sparse_contains(space, b, a):
        return b, True
    out: Sparse = {}
    differ = 0
    exact = True
    for i in sorted(a.keys() & b.keys()):
        x, y = a[i], b[i]
        if x != y:
            differ += 1
        z, ok = _join(x, y)
        exact = exact and ok
        if z != space.full[i]:
            out[i] = z
    differ += len(a.keys() ^ b.keys())
    return out, exact and differ <= 1


def _atom(space: Space, var: str, items: list[Item]) -> tuple[Sparse | None, bool]:
    """A one-variable constraint given as a union of items."""
    i = space.index[var]
    if not items:
        return None, True
    item = items[0]
    exact = True
    for other in items[1:]:
        item, ok = _join(item, other)
        exact = exact and ok
    if isinstance(item, int) and not item:
        return None, True
    return ({} if item == space.full[i] else {i: item}), exact


def _extract(space: Space, c: m.Cond, neg: bool) -> tuple[Sparse | None, bool]:
    """The sparse box of a condition (`neg`: of its negation), and whether it is exact."""
    return _Extractor.pair(space)[neg].visit(c)


class _Extractor(CondVisitor[tuple[Sparse | None, bool]]):
    """The box of a condition (`neg`: of its negation); `other` extracts with the opposite sign."""

    def __init__(self, space: Space, neg: bool) -> None:
        self.space = space
        self.neg = neg
        self.other: _Extractor = self

    @staticmethod
    def pair(space: Space) -> tuple[_Extractor, _Extractor]:
        """(positive, negative), each the other's `other`."""
        pos, neg = _Extractor(space, False), _Extractor(space, True)
        pos.other, neg.other = neg, pos
        return pos, neg

    def visit_const(self, c: m.Const) -> tuple[Sparse | None, bool]:
        return ({}, True) if c.value != self.neg else (None, True)

    def visit_not(self, c: m.Not) -> tuple[Sparse | None, bool]:
        return self.other.visit(c.operand)

    def visit_bool_var(self, c: m.BoolVar) -> tuple[Sparse | None, bool]:
        return _atom(self.space, c.var, [0b01 if self.neg else 0b10])

    def visit_enum_in(self, c: m.EnumIn) -> tuple[Sparse | None, bool]:
        space = self.space
        d = space.dims[space.index[c.var]]
        mask = 0
        for v in c.values:
            mask |= 1 << d.values.index(v)
        if self.neg:
            mask = ((1 << len(d.values)) - 1) & ~mask
        return _atom(space, c.var, [mask])

    def visit_compare(self, c: m.Compare) -> tuple[Sparse | None, bool]:
        space, neg = self.space, self.neg
        bound = c.bound()
        if bound is None:
            truth = c.constant_truth()
            if truth is not None:
                return ({}, True) if truth != neg else (None, True)
            return {}, False  # several variables (`x < y`, `size_cm > 2 * depth_cm`): not a box
        # one variable, possibly scaled and shifted (`2 * x + 1 > 6` is `x > 5/2`): a box
        op = bound.op.negate() if neg else bound.op
        ranges = space.compare_range(space.index[bound.var], op, bound.value)
        return _atom(space, bound.var, list(ranges))

    def visit_enum_compare(self, c: m.EnumCompare) -> tuple[Sparse | None, bool]:
        return {}, False

    def visit_named(self, c: m.Named) -> tuple[Sparse | None, bool]:
        return self.visit(c.body)

    def visit_and(self, c: m.And) -> tuple[Sparse | None, bool]:
        return self._junction(c.operands, conj=not self.neg)

    def visit_or(self, c: m.Or) -> tuple[Sparse | None, bool]:
        return self._junction(c.operands, conj=self.neg)

    def _junction(self, operands: tuple[m.Cond, ...], conj: bool) -> tuple[Sparse | None, bool]:
        """The box of the operands' meet (`conj`) or join, each extracted with this sign."""
        parts = [self.visit(o) for o in operands]
        if conj:
            box: Sparse = {}
            exact = True
            for b, e in parts:
                if b is None:
                    return None, True  # an empty conjunct (over-approximations are never empty)
                exact = exact and e
                for i, y in b.items():
                    x = box.get(i)
                    if x is None:
                        box[i] = y
                    else:
                        z = _meet(x, y)
                        if z is None:
                            return None, True  # supersets that do not meet: the real sets do not either
                        box[i] = z
            return box, exact
        acc: Sparse | None = None
        exact = True
        for b, e in parts:
            exact = exact and e
            if b is None:
                continue
            if acc is None:
                acc = b
                continue
            acc, ok = _sparse_union(self.space, acc, b)
            exact = exact and ok
        return acc, exact


# -- conjunctions of one-variable atoms, the shape of most rules: extracted without sparse boxes --

AtomKind = Literal["bool", "enum", "compare"]
Atom = tuple[str, AtomKind, Any]
"""A one-variable constraint: (variable, "bool", the value), (variable, "enum", the mask's value set
and whether it is negated), or (variable, "compare", (op, value)) for `variable op value`."""


@dataclass
class Conjunction:
    """A condition that is a conjunction of one-variable atoms (negations pushed in), with the
    variables it reads and the constant of each comparison: what `Space` and `extract` would
    collect from it, in one walk."""

    atoms: list[Atom]
    reads: set[str]


def conjunction(cond: m.Cond) -> Conjunction | None:
    """The condition as a conjunction of atoms, or None when it is not one (a disjunction, a
    comparison of several variables, `!=`, a constant false): then `extract` decides."""
    walker = _Atoms()
    return Conjunction(walker.atoms, walker.reads) if walker.visit(cond) else None


class _Atoms(CondVisitor[bool]):
    """Collects the atoms of a conjunction (`neg`: of the negation of the node being visited)."""

    def __init__(self) -> None:
        self.atoms: list[Atom] = []
        self.reads: set[str] = set()
        self.neg = False

    def visit_const(self, c: m.Const) -> bool:
        return c.value != self.neg  # true adds nothing; false is the empty box (left to `extract`)

    def visit_bool_var(self, c: m.BoolVar) -> bool:
        self.atoms.append((c.var, "bool", not self.neg))
        self.reads.add(c.var)
        return True

    def visit_enum_in(self, c: m.EnumIn) -> bool:
        self.atoms.append((c.var, "enum", (c.values, self.neg)))
        self.reads.add(c.var)
        return True

    def visit_compare(self, c: m.Compare) -> bool:
        bound = c.bound()
        if bound is None:
            return False
        op = bound.op.negate() if self.neg else bound.op
        if op is Op.NE:
            return False  # two ranges
        self.atoms.append((bound.var, "compare", (op, bound.value)))
        if len(c.left.terms) + len(c.right.terms) == 1:
            self.reads.add(bound.var)
        else:  # `x + y - y < 3` reads y too
            self.reads.update(c.left.vars)
            self.reads.update(c.right.vars)
        return True

    def visit_enum_compare(self, c: m.EnumCompare) -> bool:
        return False

    def visit_not(self, c: m.Not) -> bool:
        self.neg = not self.neg
        try:
            return self.visit(c.operand)
        finally:
            self.neg = not self.neg

    def visit_and(self, c: m.And) -> bool:
        return not self.neg and self._all(c.operands)

    def visit_or(self, c: m.Or) -> bool:
        return self.neg and self._all(c.operands)  # not (a or b) = not a and not b

    def _all(self, operands: tuple[m.Cond, ...]) -> bool:
        return all(self.visit(o) for o in operands)

    def visit_named(self, c: m.Named) -> bool:
        return self.visit(c.body)


class AtomBoxes:
    """Boxes of conjunctions over one space: the box `extract` gives (always exact), built item by item."""

    def __init__(self, space: Space) -> None:
        self.space = space
        self.bits = [{v: 1 << k for k, v in enumerate(d.values)} for d in space.dims]
        self.enum_full = [(1 << len(d.values)) - 1 for d in space.dims]
        # (dimension, op, numerator, denominator) -> the ranges of `x op value`: tables repeat thresholds
        self._ranges: dict[tuple[int, Op, int, int], list[tuple[int, int]]] = {}

    def box(self, atoms: list[Atom]) -> Box | None:
        space = self.space
        index = space.index
        items: list[Item] = list(space.full)
        for var, kind, payload in atoms:
            i = index[var]
            cur = items[i]
            if kind == "compare":
                op, value = payload
                key = (i, op, value.numerator, value.denominator)
                ranges = self._ranges.get(key)
                if ranges is None:
                    ranges = self._ranges[key] = space.compare_range(i, op, value)
                if not ranges:
                    return None
                a, b = ranges[0]
                lo, hi = cast(Range, cur)
                lo, hi = max(lo, a), min(hi, b)
                if lo > hi:
                    return None
                items[i] = (lo, hi)
            else:
                if kind == "bool":
                    mask = 0b10 if payload else 0b01
                else:
                    values, neg = payload
                    bits = self.bits[i]
                    mask = 0
                    for v in values:
                        mask |= bits[v]
                    if neg:
                        mask = self.enum_full[i] & ~mask
                mask &= cast(Mask, cur)
                if not mask:
                    return None
                items[i] = mask
        return tuple(items)
