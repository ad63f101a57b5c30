"""Cells, boxes and decision trees over the rules of one decision (for the exporters).

Every variable a decision reads is cut into finitely many *cells*: an enumeration into
its values, a bool into false/true, a number into the constants the conditions compare it
with (domain bounds included) and the open intervals between them (cell 2i is the point
c_i, cell 2i+1 the open interval (c_i, c_(i+1))). Every comparison with a constant is
constant on a cell, so a condition over constants is a union of *boxes* (one cell set
per variable). Comparisons of two variables are not boxes: their box is the whole space
(a sound over-approximation, marked inexact).

`build_tree` turns a decision into a binary tree of single-variable tests whose leaves
hold the few rules that can still match (the verifier's box index, made static). The
Python exporter writes the tree as nested `if`s; the DMN exporter uses `dnf` to write
each rule as disjoint boxes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from dsl import model as m

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
        case _:
            raise AssertionError(f"unknown condition {type(c).__name__}")


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
                cells = set()
                for cell in range(d.size):
                    x = self.point_of(d, cell)
                    a = x if left.var is not None else left.const
                    b = x if right.var is not None else right.const
                    assert a is not None and b is not None
                    if _compare(op.symbol, a, b):
                        cells.add(cell)
                return var, frozenset(cells)
            case _:
                return None


def _compare(op: str, a: Fraction, b: Fraction) -> bool:
    if op == "==":
        return a == b
    if op == "!=":
        return a != b
    if op == "<":
        return a < b
    if op == "<=":
        return a <= b
    if op == ">":
        return a > b
    if op == ">=":
        return a >= b
    raise AssertionError(op)


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
        case _:
            raise AssertionError(f"unknown condition {type(c).__name__}")


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
class Leaf:
    rules: tuple[int, ...]  # candidate rule positions, in source order
    constant: bool  # every candidate matches every patient of the region


@dataclass(frozen=True, slots=True)
class Split:
    var: str
    cells: Cells  # the variable's cells in the region at this test
    left: Cells  # cells that take the `yes` branch
    yes: Node
    no: Node


Node = Leaf | Split


def build_tree(
    space: Space, approxes: Sequence[Approx], policy: str, *, leaf_size: int = 3, max_depth: int = 48
) -> Node:
    """A tree of single-variable tests; each leaf keeps only the rules whose box meets its region."""
    region: Box = {v: d.full for v, d in space.dims.items()}

    def contains(i: int, reg: Box) -> bool:
        a = approxes[i]
        return a.exact and all(reg[v] <= cells for v, cells in a.box.items())

    def leaf(cands: list[int], reg: Box) -> Leaf:
        if policy == "first":
            # rules after the first one that covers the whole region can never apply in it
            for k, i in enumerate(cands):
                if contains(i, reg):
                    return Leaf(tuple(cands[: k + 1]), k == 0)
            return Leaf(tuple(cands), False)
        return Leaf(tuple(cands), bool(cands) and all(contains(i, reg) for i in cands))

    def go(cands: list[int], reg: Box, depth: int) -> Node:
        first = leaf(cands, reg)
        if first.constant or len(first.rules) <= leaf_size or depth >= max_depth:
            return first
        cands = list(first.rules)
        best: tuple[int, int, str, Cells] | None = None
        for v, cells in reg.items():
            if len(cells) < 2:
                continue
            for left in _candidate_splits(space.dims[v], cells, [approxes[i].box.get(v) for i in cands]):
                right = cells - left
                n_left = sum(1 for i in cands if approxes[i].box.get(v, cells) & left)
                n_right = sum(1 for i in cands if approxes[i].box.get(v, cells) & right)
                score = (max(n_left, n_right), n_left + n_right)
                if best is None or score < best[:2]:
                    best = (*score, v, left)
        if best is None or best[0] >= len(cands):
            return first
        _, _, v, left = best
        right = reg[v] - left
        yes_reg, no_reg = {**reg, v: left}, {**reg, v: right}
        yes = [i for i in cands if approxes[i].box.get(v, left) & left]
        no = [i for i in cands if approxes[i].box.get(v, right) & right]
        return Split(v, reg[v], left, go(yes, yes_reg, depth + 1), go(no, no_reg, depth + 1))

    return go([i for i, a in enumerate(approxes) if not a.never], region, 0)


def _candidate_splits(dim: Dim, cells: Cells, boxes: Sequence[Cells | None]) -> list[Cells]:
    ordered = sorted(cells)
    if dim.kind == "number":
        # cut between consecutive cells where some rule's box starts or ends: try the median cut
        cuts: set[int] = set()
        for b in boxes:
            if b is None:
                continue
            inside = sorted(b & cells)
            if not inside:
                continue
            if inside[0] != ordered[0]:
                cuts.add(inside[0])
            if inside[-1] != ordered[-1]:
                cuts.add(ordered[ordered.index(inside[-1]) + 1])
        if not cuts:
            return []
        srt = sorted(cuts)
        picks = {srt[len(srt) // 2], srt[len(srt) // 4], srt[(3 * len(srt)) // 4]}
        return [frozenset(c for c in ordered if c < k) for k in sorted(picks)]
    # enumerations and bools: a half of the values, or each value alone (small sets)
    out = [frozenset(ordered[: len(ordered) // 2])]
    if len(ordered) <= 4:
        out += [frozenset({c}) for c in ordered]
    return out


def thresholds(dim: Dim, cells: Cells, left: Cells) -> tuple[str, Fraction]:
    """The comparison `x OP c` that sends exactly the cells `left` (a prefix of `cells`) to yes."""
    first_right = min(cells - left)
    if first_right % 2 == 0:  # the right part starts at the point c: yes iff x < c
        return "<", dim.points[first_right // 2]
    return "<=", dim.points[first_right // 2]  # starts at an open interval after c: yes iff x <= c


def variables_read(conds: Sequence[m.Cond]) -> list[str]:
    used: set[str] = set()
    for c in conds:
        _constants(c, {}, used)
    return sorted(used)


def order_by(model: m.Model, names: Mapping[str, object] | Sequence[str]) -> list[str]:
    index = {v.name: i for i, v in enumerate(model.variables)}
    return sorted(names, key=index.__getitem__)
