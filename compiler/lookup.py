"""Cells, boxes and decision trees over the rules of one decision (for the exporters).

Every variable a decision reads is cut into finitely many *cells*: an enumeration into
its values, a bool into false/true, a number into the constants the conditions compare it
with (domain bounds included) and the open intervals between them (cell 2i is the point
c_i, cell 2i+1 the open interval (c_i, c_(i+1))). Every comparison with a constant is
constant on a cell, so a condition over constants is a union of *boxes* (one cell set
per variable). A comparison of one variable with a constant is such a box however it is
written (`2 * x + 1 > 6` is `x > 5/2`). A comparison over several numbers
(`size_cm > 2 * depth_cm`) is not a box over the variables: its box is the whole space (a
sound over-approximation, marked inexact), unless the space is built with `linear=True`
(DMN): then each linear form it compares (`size_cm - 2 * depth_cm`, scaled to coprime integer
coefficients, the first positive) is a dimension of its own, cut at the constants it is
compared with like a variable.

`build_index` turns a decision into data: per variable and cell, the set of rules whose
box admits that cell (the verifier's box index, made static). The Python exporter writes
the sets as bitsets, so the rules that can match are a few integer ANDs away; the DMN
exporter uses `dnf` to write each rule as disjoint boxes.
"""

from __future__ import annotations

import math
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
    var: str  # the variable; for a linear dimension, the form as text (`size_cm - 2 * depth_cm`)
    kind: str  # enum | bool | number
    values: tuple[str, ...] = ()  # enum values, or ("false", "true")
    points: tuple[Fraction, ...] = ()  # number: sorted constants, domain bounds included
    integer: bool = False
    terms: tuple[tuple[str, Fraction], ...] = ()  # a linear dimension: (variable, integer coefficient)

    @property
    def size(self) -> int:
        return len(self.values) if self.kind != "number" else 2 * len(self.points) - 1

    @property
    def full(self) -> Cells:
        return frozenset(range(self.size))

    @property
    def reads(self) -> tuple[str, ...]:
        """The variables the dimension's value is computed from."""
        return tuple(v for v, _ in self.terms) if self.terms else (self.var,)


Form = tuple[tuple[str, Fraction], ...]


def linear_form(c: m.Compare) -> tuple[str, Form, Op, Fraction]:
    """A comparison over several variables as `form op k`: the form's text, its terms with coprime
    integer coefficients (the first positive), the operator and k (exact)."""
    terms, k = c.normal()
    scale = Fraction(math.lcm(*(coef.denominator for _, coef in terms)))
    scale /= math.gcd(*(int(coef * scale) for _, coef in terms))
    if terms[0][1] < 0:
        scale = -scale
    form = tuple((v, coef * scale) for v, coef in terms)
    op = c.op if scale > 0 else c.op.flip()
    return m.Linear(terms=form).describe(), form, op, k * scale


def _constants(c: m.Cond, out: dict[str, set[Fraction]], used: set[str], forms: dict[str, Form] | None) -> None:
    """Collect the variables (and, into `forms`, the linear forms) a condition reads, and the constants
    each is compared with; `forms` is None when linear forms are not dimensions."""
    match c:
        case m.Const():
            pass
        case m.BoolVar(var=v) | m.EnumIn(var=v):
            used.add(v)
        case m.EnumCompare(left=a, right=b):
            used.update((a, b))
        case m.Compare():
            bound = c.bound()
            if bound is not None:
                used.add(bound.var)
                out.setdefault(bound.var, set()).add(bound.value)
            elif forms is None or c.constant_truth() is not None:
                used.update((*c.left.vars, *c.right.vars))
            else:
                key, form, _, k = linear_form(c)
                forms[key] = form
                out.setdefault(key, set()).add(k)
        case m.Not(operand=o):
            _constants(o, out, used, forms)
        case m.And(operands=ops) | m.Or(operands=ops):
            for o in ops:
                _constants(o, out, used, forms)
        case m.Named(body=body):
            _constants(body, out, used, forms)
        case _:
            assert_never(c)


class Space:
    """The dimensions a set of conditions reads: variables in model order, then linear forms
    (with `linear=True`) in the order the conditions first compare them."""

    def __init__(self, model: m.Model, conds: Sequence[m.Cond], *, linear: bool = False) -> None:
        constants: dict[str, set[Fraction]] = {}
        used: set[str] = set()
        forms: dict[str, Form] | None = {} if linear else None
        for c in conds:
            _constants(c, constants, used, forms)
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
        for key, form in (forms or {}).items():
            low = high = Fraction(0)
            integer = True
            for v, coef in form:
                t = model.variable(v).type
                assert isinstance(t, m.NumberType)
                a, b = coef * t.low, coef * t.high
                low, high = low + min(a, b), high + max(a, b)
                integer = integer and t.integer
            pts = sorted({low, high, *(k for k in constants.get(key, ()) if low <= k <= high)})
            self.dims[key] = Dim(key, "number", points=tuple(pts), integer=integer, terms=form)
        # number -> its index among the points, per numeric dimension
        self.position: dict[str, dict[Fraction, int]] = {
            v: {p: i for i, p in enumerate(d.points)} for v, d in self.dims.items() if d.kind == "number"
        }

    def point_of(self, dim: Dim, cell: int) -> Fraction:
        """A representative number of a cell (the point, or the middle of the open interval)."""
        if cell % 2 == 0:
            return dim.points[cell // 2]
        return (dim.points[cell // 2] + dim.points[cell // 2 + 1]) / 2

    def atom_cells(self, c: m.Cond) -> tuple[str, Cells] | None:
        """The cells of a one-dimension atom, or None if the atom is not one."""
        match c:
            case m.BoolVar(var=v):
                return v, frozenset({1})
            case m.EnumIn(var=v, values=vals):
                d = self.dims[v]
                return v, frozenset(d.values.index(x) for x in vals)
            case m.Compare():
                bound = c.bound()
                if bound is not None:
                    return bound.var, self._cells(self.dims[bound.var], bound.op, bound.value)
                if c.constant_truth() is not None:
                    return None
                key, _, op, k = linear_form(c)
                form = self.dims.get(key)
                if form is None or not form.terms:
                    return None  # linear forms are not dimensions of this space
                return key, self._cells(form, op, k)
            case _:
                return None

    def _cells(self, d: Dim, op: Op, value: Fraction) -> Cells:
        """The cells of `x op value` for the dimension's value x."""
        at = self.position[d.var].get(value)
        if at is not None:  # the usual case: cells from the constant's position
            return _cells_of(op, 2 * at, d.size)
        return frozenset(cell for cell in range(d.size) if op.apply(self.point_of(d, cell), value))


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
        case m.Compare() if c.constant_truth() is not None:
            return [{}] if c.constant_truth() != neg else []
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
        _constants(c, {}, used, None)
    return sorted(used)


def order_by(model: m.Model, names: Mapping[str, object] | Sequence[str]) -> list[str]:
    index = {v.name: i for i, v in enumerate(model.variables)}
    return sorted(names, key=index.__getitem__)
