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
from fractions import Fraction
from typing import Any, Literal, cast

from dsl import model as m
from dsl.cond import CondVisitor
from dsl.ops import Op
from verify.box import Box, Item, Mask
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
Atom = tuple[str, AtomKind, Any, Any]
"""A one-variable constraint: (variable, "bool", the value, None), (variable, "enum", the value
set, whether it is negated) or (variable, "compare", op, value) for `variable op value`."""


class AtomTable:
    """Conjunctions of one-variable atoms, read with one walk per condition. Rules of one table
    share most of their atoms (`tier == gold`, `age < 65`), so each distinct atom is kept once,
    in `atoms`, and a conjunction is the list of its atoms' positions there. The table also
    collects what `Space` needs: the variables the conjunctions read and the constants each
    variable is compared with (a walk that finds no conjunction may leave atoms and variables
    here; they are all read by that condition, so its own `collect_constants` adds them too)."""

    def __init__(self) -> None:
        self.atoms: list[Atom] = []
        self.reads: set[str] = set()
        self.constants: dict[str, set[Fraction]] = {}
        self._ids: dict[Atom, int] = {}
        self._walker = _Atoms(self)

    def conjunction(self, cond: m.Cond) -> list[int] | None:
        """The positions of the condition's atoms when it is a conjunction of atoms; None when it is
        not one (a disjunction, a comparison of several variables, `!=`, a constant false): then
        `extract` decides."""
        walker = self._walker
        found: list[int] = []
        walker.found = found
        walker.neg = False
        return found if walker.visit(cond) else None

    def add(self, atom: Atom) -> int:
        """The position of an atom (added on first sight)."""
        k = self._ids.get(atom)
        if k is None:
            k = self._ids[atom] = len(self.atoms)
            self.atoms.append(atom)
            var = atom[0]
            self.reads.add(var)
            if atom[1] == "compare":
                self.constants.setdefault(var, set()).add(atom[3])
        return k


class _Atoms(CondVisitor[bool]):
    """Adds the atoms of a conjunction to a table (`neg`: of the negation of the node being visited)."""

    def __init__(self, table: AtomTable) -> None:
        self.table = table
        self.found: list[int] = []
        self.neg = False

    def visit_const(self, c: m.Const) -> bool:
        return c.value != self.neg  # true adds nothing; false is the empty box (left to `extract`)

    def visit_bool_var(self, c: m.BoolVar) -> bool:
        self.found.append(self.table.add((c.var, "bool", not self.neg, None)))
        return True

    def visit_enum_in(self, c: m.EnumIn) -> bool:
        self.found.append(self.table.add((c.var, "enum", c.values, self.neg)))
        return True

    def visit_compare(self, c: m.Compare) -> bool:
        left, right = c.left, c.right
        terms = left.terms
        if len(terms) == 1 and not right.terms and terms[0][1] == 1:
            # `x op c`, the common case: `Compare.bound` without building it
            var, op = terms[0][0], c.op
            value = right.offset - left.offset if left.offset else right.offset
        else:
            bound = c.bound()
            if bound is None:
                return False
            var, op, value = bound.var, bound.op, bound.value
            self.table.reads.update(left.vars)  # `x + y - y < 3` reads y too
            self.table.reads.update(right.vars)
        if self.neg:
            op = op.negate()
        if op is Op.NE:
            return False  # two ranges
        self.found.append(self.table.add((var, "compare", op, value)))
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
        visit = self.visit
        for o in operands:  # noqa: SIM110 (a plain loop is faster than all() here)
            if not visit(o):
                return False
        return True

    def visit_named(self, c: m.Named) -> bool:
        return self.visit(c.body)


class AtomBoxes:
    """Boxes of conjunctions over one space: the box `extract` gives (always exact), from each
    distinct atom's item, computed once."""

    def __init__(self, space: Space, atoms: list[Atom]) -> None:
        self.space = space
        # per atom: (dimension, mask, 0) or (dimension, low, high); None when no value satisfies it
        self.items: list[tuple[int, int, int] | None] = [self._item(a) for a in atoms]

    def _item(self, atom: Atom) -> tuple[int, int, int] | None:
        space = self.space
        var, kind, a, b = atom
        i = space.index[var]
        if kind == "compare":
            ranges = space.compare_range(i, a, b)
            return (i, *ranges[0]) if ranges else None
        if kind == "bool":
            return i, 0b10 if a else 0b01, 0
        values = space.dims[i].values
        mask = 0
        for v in a:
            mask |= 1 << values.index(v)
        if b:
            mask = ((1 << len(values)) - 1) & ~mask
        return (i, mask, 0) if mask else None

    def box(self, conj: list[int]) -> Box | None:
        """The box of a conjunction (positions in the table the atoms came from)."""
        items: list[Item] = list(self.space.full)
        table = self.items
        for k in conj:
            hit = table[k]
            if hit is None:
                return None
            i, a, b = hit
            cur = items[i]
            if isinstance(cur, int):
                mask = cur & a
                if not mask:
                    return None
                items[i] = mask
            else:
                lo, hi = cur
                if a > lo:
                    lo = a
                if b < hi:
                    hi = b
                if lo > hi:
                    return None
                items[i] = (lo, hi)
        return tuple(items)
