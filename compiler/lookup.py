"""Cells, boxes and decision trees over the rules of one decision (for the exporters).

Every variable a decision reads is cut into finitely many *cells*: an enumeration into
its values, a bool into false/true, a number into the constants the conditions compare it
with (domain bounds included) and the open intervals between them (cell 2i is the point
c_i, cell 2i+1 the open interval (c_i, c_(i+1))). Every comparison with a constant is
constant on a cell, so a condition over constants is a union of *boxes* (one cell set
per variable). Comparisons of two variables are not boxes: their box is the whole space
(a sound over-approximation, marked inexact).

`build_index` turns a decision into data: per variable and cell, the set of rules whose
box admits that cell (the verifier's box index, made static). The Python exporter writes
the sets as bitsets, so the rules that can match are a few integer ANDs away; the DMN
exporter uses `dnf` to write each rule as disjoint boxes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import assert_never

from dsl import model as m
from dsl.ops import Op

Cells = frozenset[int]
Box = dict[str, Cells]  # variable -> allowed cells; a missing variable is unconstrained


@dataclass(frozen=True, slots=True)
class Dim:
    var: str
    kind: str  # enum | bool | number
    values: tuple[str, ...] = ()  # enum values, or ("false", "true")
    points: tuple[Fraction, ...] = ()  # number: sorted constants, domain bounds included
    integer: bool = False

    @property
    def size(self) -> int:
        return len(self.values) if self.kind != "number" else 2 * len(self.points) - 1

    @property
    def full(self) -> Cells:
        return frozenset(range(self.size))


def _constants(c: m.Cond, out: dict[str, set[Fraction]], used: set[str]) -> None:
    match c:
        case m.Const():
            pass
        case m.BoolVar(var=v) | m.EnumIn(var=v):
            used.add(v)
        case m.EnumCompare(left=a, right=b):
            used.update((a, b))
        case m.Compare(left=left, right=right):
            for t, other in ((left, right), (right, left)):
                if t.var is not None:
                    used.add(t.var)
                    if other.const is not None:
                        out.setdefault(t.var, set()).add(other.const)
        case m.Not(operand=o):
            _constants(o, out, used)
        case m.And(operands=ops) | m.Or(operands=ops):
            for o in ops:
                _constants(o, out, used)
        case m.Named(body=body):
            _constants(body, out, used)
        case _:
            assert_never(c)


class Space:
    """The dimensions a set of conditions reads, in model order."""

    def __init__(self, model: m.Model, conds: Sequence[m.Cond]) -> None:
        constants: dict[str, set[Fraction]] = {}
        used: set[str] = set()
        for c in conds:
            _constants(c, constants, used)
        self.dims: dict[str, Dim] = {}
        for var in model.variables:
            if var.name not in used:
                continue
            t = var.type
            if isinstance(t, m.BoolType):
                self.dims[var.name] = Dim(var.name, "bool", ("false", "true"))
            elif isinstance(t, m.EnumType):
                self.dims[var.name] = Dim(var.name, "enum", t.values)
            else:
                pts = sorted({t.low, t.high, *(k for k in constants.get(var.name, ()) if t.low <= k <= t.high)})
                self.dims[var.name] = Dim(var.name, "number", points=tuple(pts), integer=t.integer)
        # number -> its index among the points, per numeric variable
        self.position: dict[str, dict[Fraction, int]] = {
            v: {p: i for i, p in enumerate(d.points)} for v, d in self.dims.items() if d.kind == "number"
        }

    def point_of(self, dim: Dim, cell: int) -> Fraction:
        """A representative number of a cell (the point, or the middle of the open interval)."""
        if cell % 2 == 0:
            return dim.points[cell // 2]
        return (dim.points[cell // 2] + dim.points[cell // 2 + 1]) / 2

    def atom_cells(self, c: m.Cond) -> tuple[str, Cells] | None:
        """The cells of a one-variable atom, or None if the atom is not one."""
        match c:
            case m.BoolVar(var=v):
                return v, frozenset({1})
            case m.EnumIn(var=v, values=vals):
                d = self.dims[v]
                return v, frozenset(d.values.index(x) for x in vals)
            case m.Compare(op=op, left=left, right=right):
                if (left.var is None) == (right.var is None):
                    return None
                var = left.var if left.var is not None else right.var
                assert var is not None
                d = self.dims[var]
                const = right.const if left.var is not None else left.const
                assert const is not None
                at = self.position[var].get(const)
                if at is not None:  # the usual case: cells from the constant's position
                    return var, _cells_of(op if left.var is not None else op.flip(), 2 * at, d.size)
                cells = set()
                for cell in range(d.size):
                    x = self.point_of(d, cell)
                    a = x if left.var is not None else left.const
                    b = x if right.var is not None else right.const
                    assert a is not None and b is not None
                    if op.apply(a, b):
                        cells.add(cell)
                return var, frozenset(cells)
            case _:
                return None


def _cells_of(op: Op, at: int, size: int) -> Cells:
    """The cells of `x OP c` where c is the point in cell `at`."""
    match op:
        case Op.EQ:
            return frozenset((at,))
        case Op.NE:
            return frozenset(range(size)) - {at}
        case Op.LT:
            return frozenset(range(at))
        case Op.LE:
            return frozenset(range(at + 1))
        case Op.GT:
            return frozenset(range(at + 1, size))
        case Op.GE:
            return frozenset(range(at, size))
        case _:
            assert_never(op)


def _meet(a: Box, b: Box) -> Box | None:
    out = dict(a)
    for v, cells in b.items():
        both = out[v] & cells if v in out else cells
        if not both:
            return None
        out[v] = both
    return out


class NotABox(Exception):
    """A condition compares two variables; it has no exact box form."""


def dnf(space: Space, c: m.Cond, neg: bool = False) -> list[Box]:
    """The condition (negated if `neg`) as a union of boxes; NotABox for variable comparisons."""
    match c:
        case m.Const(value=value):
            return [{}] if value != neg else []
        case m.Not(operand=o):
            return dnf(space, o, not neg)
        case m.And(operands=ops):
            return _conj(space, ops, neg) if not neg else _disj(space, ops, neg)
        case m.Or(operands=ops):
            return _disj(space, ops, neg) if not neg else _conj(space, ops, neg)
        case m.BoolVar() | m.EnumIn() | m.Compare():
            atom = space.atom_cells(c)
            if atom is None:
                raise NotABox(c)
            var, cells = atom
            if neg:
                cells = space.dims[var].full - cells
            return [{var: cells}] if cells else []
        case m.EnumCompare():
            raise NotABox(c)
        case m.Named(body=body):
            return dnf(space, body, neg)
        case _:
            assert_never(c)


def _conj(space: Space, ops: Sequence[m.Cond], neg: bool) -> list[Box]:
    acc: list[Box] = [{}]
    for o in ops:
        parts = dnf(space, o, neg)
        acc = [b for x in acc for y in parts if (b := _meet(x, y)) is not None]
    return acc


def _disj(space: Space, ops: Sequence[m.Cond], neg: bool) -> list[Box]:
    return [b for o in ops for b in dnf(space, o, neg)]


def disjoint(space: Space, boxes: Sequence[Box]) -> list[Box]:
    """The same union, as pairwise disjoint boxes (each earlier box subtracted from the later ones)."""
    out: list[Box] = []
    for b in boxes:
        pieces = [b]
        for prev in out:
            nxt: list[Box] = []
            for p in pieces:
                nxt.extend(_subtract(space, p, prev))
            pieces = nxt
        out.extend(pieces)
    return out


def _subtract(space: Space, a: Box, b: Box) -> list[Box]:
    if _meet(a, b) is None:
        return [a]
    out: list[Box] = []
    rest = dict(a)
    for v, cells in sorted(b.items()):
        mine = rest.get(v, space.dims[v].full)
        outside = mine - cells
        if outside:
            out.append({**rest, v: outside})
        rest[v] = mine & cells
    return out


# ---- over-approximating boxes and the tree --------------------------------------------


@dataclass(frozen=True, slots=True)
class Approx:
    box: Box
    exact: bool
    never: bool = False  # the condition matches no patient


def approx(space: Space, c: m.Cond) -> Approx:
    """A box containing every patient the condition matches (exact when it is the condition)."""
    try:
        boxes = dnf(space, c)
    except NotABox:
        return Approx({}, False)
    if not boxes:
        return Approx({}, True, never=True)
    hull = _hull(space, boxes)
    exact = len(boxes) == 1 or (len(boxes) <= 64 and _covers(space, boxes, hull))
    return Approx(hull, exact)


def _hull(space: Space, boxes: Sequence[Box]) -> Box:
    out: Box = {}
    for v in space.dims:
        if all(v in b for b in boxes):
            out[v] = frozenset().union(*(b[v] for b in boxes))
    return out


def _covers(space: Space, boxes: Sequence[Box], hull: Box) -> bool:
    """Whether the boxes cover their hull (then the hull is the condition exactly)."""
    rest = [hull]
    for b in boxes:
        rest = [p for r in rest for p in _subtract(space, r, b)]
        if not rest:
            return True
    return False


@dataclass(frozen=True, slots=True)
class Index:
    """A decision as data: per variable and cell, the rules whose box admits the cell.

    The rules that can match a patient are those admitted by the cell of every indexed
    variable (an AND of bitsets in the generated module). A rule whose box is exact matches
    every patient it is admitted for; a `loose` rule (box over-approximated) must still
    have its condition checked. Rules that match no patient appear in no cell.

    The sets are stored as changes, which stay small when a variable has many cells:
    `changes[j][0]` lists the rules admitted in cell 0 of dim j, `changes[j][c]` the rules
    whose admission differs between cells c - 1 and c.
    """

    dims: tuple[Dim, ...]  # the variables some rule's box constrains, in model order
    changes: tuple[tuple[tuple[int, ...], ...], ...]
    live: frozenset[int]  # rules that can match some patient
    loose: frozenset[int]  # live rules whose condition must be checked on the facts

    def cells(self, j: int) -> list[frozenset[int]]:
        """The admitted rules of every cell of dim j (for tests; large for big tables)."""
        out: list[frozenset[int]] = []
        cur: frozenset[int] = frozenset()
        for flip in self.changes[j]:
            cur = cur ^ frozenset(flip)
            out.append(cur)
        return out


def build_index(space: Space, approxes: Sequence[Approx]) -> Index:
    live = sorted(i for i, a in enumerate(approxes) if not a.never)
    dims: list[Dim] = []
    changes: list[tuple[tuple[int, ...], ...]] = []
    for var, dim in space.dims.items():
        flips: list[list[int]] = [[] for _ in range(dim.size)]
        constrained = False
        for i in live:
            cells = approxes[i].box.get(var)
            if cells is None or cells == dim.full:
                flips[0].append(i)
                continue
            constrained = True
            prev = -2
            for cell in sorted(cells):  # each run of cells [start, end] flips at start and end + 1
                if cell != prev + 1:
                    flips[cell].append(i)
                    if prev >= 0 and prev + 1 < dim.size:
                        flips[prev + 1].append(i)
                prev = cell
            if prev + 1 < dim.size:
                flips[prev + 1].append(i)
        if constrained:
            dims.append(dim)
            changes.append(tuple(tuple(sorted(f)) for f in flips))
    loose = frozenset(i for i in live if not approxes[i].exact)
    return Index(tuple(dims), tuple(changes), frozenset(live), loose)


def variables_read(conds: Sequence[m.Cond]) -> list[str]:
    used: set[str] = set()
    for c in conds:
        _constants(c, {}, used)
    return sorted(used)


def order_by(model: m.Model, names: Mapping[str, object] | Sequence[str]) -> list[str]:
    index = {v.name: i for i, v in enumerate(model.variables)}
    return sorted(names, key=index.__getitem__)
